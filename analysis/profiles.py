"""A State's profile beside its region and the world: pure functions of the
answers frame (analysis.selectors.answers_frame).

In every comparison of States, regions and the world, **States count
equally**: a State's figure is the mean over its responding agencies; a
region's (or the world's) is the mean of its States' figures, so a State
with nine agencies does not outweigh one with two. The ranking of the
State's own needs is the agency-level MWDS, unweighted (analysis.gaps).

`own` readers (coordinators, and the State's own focal point) see the
State's figures whatever its number of agencies: they own the data. A
comparison that takes in other States' answers is shown only when the
answers outside the State number at least `min_n`, so that nobody who knows
their own State's answers can subtract them to read another's.
"""

import pandas as pd
from django.utils.translation import gettext_lazy as _

from . import gaps

EQUAL_STATES = _(
    "Region and world: the mean of the States' means, each State counting once whatever "
    "its number of agencies."
)
UNWEIGHTED = _("The State's needs: ranked by MWDS over its agencies, each agency counting once.")
# Translators: what an agency says, besides training, would close its gap.
REMEDIES = {
    "equipment": _("Equipment or software"),
    "legislation": _("Legislation or legal authority"),
    "staffing": _("More staff"),
    "procedures": _("Procedures or cooperation agreements"),
}


def _respondent_means(frame, item):
    """One row per response and `item` (competency or domain): the mean gap
    over the item's competencies the response rated, with its country and
    region."""
    pairs = gaps.rating_pairs(frame)
    if pairs.empty:
        return pd.DataFrame(columns=["response", item, "gap", "country", "region"])
    pairs["gap"] = pairs["importance"] - pairs["capability"]
    per = pairs.groupby(["response", item], observed=True)["gap"].mean().reset_index()
    who = frame.drop_duplicates("response")[["response", "country", "region"]].copy()
    for column in ("country", "region"):
        who[column] = who[column].astype(str)
    per[item] = per[item].astype(str)
    return per.merge(who, on="response", how="left")


def _outside(per, key, country, region):
    """Per `key` value: (responses outside the State in its region, outside
    it anywhere) that answered it."""
    outside = per[per["country"] != country]
    in_region = outside[outside["region"] == region]
    return (
        in_region.groupby(key)["response"].nunique(),
        outside.groupby(key)["response"].nunique(),
    )


def comparison(frame, country, item, *, min_n, own=True):
    """One row per `item` the State's agencies rated: state_gap and state_n
    (agencies), region_gap and region_states, world_gap and world_states
    (States equally weighted; None where a comparison is not shown).

    The State's own figure is shown for `own` readers whatever its n, else
    only from min_n agencies (state_gap None below)."""
    per = _respondent_means(frame, item)
    columns = [item, "state_gap", "state_n", "region_gap", "region_states", "world_gap",
               "world_states"]  # fmt: skip
    state = per[per["country"] == country]
    if state.empty:
        return pd.DataFrame(columns=columns)
    region = state["region"].iloc[0]
    # A comparison per item only from min_n answers to that item outside the
    # State: else the State's own figure could be subtracted from it.
    region_n, world_n = _outside(per, item, country, region)
    states = per.groupby(["region", "country", item], observed=True)["gap"].mean().reset_index()
    table = state.groupby(item, observed=True).agg(
        state_gap=("gap", "mean"), state_n=("response", "nunique")
    )
    if not own:
        table.loc[table["state_n"] < min_n, "state_gap"] = None
    in_region = states[states["region"] == region].groupby(item)["gap"]
    world = states.groupby(item)["gap"]
    enough_region = region_n.reindex(table.index).fillna(0) >= min_n
    enough_world = world_n.reindex(table.index).fillna(0) >= min_n
    table["region_gap"] = in_region.mean().reindex(table.index).where(enough_region)
    table["region_states"] = in_region.size()
    table["world_gap"] = world.mean().reindex(table.index).where(enough_world)
    table["world_states"] = world.size()
    table = table.reset_index()
    return table[columns].astype(object).where(table[columns].notna(), None)


def ranked_needs(frame, country, *, min_n, own=True, top=10):
    """The State's competencies ranked by MWDS over its agencies (the
    analysis.gaps table), the first `top`, with region_gap and world_gap
    (States equally weighted) beside each."""
    state = frame[frame["country"].astype(str) == country]
    if state.empty:
        return pd.DataFrame()
    table = gaps.competency_gaps(state, min_n=1 if own else min_n)
    table = table[~table["suppressed"]].head(top)
    compared = comparison(frame, country, "competency", min_n=min_n, own=own)
    compared = compared.set_index("competency")[["region_gap", "world_gap"]]
    table = table.merge(compared, left_on="competency", right_index=True, how="left")
    return table.reset_index(drop=True)


def lacking(frame, country, *, min_n, own=True):
    """Legal powers and resources the State's agencies lack: one row per
    yes / partly / no item that at least one of them answered "no", with
    the agencies answering no (names for `own` readers), the State's share
    of agencies lacking it, and the share of the region's and the world's
    States lacking it (each State's own share, averaged: States equally)."""
    items = frame[frame["dimension"].isin(("legal_power", "resource")) & frame["number"].isna()]
    items = items[items["value"].isin(("yes", "partly", "no"))]
    columns = ["question", "agencies", "state_share", "region_share", "world_share"]
    if items.empty:
        return pd.DataFrame(columns=columns)
    answered = items.assign(
        question=items["question"].astype(str),
        country=items["country"].astype(str),
        region=items["region"].astype(str),
        no=items["value"] == "no",
    )
    states = answered.groupby(["region", "country", "question"])["no"].mean().reset_index()
    state = answered[answered["country"] == country]
    if state.empty:
        return pd.DataFrame(columns=columns)
    region = state["region"].iloc[0]
    region_n, world_n = _outside(answered, "question", country, region)
    rows = []
    for question, group in state.groupby("question"):
        if not group["no"].any() or (not own and len(group) < min_n):
            continue
        here = states[states["question"] == question]
        rows.append(
            {
                "question": question,
                "agencies": sorted(group.loc[group["no"], "agency_name"].astype(str))
                if own
                else int(group["no"].sum()),
                "state_share": float(group["no"].mean()),
                "region_share": float(here.loc[here["region"] == region, "no"].mean())
                if region_n.get(question, 0) >= min_n
                else None,
                "world_share": float(here["no"].mean())
                if world_n.get(question, 0) >= min_n
                else None,
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["state_share", "question"], ascending=[False, True]).reset_index(
        drop=True
    )


def remedies(frame, country):
    """What besides training the State's agencies say would close their
    gaps (the `<prefix>-remedy` questions of questionnaire version 2): one
    row per domain and remedy, with the number of agencies naming it."""
    rows = frame[frame["country"].astype(str) == country]
    rows = rows[rows["question"].astype(str).str.endswith("-remedy")]
    counts = {}
    for domain, value in zip(rows["domain"].astype(str), rows["value"].astype(str), strict=True):
        for remedy in value.split():
            if remedy in REMEDIES:
                counts[(domain, remedy)] = counts.get((domain, remedy), 0) + 1
    table = pd.DataFrame(
        [
            {"domain": domain, "remedy": str(REMEDIES[remedy]), "agencies": count}
            for (domain, remedy), count in counts.items()
        ],
        columns=["domain", "remedy", "agencies"],
    )
    return table.sort_values(["agencies", "domain"], ascending=[False, True]).reset_index(drop=True)
