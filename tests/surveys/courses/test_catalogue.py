"""The course catalogue: the shipped file, reading and checking catalogue
files, loading them, the import_courses command and the admin pages."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from surveys.courses.catalogue import (
    CourseImportError,
    competency_codes,
    import_courses,
    read_courses,
)
from surveys.models import Course

pytestmark = pytest.mark.django_db

SHIPPED_COURSES = Path(__file__).resolve().parents[3] / "fixtures" / "courses.csv"
HEADER = "code,title,competencies,audiences,level,duration_days,prerequisites"
GOOD_ROWS = [
    "BASICS,Digital evidence basics,DF-01 DF-09,first_responders,introductory,2,",
    "MOBILE,Mobile forensics,DF-04,forensic_examiners,intermediate,5,BASICS",
]


def catalogue(*rows, header=HEADER):
    return "\n".join([header, *rows]).encode("utf-8")


def read(data, filename="courses.csv", known=None):
    return read_courses(data, filename, known_competencies=known or {"DF-01", "DF-04", "DF-09"})


def problems_of(data, filename="courses.csv", known=None):
    with pytest.raises(CourseImportError) as error:
        read(data, filename, known)
    return [str(problem) for problem in error.value.problems]


def run_import(path, *options):
    stdout = io.StringIO()
    call_command("import_courses", str(path), *options, stdout=stdout)
    return stdout.getvalue().strip()


# the shipped catalogue


def test_the_shipped_catalogue_imports_and_covers_every_competency(questionnaire):
    rows = read_courses(
        SHIPPED_COURSES.read_bytes(),
        SHIPPED_COURSES.name,
        known_competencies=competency_codes(questionnaire),
    )

    created, updated = import_courses(rows)

    assert created == Course.objects.count() >= 15
    assert updated == 0
    covered = {code for course in Course.objects.all() for code in course.competencies}
    assert covered == competency_codes(questionnaire)
    assert Course.objects.get(code="UCO-201").preconditions == ["UC-L01"]
    assert Course.objects.get(code="VID-203").preconditions == ["DF-R03"]


def test_a_precondition_must_be_a_yes_no_question_of_the_questionnaire(questionnaire):
    data = (
        b"code,title,competencies,audiences,level,duration_days,preconditions\n"
        b"UCO-201,Undercover,UC-01,investigators,intermediate,5,UC-L01 UC-01_imp XX-L99\n"
    )

    with pytest.raises(CourseImportError) as error:
        read_courses(data, "courses.csv", known_competencies=competency_codes(questionnaire))

    assert [str(problem) for problem in error.value.problems] == [
        "row 2, column 'preconditions': unknown precondition 'UC-01_imp': name a yes / partly / "
        "no question of the questionnaire, e.g. UC-L01",
        "row 2, column 'preconditions': unknown precondition 'XX-L99': name a yes / partly / "
        "no question of the questionnaire, e.g. UC-L01",
    ]
    assert len(competency_codes(questionnaire)) == 79
    assert all(course.source and course.audiences for course in Course.objects.all())


def test_the_shipped_catalogue_has_sensible_prerequisite_chains(questionnaire):
    run_import(SHIPPED_COURSES)

    advanced = Course.objects.get(code="DRK-301")
    assert {p.code for p in advanced.prerequisites.all()} == {"UCO-301", "FOR-201"}
    assert Course.objects.get(code="UCO-301").prerequisites.get().code == "UCO-201"
    for course in Course.objects.filter(level=Course.Level.INTRODUCTORY):
        assert not course.prerequisites.exists()


# reading a file


def test_it_reads_codes_separated_by_spaces_or_commas():
    rows = read(
        catalogue(
            'BASICS,Basics,"DF-01, DF-09,DF-01","first_responders, investigators",Introductory,1.5,'
        )
    )

    assert rows[0].competencies == ["DF-01", "DF-09"]
    assert rows[0].audiences == ["first_responders", "investigators"]
    assert rows[0].level == "introductory"
    assert rows[0].duration_days == Decimal("1.5")


def test_it_reads_a_csv_with_a_byte_order_mark():
    rows = read(b"\xef\xbb\xbf" + catalogue(*GOOD_ROWS))

    assert [row.code for row in rows] == ["BASICS", "MOBILE"]


def test_it_reads_an_xlsx_workbook():
    rows = read(xlsx([HEADER.split(","), *[row.split(",") for row in GOOD_ROWS]]), "c.xlsx")

    assert [(row.code, row.duration_days) for row in rows] == [
        ("BASICS", Decimal("2.0")),
        ("MOBILE", Decimal("5.0")),
    ]
    assert rows[1].prerequisites == ["BASICS"]


def test_a_bad_cell_in_a_workbook_is_named_by_sheet_row_and_column():
    sheet = [HEADER.split(","), ["A", "A course", "DF-01", "judges", "expert", 2, None]]

    problems = problems_of(xlsx(sheet), "c.xlsx")

    assert problems == [
        "sheet 'courses', row 2, column 'level': unknown level 'expert'; "
        "use introductory, intermediate, advanced"
    ]


def xlsx(rows):
    workbook = openpyxl.Workbook()
    workbook.active.title = "courses"
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


BAD_FILES = {
    "a missing column": (
        catalogue(
            "A,A course,DF-01,judges,2,",
            header="code,title,competencies,audiences,duration_days,prerequisites",
        ),
        "row 1, column 'level': the column is missing",
    ),
    "an unknown level": (
        catalogue(GOOD_ROWS[0], "A,A course,DF-01,judges,expert,2,"),
        "row 3, column 'level': unknown level 'expert'",
    ),
    "an unknown audience": (
        catalogue("A,A course,DF-01,students,advanced,2,", GOOD_ROWS[0]),
        "row 2, column 'audiences': unknown audience 'students'",
    ),
    "a duration that is not a number": (
        catalogue(GOOD_ROWS[0], "A,A course,DF-01,judges,advanced,two,"),
        "row 3, column 'duration_days': 'two' is not a number of days",
    ),
    "a duration of zero days": (
        catalogue("A,A course,DF-01,judges,advanced,0,"),
        "row 2, column 'duration_days': '0' is not a number of days",
    ),
    "a duration with two decimals": (
        catalogue("A,A course,DF-01,judges,advanced,1.25,"),
        "row 2, column 'duration_days': '1.25' is not a number of days",
    ),
    "an unknown competency": (
        catalogue(GOOD_ROWS[0], "A,A course,DF-01 XX-99,judges,advanced,2,"),
        "row 3, column 'competencies': unknown competency 'XX-99'",
    ),
    "no competency": (
        catalogue("A,A course,,judges,advanced,2,"),
        "row 2, column 'competencies': name at least one competency",
    ),
    "an unknown prerequisite": (
        catalogue(GOOD_ROWS[0], "A,A course,DF-01,judges,advanced,2,BASICS NOPE"),
        "row 3, column 'prerequisites': unknown prerequisite 'NOPE'",
    ),
    "a prerequisite cycle": (
        catalogue(
            GOOD_ROWS[0],
            "A,A course,DF-01,judges,advanced,2,B",
            "B,B course,DF-01,judges,advanced,2,A",
        ),
        "row 3, column 'prerequisites': the prerequisites form a cycle: A → B → A",
    ),
    "a course that requires itself": (
        catalogue("A,A course,DF-01,judges,advanced,2,A"),
        "row 2, column 'prerequisites': the prerequisites form a cycle: A → A",
    ),
    "a duplicate code": (
        catalogue(GOOD_ROWS[0], GOOD_ROWS[0]),
        "row 3, column 'code': course 'BASICS' is already in row 2",
    ),
    "a code with spaces": (
        catalogue("A B,A course,DF-01,judges,advanced,2,"),
        "row 2, column 'code': code 'A B' may use only letters, digits, - and _",
    ),
    "a missing title": (
        catalogue(GOOD_ROWS[0], "A,,DF-01,judges,advanced,2,"),
        "row 3, column 'title': the title is missing",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_names_the_row_and_column_and_imports_nothing(case, tmp_path, questionnaire):
    data, expected = BAD_FILES[case]
    path = tmp_path / "courses.csv"
    path.write_bytes(data)

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert "nothing was imported" in str(error.value)
    assert expected in str(error.value)
    assert Course.objects.count() == 0


def test_every_problem_of_a_file_is_listed_at_once():
    problems = problems_of(
        catalogue(
            "A,A course,XX-01,students,expert,none,NOPE",
            "B,B course,DF-01,judges,advanced,2,",
        )
    )

    assert [problem.split(":")[0] for problem in problems] == [
        "row 2, column 'competencies'",
        "row 2, column 'audiences'",
        "row 2, column 'level'",
        "row 2, column 'duration_days'",
        "row 2, column 'prerequisites'",
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    assert problems_of(b"%PDF-1.4", "courses.pdf") == [
        "the file must be a .csv or an .xlsx spreadsheet"
    ]
    assert problems_of("code\n\xe9".encode("latin-1")) == [
        "the file is not UTF-8 text; save it as 'CSV UTF-8'"
    ]
    assert problems_of(b"PK\x03\x04 not really a zip", "courses.xlsx") == [
        "the file is not an Excel workbook (.xlsx)"
    ]


def test_a_file_with_a_header_and_no_courses_is_refused():
    assert problems_of(catalogue()) == ["row 2: the file has no courses"]


def test_a_prerequisite_may_name_a_course_already_in_the_catalogue():
    import_courses(read(catalogue(GOOD_ROWS[0])))

    rows = read(catalogue(GOOD_ROWS[1]))

    assert rows[0].prerequisites == ["BASICS"]


def test_a_cycle_through_a_course_already_in_the_catalogue_is_refused():
    import_courses(read(catalogue(*GOOD_ROWS)))

    problems = problems_of(
        catalogue("BASICS,Digital evidence basics,DF-01,first_responders,introductory,2,MOBILE")
    )

    assert problems == [
        "row 2, column 'prerequisites': the prerequisites form a cycle: BASICS → MOBILE → BASICS"
    ]


# loading


def test_importing_the_same_file_again_changes_nothing():
    rows = read(catalogue(*GOOD_ROWS))
    assert import_courses(rows) == (2, 0)
    history = Course.history.count()

    assert import_courses(read(catalogue(*GOOD_ROWS))) == (0, 0)
    assert Course.history.count() == history
    assert Course.objects.count() == 2


def test_a_changed_row_updates_its_course_and_prerequisites():
    import_courses(read(catalogue(*GOOD_ROWS)))

    changed = catalogue(GOOD_ROWS[0], "MOBILE,Mobile forensics II,DF-04,judges,advanced,3,")
    assert import_courses(read(changed)) == (0, 1)

    mobile = Course.objects.get(code="MOBILE")
    assert (mobile.title, mobile.audiences, mobile.level, mobile.duration_days) == (
        "Mobile forensics II",
        ["judges"],
        "advanced",
        Decimal("3.0"),
    )
    assert not mobile.prerequisites.exists()


def test_a_course_may_come_before_its_prerequisite_in_the_file():
    import_courses(read(catalogue(GOOD_ROWS[1], GOOD_ROWS[0])))

    assert Course.objects.get(code="MOBILE").prerequisites.get().code == "BASICS"


# the command


def test_the_command_prints_a_one_line_summary(questionnaire):
    assert run_import(SHIPPED_COURSES) == (
        "courses.csv: 27 courses, 27 created, 0 updated, 0 unchanged"
    )
    assert run_import(SHIPPED_COURSES) == (
        "courses.csv: 27 courses, 0 created, 0 updated, 27 unchanged"
    )


def test_the_command_checks_competencies_against_a_named_questionnaire(tmp_path, questionnaire):
    path = tmp_path / "c.csv"
    path.write_bytes(catalogue(GOOD_ROWS[0]))

    assert "1 created" in run_import(path, "--questionnaire", "tna")
    with pytest.raises(CommandError, match="No questionnaire with code 'nope'"):
        run_import(path, "--questionnaire", "nope")


def test_the_command_refuses_competencies_when_no_questionnaire_is_loaded(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(catalogue(GOOD_ROWS[0]))

    with pytest.raises(CommandError, match="no questionnaire defines competencies yet"):
        run_import(path)


# the admin


@pytest.fixture
def coordinator(client):
    user = get_user_model().objects.create_superuser("coord", "c@example.org", "pw-long-enough")
    client.force_login(user)
    return user


def upload(name, data):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_course_list_links_to_the_import_page(client, coordinator):
    page = client.get(reverse("admin:surveys_course_changelist"))

    assert page.status_code == 200
    assert reverse("admin:surveys_course_import") in page.content.decode()
    assert "Import courses from a spreadsheet" in page.content.decode()


def test_the_import_page_loads_the_shipped_catalogue(client, coordinator, questionnaire):
    page = client.post(
        reverse("admin:surveys_course_import"),
        {"file": upload("courses.csv", SHIPPED_COURSES.read_bytes())},
        follow=True,
    )

    assert page.redirect_chain[-1][0] == reverse("admin:surveys_course_changelist")
    assert "27 created" in page.content.decode()
    assert Course.objects.count() == 27
    assert "Mobile and cloud forensics" in page.content.decode()


def test_the_import_page_lists_the_problems_and_imports_nothing(client, coordinator, questionnaire):
    data = catalogue(GOOD_ROWS[0], "A,A course,DF-01,judges,expert,2,")

    page = client.post(reverse("admin:surveys_course_import"), {"file": upload("c.csv", data)})

    assert page.status_code == 200
    assert "nothing was changed" in page.content.decode()
    assert "row 3, column &#x27;level&#x27;: unknown level &#x27;expert&#x27;" in (
        page.content.decode()
    )
    assert Course.objects.count() == 0


def test_a_stranger_cannot_open_the_import_page(client, db):
    page = client.get(reverse("admin:surveys_course_import"))

    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def course_form(**changes):
    return {
        "code": "MOB",
        "title": "Mobile forensics",
        "description": "",
        "competencies": "DF-04, DF-05 DF-04",
        "audiences": ["investigators", "forensic_examiners"],
        "level": "intermediate",
        "duration_days": "5",
        "source": "E/CN.15/2014/7 para 37",
        **changes,
    }


def test_the_change_form_saves_competencies_typed_as_text(client, coordinator, questionnaire):
    page = client.post(reverse("admin:surveys_course_add"), course_form())

    assert page.status_code == 302
    course = Course.objects.get(code="MOB")
    assert course.competencies == ["DF-04", "DF-05"]
    assert course.audiences == ["investigators", "forensic_examiners"]
    assert course.duration_days == Decimal("5.0")


def test_the_change_form_shows_competencies_as_text(client, coordinator, questionnaire):
    client.post(reverse("admin:surveys_course_add"), course_form())
    course = Course.objects.get(code="MOB")

    page = client.get(reverse("admin:surveys_course_change", args=[course.pk]))

    assert "DF-04 DF-05</textarea>" in page.content.decode()


def test_the_change_form_refuses_unknown_competencies(client, coordinator, questionnaire):
    page = client.post(reverse("admin:surveys_course_add"), course_form(competencies="DF-04 XX-01"))

    assert page.status_code == 200
    assert "Unknown competency code: XX-01." in page.content.decode()
    assert not Course.objects.exists()


def test_the_change_form_refuses_a_prerequisite_cycle(client, coordinator, questionnaire):
    client.post(reverse("admin:surveys_course_add"), course_form(code="BASE"))
    base = Course.objects.get(code="BASE")
    client.post(
        reverse("admin:surveys_course_add"), course_form(code="TOP", prerequisites=[base.pk])
    )
    top = Course.objects.get(code="TOP")

    page = client.post(
        reverse("admin:surveys_course_change", args=[base.pk]),
        course_form(code="BASE", prerequisites=[top.pk]),
    )

    assert page.status_code == 200
    assert "These prerequisites would form a cycle: BASE → TOP → BASE" in page.content.decode()
    assert not base.prerequisites.exists()


def test_the_add_page_offers_audiences_as_checkboxes(client, coordinator):
    page = client.get(reverse("admin:surveys_course_add"))

    assert page.status_code == 200
    assert 'type="checkbox" name="audiences" value="prosecutors"' in page.content.decode()


# the demo


def test_seed_demo_loads_the_catalogue_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    assert "27 courses in the catalogue" in capsys.readouterr().out
    assert Course.objects.count() == 27
    assert Course.history.filter(history_type="+").count() == 27
