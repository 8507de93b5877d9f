"""The analysis tables as pages and sheets lay them out: pure functions of the
DataFrames in analysis.gaps, shared by the dashboard and the workbook so that
both show the same cells."""

import math

import pandas as pd


def records(table: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts, with NaN and <NA> as None, so that templates
    and sheets show nothing."""
    rows = table.to_dict("records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
            elif value is not None and str(value) == "<NA>":
                row[key] = None
    return rows


def groups_of(table: pd.DataFrame, by: str) -> list[str]:
    return sorted(table[by].astype(str).unique()) if not table.empty else []


def domain_matrix(table, by, domain_labels, group_labels=None):
    """Domain × group cells of a domain_gaps table grouped `by`:
    {"groups": [group label], "rows": [(domain label, [cell or None per group])]},
    domains in `domain_labels` order, those with no cell left out."""
    groups = groups_of(table, by)
    cells = {(str(row[by]), row["domain"]): row for row in records(table)}
    rows = []
    for domain, label in domain_labels.items():
        row = [cells.get((group, domain)) for group in groups]
        if any(row):
            rows.append((label, row))
    headers = [(group_labels or {}).get(group, group) for group in groups]
    return {"groups": headers, "rows": rows}


def lacking_items(shares, item_labels):
    """Legal-power and resource items, the most lacking first; suppressed
    rows left out."""
    rows = [row for row in records(shares) if not row["suppressed"]]
    for row in rows:
        row["label"] = item_labels.get(row["question"], row["question"])
    return sorted(rows, key=lambda row: (-row["lacking"], row["question"]))


def items_by_region(shares, shares_by_region, item_labels, domain=None):
    """Each item's share lacking overall and per region, optionally for one
    domain's items only: {"regions": [...], "rows": [{question, label, n,
    suppressed, lacking, regions, cells}]}. `regions` holds the share per
    region (None where the group is too small or absent), `cells` the
    region's whole row (None where absent)."""
    regions = groups_of(shares_by_region, "region")
    cells = {(str(row["region"]), row["question"]): row for row in records(shares_by_region)}
    rows = []
    for row in records(shares):
        if domain is not None and row["domain"] != domain:
            continue
        rows.append(
            {
                "question": row["question"],
                "domain": row["domain"],
                "label": item_labels.get(row["question"], row["question"]),
                "n": row["n"],
                "suppressed": row["suppressed"],
                "lacking": row["lacking"],
                "lacking_states": row.get("lacking_states"),
                "cells": [cells.get((region, row["question"])) for region in regions],
            }
        )
    for row in rows:
        row["regions"] = [
            None if c is None or c["suppressed"] else c["lacking"] for c in row["cells"]
        ]
    return {"regions": regions, "rows": rows}


def rows_for(table, column, code, by, group_labels):
    """The rows of one competency or domain, each with a readable group label."""
    rows = records(table[table[column] == code])
    for row in rows:
        value = str(row[by]) if row[by] is not None else ""
        row["group_label"] = group_labels.get(by, {}).get(value, value)
    return rows


def one(table, column, code):
    """The row whose `column` is `code`, or None."""
    rows = [row for row in records(table) if row[column] == code]
    return rows[0] if rows else None
