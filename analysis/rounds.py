"""Comparing two campaigns (rounds) on the competencies they share: read
here, computed by analysis.compare. The earlier round (by opening date) is
"before". An agency is the respondent, so the paired change follows the
same agencies from one round to the next.

Trained versus not: for a catalogue course, among the agencies that answered
both rounds, those the training registry shows trained on it between the
rounds (delivered after the first round opened and before the second
closed) against the others: the mean change of their gaps on the course's
competencies, and the difference of those changes with Welch's 95%
interval. Groups below the minimum cell size show counts only.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import compare, gaps, results
from surveys.models import TrainingEvent

BY = ("region", "country", "agency_kind")
TRAINED_COLUMNS = [
    "course", "n_trained", "n_untrained", "change_trained", "change_untrained", "difference",
    "ci_low", "ci_high",
]  # fmt: skip


@dataclass
class Comparison:
    before: object
    after: object
    table: pd.DataFrame
    trained: pd.DataFrame
    by: str | None
    min_n: int


def _pairs(campaign, exact, forced_country, by):
    frame = results.Frames(campaign, results.Filters(country=forced_country or ""), exact)()
    pairs = gaps.rating_pairs(frame, by=by)
    agencies = frame.drop_duplicates("response").set_index("response")["agency"]
    pairs["respondent"] = pairs["response"].map(agencies).astype(str)
    pairs["competency"] = pairs["competency"].astype(str)
    if by:
        pairs[by] = pairs[by].astype(str)
    return pairs


def compare_campaigns(campaign, other, access, by=None):
    """The Comparison of two campaigns for a reader with `access`."""
    if by not in (None, *BY):
        raise ValueError(f"cannot compare by {by!r}")
    before, after = sorted((campaign, other), key=lambda c: (c.opens_on, c.pk))
    exact, country = access.sees_exact_results, access.forced_country
    first = _pairs(before, exact, country, by)
    second = _pairs(after, exact, country, by)
    # unique() first: iterating a million arrow strings in Python takes seconds.
    shared = set(first["competency"].unique()) & set(second["competency"].unique())
    first, second = (
        first[first["competency"].isin(shared)],
        second[second["competency"].isin(shared)],
    )
    min_n = results.min_cell_size()
    table = compare.compare_rounds(first, second, by=by, min_n=min_n)
    trained = trained_versus_not(first, second, _trained(before, after), min_n=min_n)
    return Comparison(before, after, table, trained, by, min_n)


def _trained(before, after):
    """{course code: (competencies, {agency ids trained between the rounds})}."""
    events = (
        TrainingEvent.objects.filter(
            status=TrainingEvent.Status.DELIVERED,
            course__isnull=False,
            start_date__gte=before.opens_on,
            end_date__lte=after.closes_on,
        )
        .prefetch_related("agencies")
        .select_related("course")
    )
    courses = {}
    for event in events:
        competencies, agencies = courses.setdefault(
            event.course.code, (list(event.course.competencies), set())
        )
        agencies.update(str(agency.pk) for agency in event.agencies.all())
    return courses


def trained_versus_not(first, second, courses, *, min_n):
    """TRAINED_COLUMNS per course: the mean per-agency change (after − before)
    of the gap on the course's competencies, for agencies trained and not."""
    rows = []
    for code, (competencies, trained) in sorted(courses.items()):
        a = first[first["competency"].isin(competencies)]
        b = second[second["competency"].isin(competencies)]
        change = _agency_change(a, b)
        in_trained = change.index.isin(list(trained))
        yes, no = change[in_trained].to_numpy(float), change[~in_trained].to_numpy(float)
        row = {"course": code, "n_trained": len(yes), "n_untrained": len(no)}
        if len(yes) >= min_n and len(no) >= min_n:
            low, high = compare.welch_interval(no, yes)
            row.update(
                change_trained=float(np.mean(yes)), change_untrained=float(np.mean(no)),
                difference=float(np.mean(yes) - np.mean(no)), ci_low=low, ci_high=high,
            )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows, columns=TRAINED_COLUMNS)


def _agency_change(first, second):
    """Per agency present in both: mean gap after − mean gap before, over
    the competencies rated in both rounds."""

    def gaps_of(pairs):
        return (
            (pairs["importance"] - pairs["capability"])
            .groupby([pairs["respondent"], pairs["competency"]])
            .mean()
        )

    both = pd.concat([gaps_of(first), gaps_of(second)], axis=1, keys=["before", "after"]).dropna()
    return (both["after"] - both["before"]).groupby(level=0).mean()
