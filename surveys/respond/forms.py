"""The respondent's form: one questionnaire section, built from its questions."""

from html import escape

from crispy_forms.helper import FormHelper
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import get_template
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from surveys.models import Question, localized
from surveys.questionnaires import expressions

TEXT_MAX_LENGTH = 5000


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


class Options(BaseChoiceIterator):
    """A choice list already in the form Django normalises choices to,
    (value, label) strings: a field takes it as it is. Built once per list
    and page; normalising it again for every field cost a page of 30 ratings
    about 2 ms."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        return self.pairs[index]


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
        self._options = {}
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
            return forms.ChoiceField(
                choices=self._options_for(question.list_name, choices, blank=True),
                widget=forms.RadioSelect,
                **options,
            )
        if kind == Question.Type.SELECT_MULTIPLE:
            return forms.MultipleChoiceField(
                choices=self._options_for(question.list_name, choices, blank=False),
                widget=forms.CheckboxSelectMultiple,
                **options,
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

    def _options_for(self, list_name, choices, *, blank):
        """A list's options in the page's language, "No answer" first for a
        single choice; the same Options for every question of the list."""
        key = (list_name, blank)
        if key not in self._options:
            pairs = [(c.name, self.text(c.label)) for c in choices]
            if blank:
                pairs.insert(0, ("", _("No answer")))
            self._options[key] = Options(pairs)
        return self._options[key]

    def blocks(self):
        """The page's layout, in order: ("note", question), ("pair",
        importance, capability) for a competency's two ratings under its
        statement, ("inline", question) for a short single choice, and
        ("field", question) for the rest."""
        questions, index = self.questions, 0
        while index < len(questions):
            question = questions[index]
            pair = questions[index + 1] if index + 1 < len(questions) else None
            if question.type == Question.Type.NOTE:
                yield "note", question
            elif (
                question.competency and pair is not None and pair.competency == question.competency
            ):
                yield "pair", question, pair
                index += 1
            elif question.type == Question.Type.SELECT_ONE and (
                len(self.fields[question.code].choices) <= _INLINE_LISTS_MAX
            ):
                yield "inline", question
            else:
                yield "field", question
            index += 1

    def body(self):
        """The page's questions as HTML, with crispy-forms' Bootstrap 5
        markup. The radio groups, dozens on a page, are written here: through
        a template each, they were most of a respondent page's time. The
        questionnaire's texts are escaped, never read as template code."""
        parts = []
        for kind, question, *pair in self.blocks():
            if kind == "note":
                parts.append(format_html('<p class="lead fs-6">{}</p>', self.text(question.label)))
            elif kind == "pair":
                rows = mark_safe("".join(radio_row(self[q.code]) for q in (question, *pair)))
                parts.append(
                    format_html(
                        '<fieldset class="competency border rounded p-3 mb-3"><legend>{}</legend>'
                        "{}</fieldset>",
                        self.text(question.label),
                        rows,
                    )
                )
            elif kind == "inline":
                parts.append(
                    format_html('<div class="mb-2">{}</div>', radio_row(self[question.code]))
                )
            else:
                parts.append(crispy_field(self[question.code]))
        return mark_safe("\n".join(parts))  # every part is escaped or a rendered template

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


def crispy_field(field):
    """A field as crispy-forms renders it in a form helper's layout."""
    context = FormHelper().get_attributes(TEMPLATE_PACK) | {"field": field}
    return get_template(context["field_template"]).render(context)


def radio_row(field):
    """One inline radio group: its question as the legend, then its options
    (radio_options), errors and hint."""
    described = f"{field.auto_id}_helptext" if field.help_text else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="fs-6 form-label">{}</legend>'
        "<div>{}</div>{}{}</fieldset></div>",
        field.auto_id,
        format_html(' aria-describedby="{}"', described) if described else "",
        field.label,
        radio_options(field),
        format_html_join(
            "",
            '<div class="invalid-feedback d-block"><strong>{}</strong></div>',
            ((error,) for error in field.errors),
        ),
        format_html('<div id="{}" class="form-text">{}</div>', described, field.help_text)
        if described
        else "",
    )


def radio_options(field):
    """The options of one inline radio group. Every value and label is
    escaped (html.escape, as Django's escape)."""
    value = field.value()
    current = "" if value is None else str(value)
    auto_id, name = escape(field.auto_id), escape(field.html_name)
    invalid = " is-invalid" if field.errors else ""
    options = []
    for index, (option, label) in enumerate(field.field.choices):
        mark = " checked" if str(option) == current else ""
        options.append(
            f'<div class="form-check form-check-inline"><input type="radio" '
            f'class="form-check-input{invalid}" name="{name}" value="{escape(str(option))}" '
            f'id="{auto_id}_{index}"{mark}><label for="{auto_id}_{index}" '
            f'class="form-check-label">{escape(str(label))}</label></div>'
        )
    return mark_safe("\n".join(options))  # every part above is escaped
