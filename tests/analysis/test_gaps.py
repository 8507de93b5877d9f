"""The formulas, on small hand-computed cases; no database."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import gaps
from analysis.selectors import FRAME_COLUMNS

CATEGORY_COLUMNS = [
    "agency_name", "country", "country_name", "region", "agency_kind", "role", "campaign",
    "question", "domain", "competency", "dimension",
]  # fmt: skip


def make_pairs(rows, by=None):
    """Rating pairs from (competency, importance, capability[, group]) tuples."""
    columns = ["competency", "importance", "capability"] + ([by] if by else [])
    pairs = pd.DataFrame(rows, columns=columns)
    pairs[["importance", "capability"]] = pairs[["importance", "capability"]].astype(float)
    return pairs


def row_of(table, competency, **group):
    selected = table[table["competency"] == competency]
    for column, value in group.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1
    return selected.iloc[0]


def answer(response, question, dimension, value, *, competency=None, domain="DF", **where):
    """One row of the long answers frame, as analysis.selectors builds it."""
    region = where.get("region", "Africa")
    number = float(value) if dimension in gaps.RATED else np.nan
    return {
        "response": response,
        "agency": response,
        "agency_name": f"Agency {response}",
        "country": where.get("country", "KE"),
        "country_name": "Kenya",
        "region": region,
        "agency_kind": "police",
        "role": "investigator",
        "campaign": where.get("campaign", "R1"),
        "question": question,
        "domain": domain,
        "competency": competency,
        "dimension": dimension,
        "value": str(value),
        "number": number,
    }


def rated(response, competency, importance=None, capability=None, *, domain="DF", **where):
    """The answers of one respondent to one competency's two rating questions."""
    rows = []
    for dimension, value in (("importance", importance), ("capability", capability)):
        if value is not None:
            question = f"{competency}-{dimension[:3].upper()}"
            rows.append(
                answer(
                    response,
                    question,
                    dimension,
                    value,
                    competency=competency,
                    domain=domain,
                    **where,
                )
            )
    return rows


def make_frame(*groups_of_rows):
    rows = [row for group in groups_of_rows for row in group]
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in CATEGORY_COLUMNS:
        frame[column] = frame[column].astype("category")
    return frame


# gap_statistics: the numbers


def test_it_computes_means_gap_and_mwds_by_hand():
    pairs = make_pairs([("DF-01", 5, 2), ("DF-01", 4, 3), ("DF-01", 3, 3)])

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=1), "DF-01")

    assert row["n"] == 3
    assert row["importance_mean"] == pytest.approx(4.0)
    assert row["capability_mean"] == pytest.approx(8 / 3)
    assert row["gap_mean"] == pytest.approx(4 / 3)
    assert row["mwds"] == pytest.approx(16 / 3)


def test_mwds_is_the_mean_of_gaps_weighted_by_mean_importance():
    pairs = make_pairs([("DF-01", 5, 1), ("DF-01", 2, 2), ("DF-01", 4, 1), ("DF-01", 3, 4)])
    importance_mean = pairs["importance"].mean()

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=1), "DF-01")

    weighted = ((pairs["importance"] - pairs["capability"]) * importance_mean).mean()
    assert row["mwds"] == pytest.approx(weighted)
    assert row["mwds"] == pytest.approx(3.5 * 1.5)


def test_it_gives_a_95_percent_t_interval_on_the_paired_gap():
    pairs = make_pairs([("DF-01", 5, 2), ("DF-01", 4, 3), ("DF-01", 3, 3)])
    # Gaps 3, 1, 0: mean 4/3, sd (ddof=1) sqrt(7/3).
    half_width = stats.t.ppf(0.975, 2) * math.sqrt(7 / 3) / math.sqrt(3)

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=1), "DF-01")

    assert row["gap_ci_low"] == pytest.approx(4 / 3 - half_width)
    assert row["gap_ci_high"] == pytest.approx(4 / 3 + half_width)
    assert half_width == pytest.approx(4.3027 * 0.8819, abs=1e-3)


def test_a_single_respondent_has_means_but_no_interval():
    pairs = make_pairs([("DF-01", 4, 1)])

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=1), "DF-01")

    assert row["n"] == 1
    assert row["gap_mean"] == pytest.approx(3.0)
    assert row["mwds"] == pytest.approx(12.0)
    assert math.isnan(row["gap_ci_low"]) and math.isnan(row["gap_ci_high"])
    assert row["rank"] == 1


def test_equal_gaps_collapse_the_interval_onto_the_mean():
    pairs = make_pairs([("DF-01", 4, 2)] * 3)

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=1), "DF-01")

    assert row["gap_ci_low"] == pytest.approx(2.0)
    assert row["gap_ci_high"] == pytest.approx(2.0)


