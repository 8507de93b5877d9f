"""surveys/questionnaires/expressions.py: XLSForm relevant and constraint expressions."""

import pytest

from surveys.questionnaires.expressions import ExpressionError, evaluate, parse, references


def test_an_empty_expression_holds():
    assert evaluate("", {}) is True
    assert evaluate("   ", {}) is True


def test_a_number_compares_with_stored_text_as_a_number():
    # Answers are stored as text; XPath 1.0 compares as numbers when one side is a number.
    assert evaluate("${rating} >= 3", {"rating": "4"}) is True
    assert evaluate("${rating} >= 3", {"rating": "2"}) is False
    assert evaluate("${rating} = 3", {"rating": "3.0"}) is True
    assert evaluate("${rating} > 9", {"rating": "10"}) is True


def test_two_strings_compare_as_text_for_equality():
    assert evaluate("${rating} = '3'", {"rating": "3.0"}) is False
    assert evaluate("${role} = 'other'", {"role": "other"}) is True
    assert evaluate("${role} != 'other'", {"role": "police"}) is True


def test_two_strings_are_ordered_as_numbers():
    # XPath 1.0 has no string ordering: '10' > '9' compares 10 with 9.
    assert evaluate("'10' > '9'", {}) is True
    assert evaluate("'abc' < 'abd'", {}) is False


def test_text_that_is_not_an_xpath_number_is_nan():
    # XPath (and ODK) read only digits, one point and a leading minus as a number.
    for text in ("1e9", "inf", "nan", "1_000", "Infinity", "0x10"):
        assert evaluate("${count} > 5", {"count": text}) is False, text
        assert evaluate("${count} <= 5", {"count": text}) is False, text
    assert evaluate("${count} = -2.5", {"count": " -2.5 "}) is True


def test_a_boolean_compares_with_a_number_as_a_boolean():
    assert evaluate("1 = true()", {}) is True
    assert evaluate("0 = false()", {}) is True
    assert evaluate("${answered} = true()", {"answered": "no"}) is True


def test_an_unanswered_reference_is_an_empty_string():
    assert evaluate("${role} = ''", {}) is True
    assert evaluate("${role} = ''", {"role": None}) is True
    assert evaluate("${rating} >= 3", {}) is False
    assert evaluate("${rating} != 3", {}) is True
    assert evaluate("not(${role})", {}) is True


def test_not_inverts_truth():
    assert evaluate("not(${agrees} = 'yes')", {"agrees": "no"}) is True
    assert evaluate("not(true())", {}) is False
    # A non-empty string is true, even "0".
    assert evaluate("not(${rating})", {"rating": "0"}) is False


def test_selected_finds_one_choice_among_several():
    answers = {"languages": "en fr ar"}
    assert evaluate("selected(${languages}, 'fr')", answers) is True
    assert evaluate("selected(${languages}, 'es')", answers) is False
    assert evaluate("selected(${languages}, 'e')", answers) is False
    assert evaluate("selected(${languages}, 'en')", {}) is False


def test_count_selected_counts_the_choices():
    assert evaluate("count-selected(${languages}) = 3", {"languages": "en fr ar"}) is True
    assert evaluate("count-selected(${languages}) = 0", {}) is True
    assert evaluate("count-selected(.) <= 2", {}, current="en fr") is True


def test_string_length_measures_text():
    assert evaluate("string-length(${name}) = 5", {"name": "Nairo"}) is True
    assert evaluate("string-length(${name}) = 0", {}) is True
    assert evaluate("string-length() > 3", {}, current="abcd") is True


def test_and_binds_tighter_than_or():
    assert evaluate("true() or false() and false()", {}) is True
    assert evaluate("(true() or false()) and false()", {}) is False
    assert evaluate("false() and false() or true()", {}) is True


def test_arithmetic_follows_precedence():
    assert evaluate("1 + 2 * 3 = 7", {}) is True
    assert evaluate("(1 + 2) * 3 = 9", {}) is True
    assert evaluate("7 div 2 = 3.5 and 7 mod 3 = 1", {}) is True
    assert evaluate("-${a} = -2", {"a": "2"}) is True
    assert evaluate("${a} - 1 = 1", {"a": "2"}) is True


def test_dividing_by_zero_is_not_a_number():
    assert evaluate("1 div 0 = 1 div 0", {}) is False


def test_a_dot_is_the_value_being_checked():
    constraint = ". >= 0 and . <= 100000"
    assert evaluate(constraint, {}, current="12") is True
    assert evaluate(constraint, {}, current="-1") is False
    assert evaluate(constraint, {}, current="100001") is False
    assert evaluate(". = ''", {}) is True


def test_hyphenated_and_dotted_names_are_references():
    assert evaluate("${SR-R01} = 'yes'", {"SR-R01": "yes"}) is True
    assert evaluate("${SR-R01} - 1 = 4", {"SR-R01": "5"}) is True
    assert evaluate("${profile.role} = 'judge'", {"profile.role": "judge"}) is True


def test_references_lists_the_names_an_expression_uses():
    text = "${a} = 1 and selected(${SR-R01}, 'x') or not(${b.c}) and string-length(.) > 0"
    assert references(text) == {"a", "SR-R01", "b.c"}
    assert references("(${a} + -${b}) * 2 > 0") == {"a", "b"}
    assert references(". >= 0") == set()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the expression is empty"),
        ("${a} =", "the expression ends too early"),
        ("${a} == 1", "unexpected '='"),
        ("1)", "unexpected ')'"),
        ("(1 + 2", "expected ')' but the expression ends"),
        ("not(${a} 'x')", "expected ')', found 'x'"),
        ("regex(., '[0-9]+')", "unsupported function or name 'regex'"),
        ("position", "unsupported function or name 'position'"),
        ("${a} = 'open", 'cannot read "\'open"'),
        ("/data/a = 1", "cannot read '/data/a = 1'"),
        ("not()", "not() takes 1–1 arguments, not 0"),
        ("selected(${a})", "selected() takes 2–2 arguments, not 1"),
    ],
)
def test_it_explains_why_an_expression_cannot_be_read(text, message):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_evaluating_an_unreadable_expression_raises():
    with pytest.raises(ExpressionError):
        evaluate("${a} = = 1", {"a": "1"})
