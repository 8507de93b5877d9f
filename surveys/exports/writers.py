"""Writing a labelled dataset (surveys.exports.labelled) as CSV with its
codebook, SPSS .sav and Stata .dta (pyreadstat), or Parquet (pyarrow).

In .sav, 98 and 99 are declared user-missing. Stata has no user-missing
numbers: there they are the extended missing values .a ("don't know", 98)
and .b ("not applicable", 99), labelled, as Stata users expect."""

import csv
import io

import pyreadstat

from common.downloads import escape_formula
from surveys.exports.labelled import DONT_KNOW, NOT_APPLICABLE

FORMATS = ("csv", "sav", "dta", "parquet")
STATA_MISSING = {DONT_KNOW: "a", NOT_APPLICABLE: "b"}
CODEBOOK_COLUMNS = ["variable", "code", "label", "type", "values", "missing"]


def codebook_rows(variables):
    for variable in variables:
        values = "; ".join(f"{value} = {label}" for value, label in variable.value_labels.items())
        yield {
            "variable": variable.name,
            "code": variable.code,
            "label": variable.label,
            "type": "numeric" if variable.numeric else "text",
            "values": values,
            "missing": " ".join(str(value) for value in variable.missing),
        }


def codebook_csv(variables):
    out = io.StringIO()
    writer = csv.DictWriter(out, CODEBOOK_COLUMNS)
    writer.writeheader()
    for row in codebook_rows(variables):
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    return out.getvalue().encode("utf-8-sig")


def _csv(frame):
    out = io.StringIO()
    frame.map(escape_formula).to_csv(out, index=False)
    return out.getvalue().encode("utf-8-sig")


def _measure(variable):
    """SPSS's level of measurement: a rating scale (its labels numbered, "1 –
    Very low") is ordinal, other coded answers nominal, numbers scale."""
    if not variable.numeric:
        return "nominal"
    if not variable.value_labels:
        return "scale"
    first = str(variable.value_labels.get(1, ""))
    return "ordinal" if first[:1] == "1" else "nominal"


def write(frame, variables, fmt, path):
    """Write the dataset to `path` in `fmt` (one of FORMATS)."""
    labels = {variable.name: variable.label for variable in variables}
    value_labels = {v.name: v.value_labels for v in variables if v.value_labels}
    if fmt == "csv":
        path.write_bytes(_csv(frame))
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "sav":
        labels = {name: label[:256] for name, label in labels.items()}  # SPSS's limit
        missing = {v.name: list(v.missing) for v in variables if v.missing}
        # Codes are whole numbers: shown without decimals.
        formats = {name: "F3.0" for name in value_labels}
        pyreadstat.write_sav(
            frame, str(path), column_labels=labels, variable_value_labels=value_labels,
            missing_ranges=missing, variable_format=formats,
            variable_measure={v.name: _measure(v) for v in variables},
        )  # fmt: skip
    elif fmt == "dta":
        labels = {name: label[:80] for name, label in labels.items()}  # Stata's limit
        stata = frame.copy()
        for variable in variables:
            if not variable.missing:
                continue
            column = stata[variable.name].astype(object)
            for number, letter in STATA_MISSING.items():
                column[column == number] = letter
            stata[variable.name] = column
            value_labels[variable.name] = {
                STATA_MISSING.get(value, value): label
                for value, label in variable.value_labels.items()
            }
        user_missing = {
            v.name: [STATA_MISSING[m] for m in v.missing] for v in variables if v.missing
        }
        pyreadstat.write_dta(
            stata, str(path), column_labels=labels, variable_value_labels=value_labels,
            missing_user_values=user_missing, version=15,
        )  # fmt: skip
    else:
        raise ValueError(f"Unknown format {fmt}")