def test_no_pairs_give_an_empty_table_with_every_column():
    table = gaps.gap_statistics(make_pairs([]), "competency", min_n=1)

    assert table.empty
    assert list(table.columns) == ["competency", *gaps.GAP_COLUMNS, "suppressed"]


# Ranks


def test_ties_share_the_lowest_rank_and_keep_code_order():
    pairs = make_pairs([("DF-02", 4, 2), ("AA-01", 3, 2), ("DF-01", 4, 2)])

    table = gaps.gap_statistics(pairs, "competency", min_n=1)

    assert list(table["competency"]) == ["DF-01", "DF-02", "AA-01"]
    assert list(table["rank"]) == [1, 1, 3]


def test_equal_scores_reached_along_different_float_paths_tie():
    # Both MWDS are 1.15 × 0.15, but the floats differ in the last bits.
    pairs = make_pairs([("A", 1.1, 1.0), ("A", 1.2, 1.0), ("B", 1.15, 1.0), ("B", 1.15, 1.0)])

    table = gaps.gap_statistics(pairs, "competency", min_n=1)

    assert list(table["rank"]) == [1, 1]


# Priority


def test_the_priority_follows_the_rank_and_never_contradicts_it():
    # Twelve items with gaps 4, 3.75, ... and one with capability above importance.
    rows = [(f"K{index:02d}", 5, 1 + 0.25 * index) for index in range(12)]
    pairs = make_pairs([*rows, ("Z", 2, 4)])

    table = gaps.gap_statistics(pairs, "competency", min_n=1).set_index("competency")

    top_ten = table[table["rank"] <= 10]
    assert set(top_ten["priority"]) == {gaps.HIGH}
    assert table.loc["K10", "priority"] == gaps.MEDIUM
    assert table.loc["Z", "priority"] == gaps.NO_GAP


def test_an_item_ranked_second_is_high_whatever_its_importance_compared_with_others():
    # The old quadrant label would have called B "low priority" (importance
    # below the mean of the item means); its rank says it is the second need.
    pairs = make_pairs([("A", 5, 1), ("B", 3, 1), ("C", 5, 5), ("D", 5, 5), ("E", 5, 5)])

    table = gaps.gap_statistics(pairs, "competency", min_n=1).set_index("competency")

    assert table.loc["B", "rank"] == 2
    assert table.loc["B", "priority"] == gaps.HIGH


# Small-cell suppression


@pytest.mark.parametrize("n, suppressed", [(2, True), (3, False)])
def test_rows_below_min_n_show_n_only(n, suppressed):
    pairs = make_pairs([("DF-01", 5, 2)] * n + [("DF-02", 4, 3)] * 3)

    row = row_of(gaps.gap_statistics(pairs, "competency", min_n=3), "DF-01")

    assert row["n"] == n
    assert row["suppressed"] == suppressed
    statistics = row[gaps.STATISTIC_COLUMNS].astype(float)
    if suppressed:
        assert statistics.isna().all()
        assert row["rank"] is pd.NA
        assert pd.isna(row["priority"])
    else:
        assert row["importance_mean"] == pytest.approx(5.0)
        assert row["rank"] == 1
        assert row["priority"] == gaps.HIGH


def test_suppressed_rows_come_last_and_take_no_part_in_ranks():
    pairs = make_pairs([("A", 4, 2)] * 2 + [("B", 3, 3)] * 2 + [("S", 5, 1)])

    table = gaps.gap_statistics(pairs, "competency", min_n=2)

    assert list(table["competency"]) == ["A", "B", "S"]
    assert list(table["rank"][:2]) == [1, 2]
    assert pd.isna(table["priority"][2])


# Grouping


def test_grouping_ranks_and_labels_priorities_within_each_group():
    pairs = make_pairs(
        [
            ("A", 5, 1, "Africa"),
            ("B", 3, 3, "Africa"),
            ("A", 2, 3, "Europe"),
            ("B", 4, 2, "Europe"),
        ],
        by="region",
    )

    table = gaps.gap_statistics(pairs, "competency", by="region", min_n=1)

    assert list(table.columns[:2]) == ["region", "competency"]
    assert list(zip(table["region"], table["competency"], table["rank"], strict=True)) == [
        ("Africa", "A", 1),
        ("Africa", "B", 2),
        ("Europe", "B", 1),
        ("Europe", "A", 2),
    ]
    assert row_of(table, "B", region="Europe")["priority"] == gaps.HIGH
    assert row_of(table, "A", region="Europe")["priority"] == gaps.NO_GAP
    assert row_of(table, "B", region="Africa")["priority"] == gaps.NO_GAP


