"""`manage.py training_plan` on a small hand-made campaign: the checked plan
end to end, from the database to JSON and CSV."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, KindAudience
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_round(campaign):
    """Forensic examination (DF-02, FOR-201) is needed by everyone:
    two Kenyan police units (one without forensic hardware), a Nigerian
    specialised unit that gave no staff count, and two prosecution services."""
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    agencies = [
        ("Kenya police A", "KE", Agency.Kind.POLICE, {"DF-R01": "yes", "DF-staff": "12"}),
        ("Kenya police B", "KE", Agency.Kind.POLICE, {"DF-R01": "no", "DF-staff": "30"}),
        ("Nigeria unit", "NG", Agency.Kind.SPECIALISED_UNIT, {"DF-R01": "partly"}),
        ("Kenya prosecution", "KE", Agency.Kind.PROSECUTION, {"DF-staff": "9"}),
        ("Nigeria prosecution", "NG", Agency.Kind.PROSECUTION, {}),
    ]
    for name, country, kind, answers in agencies:
        agency = make_agency(name, country, kind)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (5, 1)}, legal=answers)
    return campaign


def plan_json(*options):
    out = io.StringIO()
    call_command("training_plan", "--campaign", "R1", *options, stdout=out)
    return json.loads(out.getvalue())


def course(data, code):
    return next(course for course in data["courses"] if course["code"] == code)


def test_a_prosecution_service_is_never_counted_for_a_forensic_examiners_course(checked_round):
    names = [agency["name"] for agency in course(plan_json(), "FOR-201")["agencies"]]

    assert names == ["Kenya police A", "Nigeria unit"]


def test_an_agency_without_the_power_is_listed_under_preconditions_not_the_course(checked_round):
    data = plan_json()

    lacking = [
        (item["agency"]["name"], item["question"], item["courses"])
        for item in data["preconditions"]
    ]
    assert ("Kenya police B", "DF-R01", ["FOR-201"]) in lacking
    item = next(i for i in data["preconditions"] if i["agency"]["name"] == "Kenya police B")
    assert item["recommendation"].startswith("Equipment or access: Does your agency have the")
    assert course(data, "FOR-201")["held_back"] == 1


def test_participants_are_summed_from_the_answers(checked_round):
    forensics = course(plan_json(), "FOR-201")

    # Kenya police A said 12; the Nigerian unit gave no number: 2, assumed.
    assert forensics["participants"] == 14
    assert forensics["participants_assumed"] == 1
    by_name = {agency["name"]: agency for agency in forensics["agencies"]}
    assert by_name["Kenya police A"]["participants"] == 12
    assert by_name["Nigeria unit"]["participants_assumed"] is True
    assert by_name["Kenya police A"]["competencies"] == [{"competency": "DF-02", "gap": 4.0}]
    assert forensics["cost_usd"] == 5 * 14 * 250


def test_a_coordinator_can_change_which_audiences_a_kind_trains(checked_round):
    KindAudience.objects.filter(kind="prosecution").update(
        audiences=["prosecutors", "forensic_examiners"]
    )

    names = [agency["name"] for agency in course(plan_json(), "FOR-201")["agencies"]]

    assert "Kenya prosecution" in names


def test_csv_has_one_row_per_course_and_agency(checked_round, tmp_path):
    path = tmp_path / "plan.csv"

    call_command(
        "training_plan", "--campaign", "R1", "--format", "csv", "--output", str(path),
        stdout=io.StringIO(),
    )  # fmt: skip

    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    forensics = [row for row in rows if row["code"] == "FOR-201"]
    assert [
        (row["agency"], row["participants"], row["participants_assumed"]) for row in forensics
    ] == [
        ("Kenya police A", "12", ""),
        ("Nigeria unit", "2", "assumed"),
    ]


def test_an_unknown_campaign_is_named(db):
    with pytest.raises(CommandError, match="No campaign 'NOPE'"):
        call_command("training_plan", "--campaign", "NOPE", stdout=io.StringIO())
