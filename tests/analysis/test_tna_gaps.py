"""The tna_gaps command on files written by hand; no database."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from analysis import gaps
from common.downloads import escape_formula

HEADER = ["respondent", "competency", "importance", "capability", "region"]
RATINGS = [
    ["R1", "DF-01", "5", "2", "Africa"],
    ["R2", "DF-01", "4", "3", "Africa"],
    ["R3", "DF-01", "3", "3", "Europe"],
    ["R4", "DF-01", "4", "1", "Europe"],
    ["R1", "IN-01", "3", "3", "Africa"],
    ["R2", "IN-01", "4", "4", "Africa"],
    ["R3", "IN-01", "2", "1", "Europe"],
    ["R4", "IN-01", "5", "5", "Europe"],
    ["R1", "LG-01", "4", "2", "Africa"],
]
OUTPUT_COLUMNS = ["competency", *gaps.GAP_COLUMNS]


def write_csv(tmp_path, rows, header=HEADER, name="ratings.csv", delimiter=","):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerows([header, *rows] if header else rows)
    return path


def write_xlsx(tmp_path, rows, header=HEADER, name="ratings.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    workbook.create_sheet("notes").append(["ignored"])
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path, *options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("tna_gaps", "--input", str(path), *options, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_json(path, *options):
    return json.loads(run(path, "--format", "json", *options)[0])


def by_competency(rows):
    return {row["competency"]: row for row in rows}


def numbers_of(rows):
    return [[row[column] for column in OUTPUT_COLUMNS] for row in rows]


def failure(path, *options):
    with pytest.raises(CommandError) as raised:
        run(path, *options)
    return str(raised.value)


# Good input


def test_it_computes_the_numbers_of_gap_statistics(tmp_path):
    pairs = pd.DataFrame(RATINGS, columns=HEADER)
    pairs[["importance", "capability"]] = pairs[["importance", "capability"]].astype(float)
    expected = gaps.gap_statistics(pairs, "competency", min_n=2)

    rows = run_json(write_csv(tmp_path, RATINGS), "--min-n", "2")

    assert [row["competency"] for row in rows] == list(expected["competency"])
    for row, (_, want) in zip(rows, expected.iterrows(), strict=True):
        assert row["n"] == want["n"]
        for column in [*gaps.STATISTIC_COLUMNS, "rank", "priority"]:
            if pd.isna(want[column]):
                assert row[column] is None
            else:
                assert row[column] == pytest.approx(want[column])
    assert rows[-1]["competency"] == "LG-01" and rows[-1]["mwds"] is None


def test_it_gives_hand_computed_numbers(tmp_path):
    rows = by_competency(run_json(write_csv(tmp_path, RATINGS), "--min-n", "1"))

    # DF-01: importance 5, 4, 3, 4; capability 2, 3, 3, 1; gaps 3, 1, 0, 3.
    assert rows["DF-01"]["n"] == 4
    assert rows["DF-01"]["importance_mean"] == pytest.approx(4.0)
    assert rows["DF-01"]["capability_mean"] == pytest.approx(2.25)
    assert rows["DF-01"]["gap_mean"] == pytest.approx(1.75)
    assert rows["DF-01"]["mwds"] == pytest.approx(7.0)
    assert rows["DF-01"]["rank"] == 2
    assert rows["LG-01"]["rank"] == 1


def test_csv_and_xlsx_give_the_same_numbers(tmp_path):
    from_csv = run_json(write_csv(tmp_path, RATINGS))
    numeric = [[row[0], row[1], int(row[2]), float(row[3]), row[4]] for row in RATINGS]
    from_xlsx = run_json(write_xlsx(tmp_path, numeric))
    from_text_cells = run_json(write_xlsx(tmp_path, RATINGS, name="text.xlsx"))

    assert numbers_of(from_xlsx) == numbers_of(from_csv)
    assert numbers_of(from_text_cells) == numbers_of(from_csv)


def test_json_rows_have_the_gap_columns(tmp_path):
    rows = run_json(write_csv(tmp_path, RATINGS), "--min-n", "1")

    assert len(rows) == 3
    assert all(list(row) == OUTPUT_COLUMNS for row in rows)


def test_by_region_puts_region_first_and_ranks_within_it(tmp_path):
    output, _ = run(
        write_csv(tmp_path, RATINGS), "--by", "region", "--min-n", "1", "--format", "csv"
    )

    rows = list(csv.DictReader(io.StringIO(output)))
    assert list(rows[0]) == ["region", *OUTPUT_COLUMNS]
    assert [(row["region"], row["competency"], row["rank"]) for row in rows] == [
        ("Africa", "DF-01", "1"),
        ("Africa", "LG-01", "2"),
        ("Africa", "IN-01", "3"),
        ("Europe", "DF-01", "1"),
        ("Europe", "IN-01", "2"),
    ]


def test_min_n_suppresses_small_rows_to_their_count(tmp_path):
    rows = by_competency(run_json(write_csv(tmp_path, RATINGS), "--min-n", "4"))

    assert rows["LG-01"] == {
        "competency": "LG-01",
        "n": 1,
        **{column: None for column in [*gaps.STATISTIC_COLUMNS, "rank", "priority"]},
    }
    assert rows["DF-01"]["mwds"] == pytest.approx(7.0)


def test_suppressed_rows_have_empty_cells_in_csv(tmp_path):
    output, _ = run(write_csv(tmp_path, RATINGS), "--format", "csv", "--min-n", "4")

    last = output.splitlines()[-1]
    assert last == "LG-01,1" + "," * 8


def test_min_n_defaults_to_the_setting(tmp_path, settings):
    settings.TNA_MIN_N = 2

    rows = by_competency(run_json(write_csv(tmp_path, RATINGS)))

    assert rows["LG-01"]["mwds"] is None
    assert rows["DF-01"]["mwds"] is not None


def test_min_n_defaults_to_five_without_the_setting(tmp_path, settings):
    del settings.TNA_MIN_N

    rows = run_json(write_csv(tmp_path, RATINGS))

    assert all(row["mwds"] is None for row in rows)


def test_the_table_rounds_and_ends_with_the_priority_convention(tmp_path):
    output, errors = run(write_csv(tmp_path, RATINGS), "--min-n", "1")

    lines = output.splitlines()
    assert lines[0].split() == OUTPUT_COLUMNS
    df01 = next(line for line in lines if line.startswith("DF-01"))
    # Gaps 3, 1, 0, 3: sd 1.5, half-width t(0.975, 3) × 1.5 / 2 = 2.387.
    assert df01.split()[:8] == ["DF-01", "4", "4.00", "2.25", "1.75", "-0.64", "4.14", "7.00"]
    assert gaps.PRIORITY_CONVENTION in output
    assert "9 rows: 9 rated both ways" in output
    assert errors == ""


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_csv_and_json_put_the_note_on_stderr(tmp_path, output_format):
    output, errors = run(write_csv(tmp_path, RATINGS), "--format", output_format)

    assert gaps.QUADRANT_CONVENTION not in output
    assert gaps.PRIORITY_CONVENTION in errors


def test_only_respondents_who_rated_both_are_counted(tmp_path):
    rows = [
        *RATINGS,
        ["R5", "DF-01", "5", "", "Europe"],  # one rating: left out
        ["R6", "DF-01", "", "", "Europe"],  # no rating: skipped
        ["", "", "", "", ""],  # blank row: ignored
    ]

    output, errors = run(write_csv(tmp_path, rows), "--format", "json", "--min-n", "1")

    assert by_competency(json.loads(output))["DF-01"]["n"] == 4
    assert "11 rows: 9 rated both ways, 1 with one rating left out, 1 unrated skipped" in errors


def test_it_reads_decimals_semicolons_and_a_byte_order_mark(tmp_path):
    rows = [[*row[:2], f"{row[2]}.0", *row[3:]] for row in RATINGS]
    path = write_csv(tmp_path, rows, delimiter=";")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    assert numbers_of(run_json(path)) == numbers_of(
        run_json(write_csv(tmp_path, RATINGS, name="b.csv"))
    )


def test_a_custom_scale_is_accepted(tmp_path):
    rows = [["R1", "DF-01", "7", "0", "Africa"]]

    rows = run_json(
        write_csv(tmp_path, rows), "--scale-min", "0", "--scale-max", "7", "--min-n", "1"
    )

    assert rows[0]["gap_mean"] == pytest.approx(7.0)


# CSV injection


def test_formula_like_codes_are_escaped_in_csv_output(tmp_path):
    rows = [
        ["R1", '=HYPERLINK("http://evil.example","x")', "5", "1", "@Region"],
        ["R1", "DF-01", "4", "1", "@Region"],
    ]

    output, _ = run(write_csv(tmp_path, rows), "--format", "csv", "--by", "region", "--min-n", "1")

    cells = list(csv.reader(io.StringIO(output)))
    assert cells[1][:2] == ["'@Region", '\'=HYPERLINK("http://evil.example","x")']
    assert cells[2][:2] == ["'@Region", "DF-01"]
    assert cells[2][2] == "1"


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("DF-01", "DF-01"),
        ("", ""),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_escape_formula(text, escaped):
    assert escape_formula(text) == escaped


# Bad input


@pytest.mark.parametrize(
    "rows, options, message",
    [
        (
            [["R1", "DF-01", "high", "2", "Africa"]],
            [],
            "row 2, column 'importance': 'high' is not a number",
        ),
        (
            [RATINGS[0], ["R2", "DF-01", "4", "6", "Africa"]],
            [],
            "row 3, column 'capability': 6 is outside the scale 1 to 5",
        ),
        (
            [["R1", "DF-01", "0", "2", "Africa"]],
            [],
            "row 2, column 'importance': 0 is outside the scale 1 to 5",
        ),
        (
            [["R1", "DF-01", "nan", "2", "Africa"]],
            [],
            "row 2, column 'importance': 'nan' is not a number",
        ),
        (
            [["R1", "DF-01", "4,5", "2", "Africa"]],
            [],
            "row 2, column 'importance': '4,5' is not a number",
        ),
        ([["", "DF-01", "4", "2", "Africa"]], [], "row 2, column 'respondent' is empty"),
        ([["R1", " ", "4", "2", "Africa"]], [], "row 2, column 'competency' is empty"),
        ([["R1", "DF-01", "4", "2", ""]], ["--by", "region"], "row 2, column 'region' is empty"),
        (
            [RATINGS[0], RATINGS[1], ["R1", "DF-01", "3", "3", "Africa"]],
            [],
            "rows 2 and 4, columns 'respondent' and 'competency': "
            "respondent 'R1' rated competency 'DF-01' twice",
        ),
        (
            RATINGS,
            ["--by", "district"],
            "no column 'district' to group by; "
            "found: respondent, competency, importance, capability, region",
        ),
        (RATINGS, ["--by", "competency"], "cannot group by 'competency'"),
    ],
)
def test_bad_cells_are_named_by_row_and_column(tmp_path, rows, options, message):
    assert message in failure(write_csv(tmp_path, rows), *options)


def test_bad_xlsx_cells_are_named_by_row_and_column(tmp_path):
    rows = [["R1", "DF-01", 4, 2, "Africa"], ["R2", "DF-01", True, 2, "Africa"]]

    assert "row 3, column 'importance': 'True' is not a number" in failure(
        write_xlsx(tmp_path, rows)
    )


def test_every_bad_cell_is_listed(tmp_path):
    rows = [["R1", "DF-01", "x", "2", "Africa"], ["R2", "DF-01", "4", "9", "Africa"]]

    message = failure(write_csv(tmp_path, rows))

    assert "row 2, column 'importance'" in message
    assert "row 3, column 'capability'" in message


def test_a_missing_column_is_named_with_the_columns_found(tmp_path):
    path = write_csv(
        tmp_path, [["R1", "DF-01", "4"]], header=["respondent", "competency", "importance"]
    )

    message = failure(path)

    assert "missing column 'capability'" in message
    assert "found: respondent, competency, importance" in message


def test_a_column_named_twice_is_refused(tmp_path):
    header = [*HEADER, "Importance"]

    assert "names column 'importance' twice (columns C and F)" in failure(
        write_csv(tmp_path, [[*RATINGS[0], "4"]], header=header)
    )


def test_column_names_ignore_case_and_spaces(tmp_path):
    header = [" Respondent", "COMPETENCY", "Importance ", "capability", "Region"]

    rows = run_json(write_csv(tmp_path, RATINGS, header=header), "--by", "REGION", "--min-n", "1")

    assert list(rows[0])[0] == "region"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty: row 1 should name the columns"),
        (b"\n\n", "is empty: row 1 should name the columns"),
        (b"respondent,competency,importance,capability\n", "has a header row but no data rows"),
        (
            b"respondent,competency,importance,capability\n,,,\n",
            "has a header row but no data rows",
        ),
        (b"respondent,competency\xff\n", "is not UTF-8 text"),
    ],
)
def test_an_empty_or_unreadable_csv_is_refused(tmp_path, content, message):
    path = tmp_path / "ratings.csv"
    path.write_bytes(content)

    assert message in failure(path)


def test_an_empty_workbook_is_refused(tmp_path):
    assert "has a header row but no data rows" in failure(write_xlsx(tmp_path, []))


def test_a_missing_file_is_refused(tmp_path):
    assert "cannot read" in failure(tmp_path / "nowhere.csv")


def test_an_unsupported_extension_is_refused(tmp_path):
    path = tmp_path / "ratings.txt"
    path.write_text("respondent,competency,importance,capability\n")

    assert "cannot read '.txt' files; use .csv or .xlsx" in failure(path)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "ratings.xlsx"
    path.write_text("respondent,competency,importance,capability\n")

    assert "ratings.xlsx: the file is not an Excel workbook (.xlsx)" in failure(path)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--min-n", "0"], "--min-n must be at least 1"),
        (["--scale-min", "5", "--scale-max", "1"], "--scale-min must be below --scale-max"),
    ],
)
def test_bad_options_are_refused(tmp_path, options, message):
    assert message in failure(write_csv(tmp_path, RATINGS), *options)
