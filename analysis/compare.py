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
    n1, n2 = len(before), len(after)
    if n1 < 2 or n2 < 2:
        return None, None
    change = float(np.mean(after) - np.mean(before))
    v1, v2 = np.var(before, ddof=1) / n1, np.var(after, ddof=1) / n2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return change, change
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = stats.t.ppf(0.975, df) * se
    return change - half, change + half


def paired_interval(differences):
    """(mean, low, high) of paired differences by Student's t; the interval
    is (None, None) below 2 differences."""
    n = len(differences)
    if n == 0:
        return None, None, None
    mean = float(np.mean(differences))
    if n < 2:
        return mean, None, None
    half = stats.t.ppf(0.975, n - 1) * np.std(differences, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def _gaps(pairs, keys):
    frame = pairs[[*keys, "respondent", "importance", "capability"]].copy()
    frame["gap"] = frame["importance"] - frame["capability"]
    frame["respondent"] = frame["respondent"].astype(str)
    return frame


def _by_group(frame, keys):
    return {
        tuple(str(value) for value in (key if isinstance(key, tuple) else (key,))): rows
        for key, rows in frame.groupby(keys, sort=False)
    }


def compare_rounds(before, after, *, by=None, min_n=5):
    """The comparison table: one row per competency (per group of `by`)
    present in either round, COMPARE_COLUMNS (after the group column)."""
    keys = [*([by] if by else []), "competency"]
    first, second = _by_group(_gaps(before, keys), keys), _by_group(_gaps(after, keys), keys)
    empty = _gaps(before.iloc[:0], keys)
    rows = []
    for group in sorted(set(first) | set(second)):
        here = dict(zip(keys, group, strict=True))
        rows.append({**here, **_row(first.get(group, empty), second.get(group, empty), min_n)})
    columns = ([by] if by else []) + COMPARE_COLUMNS
    return pd.DataFrame(rows, columns=columns)


def _row(a, b, min_n):
    n_before, n_after = len(a), len(b)
    paired = a.merge(b, on="respondent", suffixes=("_before", "_after"))
    differences = (paired["gap_after"] - paired["gap_before"]).to_numpy(dtype=float)
    row = {"n_before": n_before, "n_after": n_after, "n_paired": len(paired)}
    if n_before >= min_n and n_after >= min_n:
        gap_before, gap_after = float(a["gap"].mean()), float(b["gap"].mean())
        low, high = welch_interval(a["gap"].to_numpy(float), b["gap"].to_numpy(float))
        row.update(
            gap_before=gap_before, gap_after=gap_after, change=gap_after - gap_before,
            change_ci_low=low, change_ci_high=high,
        )  # fmt: skip
    else:
        row.update(dict.fromkeys(ROUND_COLUMNS))
    if len(paired) >= min_n:
        mean, low, high = paired_interval(differences)
        row.update(paired_change=mean, paired_ci_low=low, paired_ci_high=high)
    else:
        row.update(dict.fromkeys(PAIRED_COLUMNS))
    return row
