"""Training-need metrics from importance and capability ratings.

Pure functions on DataFrames: they know nothing of the database or HTTP.
Everything is computed at full precision; rounding is for display only.

For competency k over the respondents i who rated both importance I and
current capability C (DESIGN.md, "Analysis"):

- importance_mean Ī_k, capability_mean C̄_k;
- gap_mean: the mean of the paired differences I_ik − C_ik, with a 95%
  interval from Student's t on those differences (none when n = 1);
- mwds: Borich's mean weighted discrepancy score, the mean of
  (I_ik − C_ik) × Ī_k, which equals Ī_k × gap_mean (Borich 1980, "A needs
  assessment model for conducting follow-up studies", J. Teacher Education
  31(3)); ranked highest first, ties sharing the lowest rank;
- priority: the headline label, from the MWDS rank alone so that it never
  contradicts the ranking (PRIORITY_CONVENTION): "High" for the top
  HIGH_RANKS, "Medium" for the next, "Lower" after, "No gap" where
  capability is not below importance (MWDS ≤ 0). The importance–performance
  analysis of Martilla & James (1977, J. Marketing 41(1)) is a chart only
  (analysis.charts.quadrant_plot, QUADRANT_CONVENTION).

Small cells: a row whose n is below `min_n` keeps its n and nothing else,
and takes no part in ranks or cross-hairs. In a table by group, if the
groups hidden for an item hold fewer than `min_n` respondents between them,
the smallest shown groups are hidden too (secondary suppression): otherwise
the ungrouped result minus the shown groups would reveal the hidden ones.
"""

import math

import numpy as np
import pandas as pd
from django.utils.translation import gettext, gettext_noop
from scipy import stats

DEFAULT_MIN_N = 5
GROUPINGS = ("region", "country", "agency_kind", "role", "campaign")
RATED = ("importance", "capability")

# The priority labels are kept in English here (the command line prints them)
# and translated when a table is computed (_priorities).
# Translators: the training priority of a competency, from its MWDS rank.
HIGH = gettext_noop("High")
# Translators: the training priority of a competency, from its MWDS rank.
MEDIUM = gettext_noop("Medium")
# Translators: the training priority of a competency, from its MWDS rank.
LOWER = gettext_noop("Lower")
# Translators: the priority of a competency whose capability is not below its importance.
NO_GAP = gettext_noop("No gap")
HIGH_RANKS, MEDIUM_RANKS = 10, 25
_RANKS = {"high": HIGH_RANKS, "next": HIGH_RANKS + 1, "medium": MEDIUM_RANKS}
# Translators: %(high)s, %(next)s and %(medium)s are ranks (10, 11, 25). High,
# Medium, Lower and No gap are the priority labels: translate them alike.
_PRIORITY_CONVENTION = gettext_noop(
    "Priority follows the MWDS rank: High for ranks 1–%(high)s, Medium for "
    "%(next)s–%(medium)s, Lower after; No gap where capability is not below importance."
)
PRIORITY_CONVENTION = _PRIORITY_CONVENTION % _RANKS  # English: the command line's
SCALE_MIDPOINT = 3.0
QUADRANT_CONVENTION = gettext_noop(
    "Importance–performance chart (Martilla & James 1977): capability on the x axis, "
    "importance on the y axis, cross-hairs at the scale's midpoint (3). Points above the "
    "diagonal, where importance equals capability, have a gap; the further above, the larger "
    "the gap (the iso-priority line of Abalo et al. 2007). The competencies ranked 1–10 by "
    "MWDS are numbered by rank."
)


def priority_convention():
    """PRIORITY_CONVENTION in the active language."""
    return gettext(_PRIORITY_CONVENTION) % _RANKS


def quadrant_convention():
    """QUADRANT_CONVENTION in the active language."""
    return gettext(QUADRANT_CONVENTION)


STATISTIC_COLUMNS = [
    "importance_mean",
    "capability_mean",
    "gap_mean",
    "gap_ci_low",
    "gap_ci_high",
    "mwds",
]
GAP_COLUMNS = ["n", *STATISTIC_COLUMNS, "rank", "priority"]


def rating_pairs(frame, by=None):
    """One row per respondent and competency that has both ratings.

    From the long answers frame (analysis.selectors.answers_frame) to columns
    response, competency, domain, importance, capability (and `by`: one
    grouping column or a list of them, so that one set of pairs can serve
    several tables).
    """
    groups = [by] if isinstance(by, str) else list(by or [])
    keys = ["response", "competency", "domain", *groups]
    ratings = {}
    for dimension in RATED:
        rows = frame["dimension"] == dimension
        columns = keys if dimension == "importance" else ["response", "competency"]
        ratings[dimension] = frame.loc[rows, [*columns, "number"]].rename(
            columns={"number": dimension}
        )
    pairs = ratings["importance"].merge(ratings["capability"], on=["response", "competency"])
    return pairs.dropna(subset=list(RATED)).reset_index(drop=True)


