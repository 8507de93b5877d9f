"""Skip logic and constraints in words, for the workbook's help column."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from surveys.questionnaires import expressions

_COMPARISONS = {
    # Translators: %(question)s is a question's code, %(value)s an answer or a number.
    "=": gettext_lazy("the answer to %(question)s is %(value)s"),
    "!=": gettext_lazy("the answer to %(question)s is not %(value)s"),
    "<": gettext_lazy("the answer to %(question)s is less than %(value)s"),
    "<=": gettext_lazy("the answer to %(question)s is at most %(value)s"),
    ">": gettext_lazy("the answer to %(question)s is more than %(value)s"),
    ">=": gettext_lazy("the answer to %(question)s is at least %(value)s"),
}


class _Words:
    """A relevant expression read aloud: `${role} = 'other'` becomes
    "the answer to role is “Other”". Shapes it does not know come back as None."""

    def __init__(self, questions, choices, text):
        self.questions = questions
        self.choices = choices
        self.text = text

    def label(self, code, name):
        question = self.questions.get(code)
        for choice in self.choices.get(question.list_name if question else "", []):
            if choice.name == name:
                return self.quoted(self.text(choice.label))
        return self.quoted(name)

    @staticmethod
    def quoted(label):
        # Translators: an answer quoted in a condition; use your language's quotation marks.
        return pgettext("quoted answer", "“%(answer)s”") % {"answer": label}

    def value(self, node, code):
        if node[0] == "string":
            return self.label(code, node[1])
        if node[0] == "number":
            number = node[1]
            return str(int(number)) if number.is_integer() else repr(number)
        return None

    def describe(self, node, outer=False):
        """The condition in words; an "or" is bracketed unless it is the
        whole condition (`outer`)."""
        kind = node[0]
        if kind == "op" and node[1] in ("and", "or"):
            left, right = self.describe(node[2]), self.describe(node[3])
            if left is None or right is None:
                return None
            if node[1] == "and":
                # Translators: two conditions that must both hold.
                return _("%(left)s and %(right)s") % {"left": left, "right": right}
            # Translators: two conditions of which one must hold.
            either = _("%(left)s or %(right)s") % {"left": left, "right": right}
            return either if outer else f"({either})"
        if kind == "op" and node[1] in _COMPARISONS and node[2][0] == "ref":
            value = self.value(node[3], node[2][1])
            if value is None:
                return None
            return _COMPARISONS[node[1]] % {"question": node[2][1], "value": value}
        if kind == "call" and node[1] == "selected" and node[2][0][0] == "ref":
            code = node[2][0][1]
            value = self.value(node[2][1], code)
            if value is None:
                return None
            # Translators: %(question)s is a question's code, %(value)s one of its answers.
            return _("the answers to %(question)s include %(value)s") % {
                "question": code,
                "value": value,
            }
        if kind == "call" and node[1] == "not":
            inner = self.describe(node[2][0])
            # Translators: the opposite of a condition.
            return None if inner is None else _("not (%(condition)s)") % {"condition": inner}
        return None


def condition_in_words(expression, questions, choices, text, *, sheet=False):
    """ "Answer only if …" for a relevant expression, or "" when there is none;
    "Answer this sheet only if …" for a section's (`sheet`)."""
    if not expression or not expression.strip():
        return ""
    words = _Words(questions, choices, text).describe(expressions.parse(expression), outer=True)
    if words is None:
        # Translators: followed by a skip-logic expression as written in the questionnaire.
        words = _("this condition holds: %(expression)s") % {
            "expression": re.sub(r"\$\{([^}]+)\}", r"\1", expression)
        }
    if sheet:
        # Translators: tells which answers make a whole sheet (section) apply.
        return _("Answer this sheet only if %(condition)s.") % {"condition": words}
    # Translators: tells which answers make a question apply; see also “Answer only if …”.
    return _("Answer only if %(condition)s.") % {"condition": words}
