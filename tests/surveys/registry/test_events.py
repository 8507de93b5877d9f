"""The training registry: importing partners' event files, and the plan not
counting an agency the registry shows as trained."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from analysis import results
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, TrainingEvent
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db

HEADER = (
    "provider,reference,course,competencies,funder,start_date,end_date,status,country,venue,"
    "language,agencies,participants_female,participants_male,participants_other,"
    "participants_forensic_examiners\n"
)


@pytest.fixture
def registry(questionnaire):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    make_agency("Kenya police", "KE", Agency.Kind.POLICE)
    make_agency("DCI Cybercrime Unit", "KE", Agency.Kind.SPECIALISED_UNIT)


def write(tmp_path, rows, name="events.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def run(path):
    out = io.StringIO()
    call_command("import_training_events", str(path), stdout=out)
    return out.getvalue()


GOOD = [
    "UNODC,GP-2025-07,FOR-201,,EU,2025-06-02,2025-06-06,delivered,KE,Nairobi,en,"
    "Kenya police; DCI cybercrime unit,4,8,0,12\n",
    "ICMEC,K-88,Online safety for teachers,PR-01 PR-02,,2027-02-01,2027-02-02,planned,KE,online,"
    "en,,,,,\n",
]


def test_a_good_file_is_imported(registry, tmp_path):
    output = run(write(tmp_path, GOOD))

    assert output.strip() == "events.csv: 2 events, 2 created, 0 updated, 0 unchanged"
    event = TrainingEvent.objects.get(provider="UNODC", reference="GP-2025-07")
    assert event.course.code == "FOR-201" and event.status == "delivered"
    assert event.start_date == datetime.date(2025, 6, 2)
    assert sorted(a.name for a in event.agencies.all()) == ["DCI Cybercrime Unit", "Kenya police"]
    assert (event.participants, event.participants_by_audience) == (12, {"forensic_examiners": 12})
    other = TrainingEvent.objects.get(provider="ICMEC")
    assert other.course is None and other.title == "Online safety for teachers"
    assert other.competencies == ["PR-01", "PR-02"] and other.online


def test_importing_the_same_file_twice_adds_nothing_and_a_changed_row_updates(registry, tmp_path):
    path = write(tmp_path, GOOD)
    run(path)

    assert run(path).strip() == "events.csv: 2 events, 0 created, 0 updated, 2 unchanged"
    changed = [GOOD[0].replace("delivered", "cancelled"), GOOD[1]]
    assert run(write(tmp_path, changed)).strip().endswith("0 created, 1 updated, 1 unchanged")
    assert TrainingEvent.objects.count() == 2
    assert TrainingEvent.objects.get(reference="GP-2025-07").status == "cancelled"


def test_a_file_with_bad_rows_is_refused_naming_each_by_row_and_column(registry, tmp_path):
    rows = [
        GOOD[0],
        "UNODC,GP-2,NOPE-1,,,2025-13-01,2025-06-01,done,XX,,,,two,,,\n",
        "UNODC,GP-3,FOR-201,,,2025-06-01,2025-06-02,planned,KE,,,Unknown unit,²,,,\n",
        f"UNODC,GP-4,FOR-201,,,2025-06-01,2025-06-02,planned,KE,{'x' * 201},,,,,,\n",
        GOOD[0],
    ]

    with pytest.raises(CommandError) as error:
        run(write(tmp_path, rows))

    message = str(error.value)
    assert "nothing imported" in message
    for expected in (
        "row 3, column 'competencies': 'NOPE-1' is not a course of the catalogue",
        "row 3, column 'start_date': '2025-13-01' is not a date",
        "row 3, column 'status': 'done' is not a status",
        "row 3, column 'country': 'XX' is not an ISO 3166 alpha-2 country code",
        "row 3, column 'participants_female': 'two' is not a whole number",
        "row 4, column 'agencies': no agency 'Unknown unit' in Kenya",
        "row 4, column 'participants_female': '²' is not a whole number",
        "row 5, column 'venue': the venue has 201 characters; at most 200",
        "row 6, column 'reference': the event UNODC GP-2025-07 is already in row 2",
    ):
        assert expected in message
    assert TrainingEvent.objects.count() == 0


def test_the_plan_does_not_count_an_agency_the_registry_shows_trained(campaign, tmp_path):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    trained = make_agency("Kenya police", "KE", Agency.Kind.POLICE)
    untrained = make_agency("Nigeria police", "NG", Agency.Kind.POLICE)
    for agency in (trained, untrained):
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (5, 1)}, legal={"DF-R01": "yes"})
    last_year = timezone.localdate() - datetime.timedelta(days=365)
    run(
        write(
            tmp_path,
            [
                f"UNODC,GP-1,FOR-201,,,{last_year},{last_year},delivered,KE,Nairobi,en,"
                "Kenya police,,,,\n"
            ],
        )
    )

    checked = results.training_plan(campaign, results.Filters())

    forensics = checked.courses.set_index("code").loc["FOR-201"]
    assert forensics["agencies_needing"] == 1 and forensics["covered"] == 1
    counted = checked.agencies[checked.agencies["code"] == "FOR-201"]
    assert list(counted["agency_name"]) == ["Nigeria police"]
    row = checked.covered.iloc[0]
    assert (row["agency_name"], row["code"]) == ("Kenya police", "FOR-201")
    assert row["event"].startswith("UNODC GP-1 (delivered")


def test_an_old_or_cancelled_event_does_not_cover(campaign, tmp_path):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    agency = make_agency("Kenya police", "KE", Agency.Kind.POLICE)
    invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
    submit_ratings(invitation, {"DF-02": (5, 1)})
    long_ago = timezone.localdate() - datetime.timedelta(days=365 * 3)
    soon = timezone.localdate() + datetime.timedelta(days=30)
    run(
        write(
            tmp_path,
            [
                f"A,1,FOR-201,,,{long_ago},{long_ago},delivered,KE,,,Kenya police,,,,\n",
                f"B,2,FOR-201,,,{soon},{soon},cancelled,KE,,,Kenya police,,,,\n",
            ],
        )
    )

    forensics = results.training_plan(campaign, results.Filters()).courses.set_index("code")

    assert forensics.at["FOR-201", "covered"] == 0
    assert forensics.at["FOR-201", "agencies_needing"] == 1


def test_who_does_what_where_warns_of_two_providers_planning_the_same_course(
    client, registry, tmp_path
):
    from surveys.models import UserRole
    from tests.conftest import make_user

    soon = timezone.localdate() + datetime.timedelta(days=60)
    later = soon + datetime.timedelta(days=120)
    run(
        write(
            tmp_path,
            [
                GOOD[0],
                f"UNODC,P-1,FOR-201,,,{soon},{soon},planned,KE,Nairobi,en,,,,,\n",
                f"INTERPOL,X-9,FOR-201,,,{later},{later},planned,KE,Mombasa,en,,,,,\n",
                f"INTERPOL,X-10,FOR-201,,,{later},{later},cancelled,NG,Abuja,en,,,,,\n",
            ],
        )
    )
    client.force_login(make_user("trainer", UserRole.Role.TRAINER))

    page = client.get("/training/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Possible duplication" in html
    assert "FOR-201 is planned by UNODC" in html and "and by INTERPOL" in html
    assert "Abuja" not in html  # cancelled
    assert (
        "Kenya police; DCI Cybercrime Unit" in html or "DCI Cybercrime Unit; Kenya police" in html
    )


def test_a_focal_point_sees_the_registry_of_their_own_state_only(client, registry, tmp_path):
    from surveys.models import UserRole
    from tests.conftest import make_user

    soon = timezone.localdate() + datetime.timedelta(days=60)
    run(
        write(
            tmp_path,
            [
                f"UNODC,P-1,FOR-201,,,{soon},{soon},planned,KE,Nairobi,en,,,,,\n",
                f"UNODC,P-2,FOR-201,,,{soon},{soon},planned,NG,Abuja,en,,,,,\n",
            ],
        )
    )
    client.force_login(make_user("focal-ng", UserRole.Role.FOCAL_POINT, "NG"))

    html = client.get("/training/?country=KE").content.decode()

    assert "Abuja" in html and "Nairobi" not in html


def test_a_coordinator_imports_events_in_the_admin_and_sees_the_problems(client, registry):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.org", "pw"))
    url = "/admin/surveys/trainingevent/import/"

    bad = client.post(url, {"file": SimpleUploadedFile("e.csv", (HEADER + GOOD[0]).replace(
        "delivered", "done").encode())})  # fmt: skip
    good = client.post(url, {"file": SimpleUploadedFile("e.csv", (HEADER + GOOD[0]).encode())})

    assert "is not a status" in bad.content.decode()
    assert good.status_code == 302
    assert TrainingEvent.objects.get().reference == "GP-2025-07"