def gap_statistics(pairs, item, by=None, min_n=DEFAULT_MIN_N, hide=None):
    """The gap table of `pairs` (columns: item, importance, capability, and `by`).

    One row per item (per group when `by` is given), sorted by group, rank
    (suppressed rows last) and item code. Columns: [by], item, GAP_COLUMNS,
    suppressed. `hide(table)` may mark more rows to suppress (disclosure
    control across views, analysis.disclosure) before ranks are given.
    """
    keys = ([by] if by else []) + [item]
    data = pairs[keys + list(RATED)].copy()
    data["gap"] = data["importance"] - data["capability"]
    grouped = data.groupby(keys, observed=True, sort=True)
    # The three means in one pass: named aggregations (agg) would take a
    # pass per column, for the same numbers in twice the time.
    table = grouped[[*RATED, "gap"]].mean()
    table.columns = ["importance_mean", "capability_mean", "gap_mean"]
    table.insert(0, "n", grouped.size().astype(int))
    table["gap_sd"] = grouped["gap"].std()
    table = table.reset_index()
    table["mwds"] = table["importance_mean"] * table["gap_mean"]
    critical = stats.t.ppf(0.975, np.maximum(table["n"] - 1, 1))
    half_width = critical * table["gap_sd"] / np.sqrt(table["n"])
    half_width = half_width.where(table["n"] > 1)
    table["gap_ci_low"] = table["gap_mean"] - half_width
    table["gap_ci_high"] = table["gap_mean"] + half_width
    table = table.drop(columns="gap_sd")

    table["suppressed"] = suppression(table, by, item, min_n)
    if hide is not None:
        table["suppressed"] |= hide(table)
    table.loc[table["suppressed"], STATISTIC_COLUMNS] = np.nan
    table["rank"] = _ranks(table, by)
    table["priority"] = _priorities(table)
    table["_order"] = table["rank"].to_numpy(dtype=float, na_value=math.inf)
    table = table.sort_values(keys[:-1] + ["_order", item], kind="stable")
    return table[keys + GAP_COLUMNS + ["suppressed"]].reset_index(drop=True)


def suppression(table, by, item, min_n):
    """Which rows to hide: n below min_n, and in a table by group, enough of
    the smallest other groups that the hidden ones of each item together
    hold at least min_n respondents (or are all hidden)."""
    hidden = table["n"] < min_n
    if not by:
        return hidden
    hidden = hidden.copy()
    # Only the items with a row hidden already can need more hidden.
    concerned = table[table[item].isin(table.loc[hidden, item].unique())]
    for _, rows in concerned.groupby(item, observed=True, sort=False):
        primary = rows.index[hidden[rows.index]]
        if primary.empty:
            continue
        total = rows.loc[primary, "n"].sum()
        shown = rows.loc[~hidden[rows.index]]
        order = shown.assign(_group=shown[by].astype(str)).sort_values(["n", "_group"]).index
        for index in order:
            if total >= min_n:
                break
            hidden[index] = True
            total += rows.at[index, "n"]
    return hidden


def _ranks(table, by):
    """1 = greatest need. Ties share the lowest rank; suppressed rows get none."""
    # Equal scores computed along different float paths may differ in the
    # last bits; compare them at a precision no rating scale can reach.
    score = table["mwds"].round(9)
    if by:
        ranks = score.groupby(table[by], observed=True).rank(method="min", ascending=False)
    else:
        ranks = score.rank(method="min", ascending=False)
    return ranks.astype("Int64")


def _priorities(table):
    """The headline label of each row, from its rank and MWDS only."""
    rank = table["rank"].to_numpy(dtype=float, na_value=np.nan)
    labels = np.select(
        [table["mwds"].round(9) <= 0, rank <= HIGH_RANKS, rank <= MEDIUM_RANKS],
        [gettext(NO_GAP), gettext(HIGH), gettext(MEDIUM)],
        default=gettext(LOWER),
    )
    return pd.Series(labels, index=table.index).where(~table["suppressed"], None)


