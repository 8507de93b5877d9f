"""Skip logic and constraints in words, for the workbook's help column."""

import re

from surveys.questionnaires import expressions

_COMPARISONS = {
    "=": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
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
                return f"“{self.text(choice.label)}”"
        return f"“{name}”"

    def value(self, node, code):
        if node[0] == "string":
            return self.label(code, node[1])
        if node[0] == "number":
            number = node[1]
            return str(int(number)) if number.is_integer() else repr(number)
        return None

    def describe(self, node):
        kind = node[0]
        if kind == "op" and node[1] in ("and", "or"):
            left, right = self.describe(node[2]), self.describe(node[3])
            if left is None or right is None:
                return None
            return f"({left} {node[1]} {right})" if node[1] == "or" else f"{left} {node[1]} {right}"
        if kind == "op" and node[1] in _COMPARISONS and node[2][0] == "ref":
            value = self.value(node[3], node[2][1])
            if value is None:
                return None
            return f"the answer to {node[2][1]} {_COMPARISONS[node[1]]} {value}"
        if kind == "call" and node[1] == "selected" and node[2][0][0] == "ref":
            code = node[2][0][1]
            value = self.value(node[2][1], code)
            return None if value is None else f"the answers to {code} include {value}"
        if kind == "call" and node[1] == "not":
            inner = self.describe(node[2][0])
            return None if inner is None else f"not ({inner})"
        return None


def condition_in_words(expression, questions, choices, text):
    """ "Answer only if …" for a relevant expression, or "" when there is none."""
    if not expression or not expression.strip():
        return ""
    words = _Words(questions, choices, text).describe(expressions.parse(expression))
    if words is None:
        words = "this condition holds: " + re.sub(r"\$\{([^}]+)\}", r"\1", expression)
    elif words.startswith("(") and words.endswith(")"):
        words = words[1:-1]
    return f"Answer only if {words}."