# From the answers frame


def test_only_respondents_who_rated_both_dimensions_count():
    frame = make_frame(
        rated(1, "DF-01", 5, 2),
        rated(2, "DF-01", 4, 4),
        rated(3, "DF-01", importance=5),
        rated(4, "DF-01", capability=1),
    )

    table = gaps.competency_gaps(frame, min_n=1)

    row = row_of(table, "DF-01")
    assert row["n"] == 2
    assert row["importance_mean"] == pytest.approx(4.5)
    assert row["capability_mean"] == pytest.approx(3.0)
    assert row["domain"] == "DF"


def test_competency_gaps_group_by_region():
    frame = make_frame(
        rated(1, "DF-01", 5, 2, region="Africa"),
        rated(2, "DF-01", 4, 4, region="Europe"),
        rated(3, "DF-01", 3, 1, region="Europe"),
    )

    table = gaps.competency_gaps(frame, by="region", min_n=1)

    assert list(table["region"]) == ["Africa", "Europe"]
    assert list(table["n"]) == [1, 2]
    assert row_of(table, "DF-01", region="Europe")["gap_mean"] == pytest.approx(1.0)


def test_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="cannot group by 'colour'"):
        gaps.competency_gaps(make_frame(rated(1, "DF-01", 5, 2)), by="colour")


def test_domain_gaps_count_each_respondent_once_with_their_mean_ratings():
    frame = make_frame(
        rated(1, "DF-01", 5, 2),
        rated(1, "DF-02", 3, 2),
        rated(2, "DF-01", 4, 4),
        rated(2, "DF-02", 2, 1),
        rated(3, "DF-01", 3, 3),
        rated(3, "IN-01", 4, 1, domain="IN"),
    )

    table = gaps.domain_gaps(frame, min_n=1).set_index("domain")

    # Respondent means in DF: (4, 2), (3, 2.5), (3, 3).
    assert table.loc["DF", "n"] == 3
    assert table.loc["DF", "importance_mean"] == pytest.approx(10 / 3)
    assert table.loc["DF", "capability_mean"] == pytest.approx(2.5)
    assert table.loc["DF", "gap_mean"] == pytest.approx(2.5 / 3)
    assert table.loc["DF", "mwds"] == pytest.approx(10 / 3 * 2.5 / 3)
    assert table.loc["IN", "n"] == 1


def test_one_table_of_respondent_means_serves_the_overall_and_grouped_domain_tables():
    frame = make_frame(
        rated(1, "DF-01", 5, 2),
        rated(1, "DF-02", 3, 2),
        rated(2, "DF-01", 4, 4, region="Europe"),
        rated(2, "DF-02", 2, 1, region="Europe"),
        rated(3, "DF-01", 3, 3, region=None),  # no region: counted overall only
        rated(4, "IN-01", 4, 1, domain="IN"),
    )
    pairs = gaps.rating_pairs(frame, by=["region", "agency_kind"])
    means = gaps.domain_means(pairs, by=["region", "agency_kind"])

    overall = gaps.domain_gaps(frame, min_n=1, means=means)
    by_region = gaps.domain_gaps(frame, by="region", min_n=1, means=means)

    pd.testing.assert_frame_equal(overall, gaps.domain_gaps(frame, min_n=1))
    pd.testing.assert_frame_equal(by_region, gaps.domain_gaps(frame, by="region", min_n=1))
    assert overall.set_index("domain").loc["DF", "n"] == 3
    assert by_region.groupby("region", observed=True)["n"].sum().to_dict() == {
        "Africa": 2, "Europe": 1,
    }  # fmt: skip


def legal(response, question, value, **where):
    return [answer(response, question, "legal_power", value, domain="LP", **where)]


def test_item_shares_give_the_share_of_each_answer():
    frame = make_frame(
        legal(1, "LP-01", "yes"),
        legal(2, "LP-01", "no"),
        legal(3, "LP-01", "no"),
        legal(4, "LP-01", "dont_know"),
        legal(1, "LP-02", "partly"),
        rated(1, "DF-01", 5, 2),
    )

    table = gaps.item_shares(frame, min_n=1).set_index("question")

    assert list(table.index) == ["LP-01", "LP-02"]
    assert table.loc["LP-01", "n"] == 4
    assert table.loc["LP-01", "share_yes"] == pytest.approx(0.25)
    assert table.loc["LP-01", "share_no"] == pytest.approx(0.5)
    assert table.loc["LP-01", "share_dont_know"] == pytest.approx(0.25)
    assert table.loc["LP-01", "share_partly"] == pytest.approx(0.0)
    assert table.loc["LP-02", "share_partly"] == pytest.approx(1.0)


