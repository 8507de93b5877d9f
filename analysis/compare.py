"""Comparing two rounds: did the gaps close? Pure functions of rating pairs
(one row per respondent and competency rated both ways: respondent,
competency, importance, capability, and an optional grouping column), as
analysis.ratings_file reads them or analysis.gaps.rating_pairs makes them.

Per competency (and group), with gap = importance − capability per
respondent:

- change = gap_after − gap_before, the difference of the two rounds' mean
  gaps, with a 95% interval from Welch's t on the two rounds' per-respondent
  gaps (none when either round has fewer than 2);
- paired_change: over the respondents present in both rounds with both
  ratings in both, the mean of their own differences (after − before), with
  a 95% interval from Student's t (none below 2).

Small cells: a row whose n_before or n_after is below `min_n` keeps its
counts only; the paired columns are empty when n_paired is below it.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

COMPARE_COLUMNS = [
    "competency", "n_before", "n_after", "gap_before", "gap_after", "change", "change_ci_low",
    "change_ci_high", "n_paired", "paired_change", "paired_ci_low", "paired_ci_high",
]  # fmt: skip
ROUND_COLUMNS = ["gap_before", "gap_after", "change", "change_ci_low", "change_ci_high"]
PAIRED_COLUMNS = ["paired_change", "paired_ci_low", "paired_ci_high"]


def apply_crosswalk(pairs, crosswalk):
    """`pairs` with old competency codes renamed by {old_code: new_code}."""
    if not crosswalk:
        return pairs
    renamed = pairs.copy()
    renamed["competency"] = renamed["competency"].map(lambda code: crosswalk.get(code, code))
    return renamed


def welch_interval(before, after):
    """(low, high) of the 95% interval of mean(after) − mean(before) by
    Welch's t, or (None, None) when a round has fewer than 2 values."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if len(before) < 2 or len(after) < 2:
        return None, None
    return _welch(
        (len(before), np.mean(before), np.var(before, ddof=1)),
        (len(after), np.mean(after), np.var(after, ddof=1)),
    )


def _welch(before, after):
    """Welch's interval from each round's (n, mean, variance)."""
    (n1, mean1, var1), (n2, mean2, var2) = before, after
    if n1 < 2 or n2 < 2:
        return None, None
    change = float(mean2 - mean1)
    v1, v2 = var1 / n1, var2 / n2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return change, change
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = stats.t.ppf(0.975, df) * se
    return change - half, change + half


def paired_interval(differences):
    """(mean, low, high) of paired differences by Student's t; the interval
    is (None, None) below 2 differences."""
    differences = np.asarray(differences, dtype=float)
    n = len(differences)
    sd = np.std(differences, ddof=1) if n > 1 else None
    return _student(n, np.mean(differences) if n else None, sd)


def _student(n, mean, sd):
    """paired_interval from the differences' n, mean and standard deviation."""
    if n == 0:
        return None, None, None
    mean = float(mean)
    if n < 2:
        return mean, None, None
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def _gaps(pairs, keys):
    """The gap per row, with the group keys and respondents as text (rows
    without a group key are left out, as groupby leaves them out)."""
    frame = pairs[[*keys, "respondent", "importance", "capability"]].dropna(subset=keys)
    return pd.DataFrame(
        {
            **{name: frame[name].astype(str) for name in [*keys, "respondent"]},
            "gap": frame["importance"] - frame["capability"],
        }
    )


def _summary(frame, keys, column):
    """{tuple of the keys: (n, mean, variance with ddof 1)} of `column` per group."""
    table = frame.groupby(keys, sort=False)[column].agg(["size", "mean", "var"])
    return {
        key if isinstance(key, tuple) else (key,): (int(size), mean, var)
        for key, size, mean, var in zip(
            table.index, table["size"], table["mean"], table["var"], strict=True
        )
    }


def compare_rounds(before, after, *, by=None, min_n=5):
    """The comparison table: one row per competency (per group of `by`)
    present in either round, COMPARE_COLUMNS (after the group column).

    Each round's gaps are summarised per group at once, and the paired
    differences come from one merge of the two rounds on group and
    respondent, not one per group: five rounds of a million answers compare
    in seconds."""
    keys = [*([by] if by else []), "competency"]
    first, second = _gaps(before, keys), _gaps(after, keys)
    paired = first.merge(second, on=[*keys, "respondent"], suffixes=("_before", "_after"))
    paired["difference"] = paired["gap_after"] - paired["gap_before"]
    summaries = (
        _summary(first, keys, "gap"),
        _summary(second, keys, "gap"),
        _summary(paired, keys, "difference"),
    )
    rows = []
    nothing = (0, np.nan, np.nan)
    for group in sorted(set(summaries[0]) | set(summaries[1])):
        statistics = (summary.get(group, nothing) for summary in summaries)
        rows.append({**dict(zip(keys, group, strict=True)), **_row(*statistics, min_n)})
    columns = ([by] if by else []) + COMPARE_COLUMNS
    return pd.DataFrame(rows, columns=columns)


def _row(before, after, paired, min_n):
    (n_before, gap_before, _), (n_after, gap_after, _) = before, after
    n_paired, mean, var = paired
    row = {"n_before": n_before, "n_after": n_after, "n_paired": n_paired}
    if n_before >= min_n and n_after >= min_n:
        low, high = _welch(before, after)
        row.update(
            gap_before=float(gap_before), gap_after=float(gap_after),
            change=float(gap_after) - float(gap_before), change_ci_low=low, change_ci_high=high,
        )  # fmt: skip
    else:
        row.update(dict.fromkeys(ROUND_COLUMNS))
    if n_paired >= min_n:
        mean, low, high = _student(n_paired, mean, math.sqrt(var) if n_paired > 1 else None)
        row.update(paired_change=mean, paired_ci_low=low, paired_ci_high=high)
    else:
        row.update(dict.fromkeys(PAIRED_COLUMNS))
    return row
