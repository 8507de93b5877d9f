"""`manage.py tna_compare` against hand-computed values: a competency in only
one round, a respondent in only one, the crosswalk, small cells."""

import io
import json
import math

import pytest
from django.core.management import CommandError, call_command
from scipy import stats

BEFORE = """respondent,competency,importance,capability,region
r1,OLD-A,5,3,Africa
r2,OLD-A,4,1,Africa
r3,OLD-A,5,4,Africa
r1,B,4,2,Africa
"""
AFTER = """respondent,competency,importance,capability,region
r1,A,5,4,Africa
r2,A,4,3,Africa
r4,A,5,5,Africa
"""
CROSSWALK = "old_code,new_code\nOLD-A,A\n"


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in (("before", BEFORE), ("after", AFTER), ("crosswalk", CROSSWALK)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def run(files, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "tna_compare", "--before", str(files["before"]), "--after", str(files["after"]),
        "--crosswalk", str(files["crosswalk"]), *extra, stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def rows(files, *extra):
    out, _ = run(files, "--format", "json", *extra)
    return {row["competency"]: row for row in json.loads(out)}


def test_the_change_and_its_welch_interval_match_the_hand_computed_values(files):
    a = rows(files, "--min-n", "2")["A"]

    # Before: gaps 2, 3, 1 (mean 2, variance 1); after: 1, 1, 0 (mean 2/3, variance 1/3).
    assert (a["n_before"], a["n_after"]) == (3, 3)
    assert a["gap_before"] == pytest.approx(2.0)
    assert a["gap_after"] == pytest.approx(2 / 3)
    assert a["change"] == pytest.approx(-4 / 3)
    # Welch: se = sqrt(1/3 + 1/9) = 2/3, df = (4/9)^2 / ((1/3)^2/2 + (1/9)^2/2) = 3.2.
    half = stats.t.ppf(0.975, 3.2) * 2 / 3
    assert a["change_ci_low"] == pytest.approx(-4 / 3 - half)
    assert a["change_ci_high"] == pytest.approx(-4 / 3 + half)


def test_the_paired_change_counts_only_respondents_in_both_rounds(files):
    a = rows(files, "--min-n", "2")["A"]

    # r1: 1 − 2 = −1, r2: 1 − 3 = −2; r3 answered only before, r4 only after.
    assert a["n_paired"] == 2
    assert a["paired_change"] == pytest.approx(-1.5)
    half = stats.t.ppf(0.975, 1) * math.sqrt(0.5) / math.sqrt(2)
    assert a["paired_ci_low"] == pytest.approx(-1.5 - half)
    assert a["paired_ci_high"] == pytest.approx(-1.5 + half)


def test_a_competency_in_only_one_round_shows_its_counts_only(files):
    b = rows(files, "--min-n", "2")["B"]

    assert (b["n_before"], b["n_after"], b["n_paired"]) == (1, 0, 0)
    for column in ("gap_before", "gap_after", "change", "paired_change"):
        assert b[column] is None


def test_rows_below_min_n_show_counts_and_the_paired_columns_empty(files):
    a = rows(files, "--min-n", "3")["A"]

    assert a["change"] == pytest.approx(-4 / 3)  # 3 and 3 respondents: shown
    assert a["n_paired"] == 2 and a["paired_change"] is None  # 2 paired: below 3


def test_the_columns_come_in_the_documented_order_after_the_group(files):
    out, _ = run(files, "--format", "csv", "--min-n", "2", "--by", "region")

    header = out.splitlines()[0].split(",")
    assert header == [
        "region", "competency", "n_before", "n_after", "gap_before", "gap_after", "change",
        "change_ci_low", "change_ci_high", "n_paired", "paired_change", "paired_ci_low",
        "paired_ci_high",
    ]  # fmt: skip


def test_without_the_crosswalk_the_renamed_competency_is_two_rows(files):
    stdout = io.StringIO()
    call_command(
        "tna_compare", "--before", str(files["before"]), "--after", str(files["after"]),
        "--format", "json", "--min-n", "1", stdout=stdout, stderr=io.StringIO(),
    )  # fmt: skip

    codes = [row["competency"] for row in json.loads(stdout.getvalue())]
    assert codes == ["A", "B", "OLD-A"]


def test_a_bad_file_is_refused_naming_the_row_and_column(files, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,competency,importance,capability\nr1,A,7,2\n", encoding="utf-8")

    with pytest.raises(CommandError, match="row 2"):
        call_command(
            "tna_compare", "--before", str(bad), "--after", str(files["after"]),
            stdout=io.StringIO(),
        )  # fmt: skip


def test_the_table_format_prints_a_readable_table(files):
    out, _ = run(files, "--min-n", "2")

    lines = out.splitlines()
    assert lines[0].split()[:3] == ["competency", "n_before", "n_after"]
    a = next(line for line in lines if line.startswith("A "))
    assert a.split()[:6] == ["A", "3", "3", "2.00", "0.67", "-1.33"]
