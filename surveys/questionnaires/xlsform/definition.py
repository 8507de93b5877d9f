"""A questionnaire as read from, and written to, an XLSForm: plain data."""

import hashlib
import json
from dataclasses import asdict, dataclass, field

SUPPORTED_TYPES = ("select_one", "select_multiple", "integer", "decimal", "text", "note", "date")


TRANSLATABLE = ("label", "hint", "constraint_message")


SURVEY_COLUMNS = (
    "type",
    "name",
    "required",
    "relevant",
    "constraint",
    "competency",
    "dimension",
    "source",
)


DIMENSIONS = ("importance", "capability", "legal_power", "resource")


RATED_DIMENSIONS = ("importance", "capability")


DEFAULT_LANGUAGE = "default"


class XLSFormError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class ChoiceDef:
    list_name: str
    name: str
    label: dict
    extra: dict = field(default_factory=dict)


@dataclass
class QuestionDef:
    code: str
    type: str
    label: dict
    list_name: str = ""
    hint: dict = field(default_factory=dict)
    required: bool = False
    constraint: str = ""
    constraint_message: dict = field(default_factory=dict)
    relevant: str = ""
    competency: str = ""
    dimension: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class SectionDef:
    code: str
    label: dict
    hint: dict = field(default_factory=dict)
    relevant: str = ""
    extra: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)


@dataclass
class FormDefinition:
    form_id: str
    title: str
    form_version: str
    default_language: str
    languages: list
    sections: list
    choices: list
    # Languages whose texts are a draft translation, for expert review
    # (settings column draft_translations, "French (fr); Spanish (es)").
    draft_languages: list = field(default_factory=list)

    def digest(self):
        """SHA-256 of the content: equal digests mean the same questionnaire."""
        fields = asdict(self)
        if not fields["draft_languages"]:  # as before the field existed
            del fields["draft_languages"]
        content = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(content.encode()).hexdigest()

    @property
    def questions(self):
        return [question for section in self.sections for question in section.questions]