def competency_gaps(frame, by=None, min_n=DEFAULT_MIN_N, *, pairs=None, hide=None):
    """The gap table per competency (and per group of `by`), with its domain.

    `pairs` (from rating_pairs, with the `by` column) saves pairing the
    frame again when several tables come from the same answers."""
    _check_grouping(by)
    pairs = rating_pairs(frame, by) if pairs is None else pairs
    table = gap_statistics(pairs, "competency", by, min_n, hide)
    domains = pairs.drop_duplicates("competency").set_index("competency")["domain"]
    table.insert(
        table.columns.get_loc("competency") + 1, "domain", table["competency"].map(domains)
    )
    return table


def domain_gaps(frame, by=None, min_n=DEFAULT_MIN_N, *, pairs=None, hide=None, means=None):
    """The gap table per domain: each respondent counts once per domain, with
    the mean of their ratings over the domain's competencies they rated.
    `means` (domain_means with the `by` column) saves averaging again when
    several tables come from the same pairs."""
    _check_grouping(by)
    if means is None:
        pairs = rating_pairs(frame, by) if pairs is None else pairs
        means = domain_means(pairs, by)
    return gap_statistics(means, "domain", by, min_n, hide)


def domain_means(pairs, by=None):
    """Each respondent's mean ratings per domain, with the `by` columns (one
    or a list): a respondent's region or kind of agency is one value, so one
    table of means serves the tables by each of them and the overall one."""
    groups = [by] if isinstance(by, str) else list(by or [])
    keys = ["response", "domain", *groups]
    # dropna=False: a respondent without a region still counts overall.
    grouped = pairs.groupby(keys, observed=True, dropna=False)
    return grouped[list(RATED)].mean().reset_index()


def item_shares(
    frame, dimensions=("legal_power", "resource"), by=None, min_n=DEFAULT_MIN_N, *, hide=None
):
    """Per yes/partly/no item: how many agencies answered, the share of each
    answer, `lacking` (the share of agencies answering no or partly, each
    agency counting once) and `lacking_states` (the mean of each State's own
    share: each State counting once). Numeric items are left out."""
    _check_grouping(by)
    items = share_items(frame, dimensions)
    keys = ([by] if by else []) + ["question", "domain"]
    if items.empty:
        return pd.DataFrame(columns=[*keys, "n", "suppressed", "lacking"])
    # Counted by groupby over the combinations present: crosstab counts the
    # same, twice as slowly, through a pivot table over every category.
    values = items["value"].astype(str)
    counts = items.groupby([*keys, values], observed=True).size().unstack(fill_value=0)
    table = counts.div(counts.sum(axis=1), axis=0).add_prefix("share_")
    table.insert(0, "n", counts.sum(axis=1).astype(int))
    table = table.reset_index()
    table.columns.name = None
    table["suppressed"] = suppression(table, by, "question", min_n)
    if hide is not None:
        table["suppressed"] |= hide(table)
    share_columns = [column for column in table.columns if column.startswith("share_")]
    table.loc[table["suppressed"], share_columns] = np.nan
    # Lacking: answered "no" or "partly" (a power or resource not fully there).
    table["lacking"] = sum(
        table[column] if column in table else 0.0 for column in ("share_no", "share_partly")
    )
    table.loc[table["suppressed"], "lacking"] = np.nan
    table["lacking_states"] = (
        _lacking_by_state(items, by)
        .reindex(
            pd.MultiIndex.from_frame(table[[*([by] if by else []), "question"]])
            if by
            else table["question"]
        )
        .to_numpy()
    )
    table.loc[table["suppressed"], "lacking_states"] = np.nan
    return table


def share_items(frame, dimensions=("legal_power", "resource")):
    """The answers item_shares counts (yes/partly/no, not numbers): passed to
    it instead of the whole frame, they are not picked out again per table."""
    return frame[frame["dimension"].isin(dimensions) & frame["number"].isna()]


def _lacking_by_state(items, by):
    """Per item (and group): the mean over States of each State's share of
    agencies lacking it, so that each State counts once."""
    keys = [*([by] if by else []), "question"]
    lacking = items.assign(_lacking=items["value"].isin(("no", "partly")))
    per_state = lacking.groupby([*keys, "country"], observed=True)["_lacking"].mean()
    return per_state.groupby(level=keys, observed=True).mean()


def filter_frame(frame, **filters):
    """Rows whose grouping columns take the given values (None = any)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in filters.items():
        _check_grouping(column)
        if not value:
            continue
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            # Compare the categories once, then the codes: no string per row.
            wanted = np.flatnonzero(values.cat.categories.astype(str) == str(value))
            mask &= np.isin(values.cat.codes.to_numpy(), wanted)
        else:
            mask &= values.astype(str) == str(value)
    return frame[mask]


def _check_grouping(by):
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; use one of {', '.join(GROUPINGS)}")
