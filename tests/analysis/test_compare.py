"""compare_rounds summarises every group at once; each of its rows must
still be what the definitions give for that group alone (analysis.compare's
docstring): Welch's interval on the two rounds' gaps, Student's on the
differences of the respondents present in both."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import compare


def _pairs(rng, rows):
    frame = pd.DataFrame(
        {
            "respondent": rng.integers(0, 30, rows).astype(str),
            "competency": rng.choice(["DF-01", "DF-02", "MLA-01"], rows),
            "region": rng.choice(["Africa", "Europe", None], rows),
            "importance": rng.integers(1, 6, rows).astype(float),
            "capability": rng.integers(1, 6, rows).astype(float),
        }
    )
    return frame.drop_duplicates(["respondent", "competency"])


def _expected(before, after, keys, group, min_n):
    def rows(frame):
        matches = [frame[key] == value for key, value in zip(keys, group, strict=True)]
        mask = np.logical_and.reduce(matches)
        return frame[mask].assign(gap=lambda f: f["importance"] - f["capability"])

    a, b = rows(before), rows(after)
    paired = a.merge(b, on="respondent", suffixes=("_before", "_after"))
    differences = paired["gap_after"] - paired["gap_before"]
    row = {"n_before": len(a), "n_after": len(b), "n_paired": len(paired)}
    if len(a) >= min_n and len(b) >= min_n:
        row["change"] = b["gap"].mean() - a["gap"].mean()
        row["change_ci_low"], row["change_ci_high"] = compare.welch_interval(a["gap"], b["gap"])
    if len(paired) >= min_n:
        row["paired_change"], row["paired_ci_low"], row["paired_ci_high"] = compare.paired_interval(
            differences
        )
    return row


def _same(expected, actual):
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("by", [None, "region"])
@pytest.mark.parametrize("min_n", [1, 2, 5])
def test_every_row_is_what_its_group_alone_gives(by, min_n):
    rng = np.random.default_rng(7)
    keys = [*([by] if by else []), "competency"]
    for _ in range(10):
        before, after = _pairs(rng, rng.integers(0, 90)), _pairs(rng, rng.integers(0, 90))
        table = compare.compare_rounds(before, after, by=by, min_n=min_n)
        groups = {
            tuple(row)
            for frame in (before, after)
            for row in frame[keys].dropna().itertuples(index=False)
        }
        assert [tuple(row) for row in table[keys].itertuples(index=False)] == sorted(groups)
        for record in table.to_dict("records"):
            expected = _expected(before, after, keys, tuple(record[key] for key in keys), min_n)
            for column in ["n_before", "n_after", "n_paired", *compare.ROUND_COLUMNS[2:],
                           *compare.PAIRED_COLUMNS]:  # fmt: skip
                assert _same(expected.get(column), record[column]), (column, record, expected)


def test_a_group_without_spread_has_an_interval_of_no_width():
    before = pd.DataFrame(
        {"respondent": ["a", "b", "c"], "competency": "DF-01", "importance": 5.0,
         "capability": 2.0}
    )  # fmt: skip
    after = before.assign(capability=3.0)
    row = compare.compare_rounds(before, after, min_n=2).iloc[0]
    assert (row["change"], row["change_ci_low"], row["change_ci_high"]) == (-1.0, -1.0, -1.0)
    assert (row["paired_change"], row["paired_ci_low"], row["paired_ci_high"]) == (-1.0,) * 3