def test_a_state_with_many_agencies_does_not_outweigh_one_with_few_in_shares_lacking():
    # Kenya: one agency, without the power. Nigeria: three agencies, all with it.
    frame = make_frame(
        legal(1, "LP-01", "no", country="KE"),
        legal(2, "LP-01", "yes", country="NG"),
        legal(3, "LP-01", "yes", country="NG"),
        legal(4, "LP-01", "yes", country="NG"),
    )

    row = gaps.item_shares(frame, min_n=1).set_index("question").loc["LP-01"]

    assert row["lacking"] == pytest.approx(0.25)  # of agencies
    assert row["lacking_states"] == pytest.approx(0.5)  # Kenya 1, Nigeria 0: States equally


def test_item_shares_leave_out_numeric_items_and_suppress_small_cells():
    resource_count = answer(1, "RS-01", "resource", 3)
    resource_count["number"] = 3.0
    frame = make_frame(
        legal(1, "LP-01", "yes"),
        legal(2, "LP-01", "no"),
        legal(3, "LP-01", "yes"),
        legal(1, "LP-02", "yes"),
        legal(2, "LP-02", "no"),
        [resource_count],
    )

    table = gaps.item_shares(frame, min_n=3).set_index("question")

    assert list(table.index) == ["LP-01", "LP-02"]
    assert table.loc["LP-01", "share_yes"] == pytest.approx(2 / 3)
    assert table.loc["LP-02", "n"] == 2
    assert table.loc["LP-02", "suppressed"]
    assert table.loc["LP-02", ["share_yes", "share_no"]].isna().all()


def test_item_shares_group_by_region():
    frame = make_frame(
        legal(1, "LP-01", "yes", region="Africa"),
        legal(2, "LP-01", "no", region="Europe"),
    )

    table = gaps.item_shares(frame, by="region", min_n=1)

    assert list(zip(table["region"], table["share_yes"], strict=True)) == [
        ("Africa", 1.0),
        ("Europe", 0.0),
    ]


def test_filter_frame_keeps_rows_matching_every_given_value():
    frame = make_frame(
        rated(1, "DF-01", 5, 2, region="Africa", campaign="R1"),
        rated(2, "DF-01", 4, 4, region="Europe", campaign="R1"),
        rated(3, "DF-01", 3, 3, region="Africa", campaign="R2"),
    )

    assert set(gaps.filter_frame(frame, region="Africa")["response"]) == {1, 3}
    assert set(gaps.filter_frame(frame, region="Africa", campaign="R2")["response"]) == {3}
    assert set(gaps.filter_frame(frame, region=None, campaign="")["response"]) == {1, 2, 3}
    with pytest.raises(ValueError):
        gaps.filter_frame(frame, colour="red")


def test_a_lone_hidden_group_takes_the_smallest_shown_group_with_it():
    # Europe (3) is hidden; the overall result minus Africa and Asia would
    # give it away, so the smaller of the two shown groups is hidden too.
    rows = (
        [("DF-01", 5, 2, "Africa")] * 8
        + [("DF-01", 4, 3, "Asia")] * 6
        + [("DF-01", 3, 3, "Europe")] * 3
    )

    table = gaps.gap_statistics(make_pairs(rows, by="region"), "competency", by="region")

    hidden = dict(zip(table["region"], table["suppressed"], strict=True))
    assert hidden == {"Africa": False, "Asia": True, "Europe": True}
    assert math.isnan(row_of(table, "DF-01", region="Asia")["gap_mean"])
    assert row_of(table, "DF-01", region="Asia")["n"] == 6


def test_hidden_groups_that_hold_min_n_between_them_hide_nothing_more():
    rows = (
        [("DF-01", 5, 2, "Africa")] * 8
        + [("DF-01", 4, 3, "Europe")] * 3
        + [("DF-01", 3, 3, "Oceania")] * 2
    )

    table = gaps.gap_statistics(make_pairs(rows, by="region"), "competency", by="region")

    hidden = dict(zip(table["region"], table["suppressed"], strict=True))
    assert hidden == {"Africa": False, "Europe": True, "Oceania": True}


def test_secondary_suppression_applies_to_item_shares():
    frame = make_frame(
        *[[answer(r, "AD-L01", "legal_power", "yes", region="Africa")] for r in range(6)],
        *[[answer(r, "AD-L01", "legal_power", "no", region="Asia")] for r in range(6, 13)],
        *[[answer(r, "AD-L01", "legal_power", "no", region="Europe")] for r in range(13, 15)],
    )

    table = gaps.item_shares(frame, by="region")

    hidden = dict(zip(table["region"], table["suppressed"], strict=True))
    assert hidden == {"Africa": True, "Asia": False, "Europe": True}
