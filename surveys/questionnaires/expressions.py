"""XLSForm `relevant` and `constraint` expressions, evaluated on the server.

XLSForm expressions are XPath 1.0 with ODK functions; pyxform only copies them
into the XForm, and the clients that evaluate them (JavaRosa, Enketo) are not
Python. The survey here is server-rendered, so it evaluates the subset that
questionnaires use: ``${name}``, ``.``, strings, numbers, ``= != < <= > >=``,
``+ - * div mod``, ``and``, ``or``, parentheses and the functions ``not``,
``selected``, ``count-selected``, ``string-length``, ``true``, ``false``.
Anything else is refused when the form is imported, not when a respondent
meets it. Comparison rules follow XPath 1.0 (section 3.4): if either side is
a number both are compared as numbers, so ``${rating} >= 3`` works on the
stored text ``"4"``.
"""

import math
import re
from functools import lru_cache


class ExpressionError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<refname>[A-Za-z_][\w.\-]*)\})
      | (?P<number>\d+(?:\.\d*)?|\.\d+)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<dot>\.)
      | (?P<name>[A-Za-z_][\w\-]*)
    )""",
    re.VERBOSE,
)

_FUNCTIONS = {
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (0, 1),
    "true": (0, 0),
    "false": (0, 0),
}
_WORD_OPERATORS = {"and", "or", "div", "mod"}


def _tokenize(text):
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:].strip()[:20]!r}")
        position = match.end()
        if match.group("ref"):
            tokens.append(("ref", match.group("refname")))
        elif match.group("number"):
            tokens.append(("number", float(match.group("number"))))
        elif match.group("string"):
            tokens.append(("string", match.group("string")[1:-1]))
        elif match.group("op"):
            tokens.append(("op", match.group("op")))
        elif match.group("dot"):
            tokens.append(("dot", "."))
        else:
            word = match.group("name")
            tokens.append(("op" if word in _WORD_OPERATORS else "name", word))
    return tokens


class _Parser:
    # Lowest precedence first, as in XPath 1.0's grammar.
    _LEVELS = [
        ("or",),
        ("and",),
        ("=", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    ]

    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.index += 1
        return token

    def expect(self, value):
        kind, found = self.take()
        if kind is None:
            raise ExpressionError(f"expected {value!r} but the expression ends")
        if kind != "op" or found != value:
            raise ExpressionError(f"expected {value!r}, found {found!r}")

    def parse(self):
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.binary(0)
        if self.index != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()[1]!r}")
        return node

    def binary(self, level):
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while True:
            kind, value = self.peek()
            if kind == "op" and value in self._LEVELS[level]:
                self.take()
                node = ("op", value, node, self.binary(level + 1))
            else:
                return node

    def unary(self):
        kind, value = self.peek()
        if kind == "op" and value == "-":
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        kind, value = self.take()
        if kind == "number":
            return ("number", value)
        if kind == "string":
            return ("string", value)
        if kind == "ref":
            return ("ref", value)
        if kind == "dot":
            return ("dot",)
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name":
            if value not in _FUNCTIONS:
                raise ExpressionError(f"unsupported function or name {value!r}")
            self.expect("(")
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.binary(0))
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.binary(0))
            self.expect(")")
            low, high = _FUNCTIONS[value]
            if not low <= len(args) <= high:
                raise ExpressionError(f"{value}() takes {low}–{high} arguments, not {len(args)}")
            return ("call", value, tuple(args))
        if kind is None:
            raise ExpressionError("the expression ends too early")
        raise ExpressionError(f"unexpected {value!r}")


@lru_cache(maxsize=4096)
def parse(text):
    """Parse an expression; raises ExpressionError with a readable reason."""
    return _Parser(_tokenize(text)).parse()


def _nodes(node):
    yield node
    kind = node[0]
    children = node[2:] if kind == "op" else node[1:] if kind == "neg" else ()
    if kind == "call":
        children = node[2]
    for child in children:
        yield from _nodes(child)


def references(text):
    """The question names an expression refers to with ${name}."""
    return {node[1] for node in _nodes(parse(text)) if node[0] == "ref"}


# XPath 1.0's Number: Python's float() also takes "1e5", "inf", "nan" and "1_000",
# which XPath (and ODK's JavaRosa) turn into NaN.
_XPATH_NUMBER = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")


def _number(value):
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _XPATH_NUMBER.fullmatch(value):
        return float(value)
    return math.nan


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def _string(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _compare(operator, left, right):
    if operator in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            left, right = _boolean(left), _boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            left, right = _number(left), _number(right)
        equal = left == right
        return equal if operator == "=" else not equal
    left, right = _number(left), _number(right)
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[operator]


def _call(name, args, current):
    if name == "not":
        return not _boolean(args[0])
    if name == "selected":
        return _string(args[1]) in _string(args[0]).split()
    if name == "count-selected":
        return float(len(_string(args[0]).split()))
    if name == "string-length":
        return float(len(_string(args[0] if args else current or "")))
    return name == "true"


def _arithmetic(operator, left, right):
    left, right = _number(left), _number(right)
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if right == 0:
        return math.nan
    return left / right if operator == "div" else math.fmod(left, right)


def _value(node, answers, current):
    kind = node[0]
    if kind in ("number", "string"):
        return node[1]
    if kind == "ref":
        return answers.get(node[1]) or ""
    if kind == "dot":
        return current or ""
    if kind == "neg":
        return -_number(_value(node[1], answers, current))
    if kind == "call":
        return _call(node[1], [_value(arg, answers, current) for arg in node[2]], current)
    operator, left_node, right_node = node[1], node[2], node[3]
    # "or" and "and" evaluate their right side only when it decides the result.
    if operator == "or":
        return _boolean(_value(left_node, answers, current)) or _boolean(
            _value(right_node, answers, current)
        )
    if operator == "and":
        return _boolean(_value(left_node, answers, current)) and _boolean(
            _value(right_node, answers, current)
        )
    left, right = _value(left_node, answers, current), _value(right_node, answers, current)
    if operator in ("+", "-", "*", "div", "mod"):
        return _arithmetic(operator, left, right)
    return _compare(operator, left, right)


def evaluate(text, answers, current=None):
    """True if the expression holds for these answers (code → stored text).

    `current` is the value of the question being checked, for ``.`` in
    constraints. An empty expression holds.
    """
    if not text or not text.strip():
        return True
    return _boolean(_value(parse(text), answers, current))
