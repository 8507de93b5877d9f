"""The respondent's form: one questionnaire section, built from its questions."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from surveys.models import Question, localized
from surveys.questionnaires import expressions

TEXT_MAX_LENGTH = 5000


RADIO_ROW = "surveys/_radio_row.html"


_INLINE_LISTS_MAX = 6


# Digits and separators as people type them in every language: Arabic-Indic
# and Persian digits, the Arabic decimal separator, a decimal comma, and
# spaces (ordinary, no-break, thin) between thousands.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.", " \u00a0\u202f\u2009")


def typed_number(value, decimal=False):
    if not isinstance(value, str):
        return value
    text = value.strip().translate(_DIGITS)
    # A decimal comma where the language writes one (French 12,5; not English 1,200).
    comma = decimal and get_format("DECIMAL_SEPARATOR") == "," and text.count(",") == 1
    return text.replace(",", ".") if comma else text


class TypedIntegerField(forms.IntegerField):
    def to_python(self, value):
        return super().to_python(typed_number(value))


class TypedDecimalField(forms.DecimalField):
    def to_python(self, value):
        return super().to_python(typed_number(value, decimal=True))


PAIRED = (Question.Dimension.IMPORTANCE, Question.Dimension.CAPABILITY)


class SectionForm(forms.Form):
    """One section of a questionnaire. Fields are not required here: a
    long questionnaire is filled over several sittings, and what is still
    missing is listed on the review page. Values that are present must be
    valid: type and the form's constraints are checked now.

    `answers` are all the response's stored answers (code → text), needed
    because constraints may refer to questions on other pages.
    """

    def __init__(self, *args, questions, choices, language, default_language, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.stored_answers = answers
        self.language = language
        self.default_language = default_language
        self.question_by_code = {q.code: q for q in questions if q.type != Question.Type.NOTE}
        for question in self.question_by_code.values():
            field = self._field_for(question, choices.get(question.list_name, []))
            # The error summary names a rating by its competency too.
            field.summary_label = (
                f"{self.text(question.label)} – {field.label}"
                if question.dimension in PAIRED
                else field.label
            )
            stored = answers.get(question.code, "")
            if question.type == Question.Type.SELECT_MULTIPLE:
                field.initial = stored.split()
            else:
                field.initial = stored
            self.fields[question.code] = field
        self.helper = self._helper()

    def text(self, texts):
        return localized(texts, self.language, self.default_language)

    def _field_for(self, question, choices):
        label, help_text = self.text(question.label), self.text(question.hint)
        if question.dimension in (Question.Dimension.IMPORTANCE, Question.Dimension.CAPABILITY):
            # The competency statement is the fieldset's legend; the field's
            # own label asks which of the two ratings this is.
            label = help_text or question.get_dimension_display()
            help_text = ""
        options = dict(
            label=label + (" *" if question.required else ""),
            required=False,
            help_text=help_text,
        )
        kind = question.type
        if kind == Question.Type.SELECT_ONE:
            pairs = [(c.name, self.text(c.label)) for c in choices]
            return forms.ChoiceField(
                choices=[("", _("No answer"))] + pairs, widget=forms.RadioSelect, **options
            )
        if kind == Question.Type.SELECT_MULTIPLE:
            pairs = [(c.name, self.text(c.label)) for c in choices]
            return forms.MultipleChoiceField(
                choices=pairs, widget=forms.CheckboxSelectMultiple, **options
            )
        # Numbers in text inputs: a browser sends an unreadable number
        # ("1e") in a number input as nothing, which would pass as "no
        # answer"; as text, it reaches the form and gets a message.
        if kind == Question.Type.INTEGER:
            widget = forms.TextInput(attrs={"inputmode": "numeric"})
            return TypedIntegerField(
                min_value=-(10**12), max_value=10**12, widget=widget, **options
            )
        if kind == Question.Type.DECIMAL:
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
            return TypedDecimalField(max_digits=20, decimal_places=6, widget=widget, **options)
        if kind == Question.Type.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)
        widget = forms.Textarea(attrs={"rows": 3}) if question.code.endswith("comment") else None
        return forms.CharField(max_length=TEXT_MAX_LENGTH, widget=widget, **options)

    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        items, index = [], 0
        questions = self.questions
        while index < len(questions):
            question = questions[index]
            pair = questions[index + 1] if index + 1 < len(questions) else None
            if question.type == Question.Type.NOTE:
                items.append(
                    HTML(format_html('<p class="lead fs-6">{}</p>', self.text(question.label)))
                )
            elif (
                question.competency and pair is not None and pair.competency == question.competency
            ):
                items.append(
                    Fieldset(
                        self.text(question.label),
                        Field(question.code, template=RADIO_ROW),
                        Field(pair.code, template=RADIO_ROW),
                        css_class="competency border rounded p-3 mb-3",
                    )
                )
                index += 1
            elif question.type == Question.Type.SELECT_ONE and (
                len(self.fields[question.code].choices) <= _INLINE_LISTS_MAX
            ):
                items.append(Div(Field(question.code, template=RADIO_ROW), css_class="mb-2"))
            else:
                items.append(question.code)
            index += 1
        helper.layout = Layout(*items)
        return helper

    def clean(self):
        cleaned = super().clean()
        merged = dict(self.stored_answers)
        merged.update({code: self.as_text(code, cleaned[code]) for code in cleaned})
        for code, question in self.question_by_code.items():
            if code not in cleaned or not question.constraint:
                continue
            value = merged.get(code, "")
            if value and not expressions.evaluate(question.constraint, merged, current=value):
                message = self.text(question.constraint_message) or _("This value is not allowed.")
                self.add_error(code, message)
        return cleaned

    def as_text(self, code, value):
        """A cleaned value in the stored text form ("" when empty)."""
        if value in (None, "", []):
            return ""
        question = self.question_by_code[code]
        if question.type == Question.Type.SELECT_MULTIPLE:
            order = [name for name, _ in self.fields[code].choices]
            return " ".join(sorted(value, key=order.index))
        if question.type == Question.Type.DECIMAL:
            text = format(value.normalize(), "f")
            return text
        if question.type == Question.Type.DATE:
            return value.isoformat()
        if question.type == Question.Type.TEXT:
            return value.strip()
        return str(value)

    def valid_values(self):
        """Code → text for every field that passed validation."""
        return {code: self.as_text(code, value) for code, value in self.cleaned_data.items()}
