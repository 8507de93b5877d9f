"""Only coordinators use the admin: its pages show one agency's answers,
links and uploads. A staff account holding every model permission but the
role of trainer or focal point, or no role, gets none of them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from surveys.models import Country, OfflineUpload, UserRole
from surveys.respond import services as response_services

pytestmark = pytest.mark.django_db


def staff_with_every_permission(username, role=None, country=None):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="surveys"))
    if role:
        UserRole.objects.create(
            user=user, role=role, country=Country.objects.get(code=country) if country else None
        )
    return user


@pytest.fixture
def answered(invitation):
    response = response_services.response_open(invitation=invitation)
    questions = {q.code: q for q in invitation.campaign.questionnaire.questions.all()}
    response_services.response_save_answers(
        response=response,
        questions=[questions["role"]],
        values={"role": "investigator"},
        base_version=response.version,
    )
    upload = OfflineUpload.objects.create(
        invitation=invitation, original_name="filled.xlsx", size=3, outcome="refused"
    )
    upload.file.save("filled.xlsx", ContentFile(b"abc"))
    return response, upload


def answer_pages(response, upload):
    return [
        reverse("admin:index"),
        reverse("admin:surveys_response_changelist"),
        reverse("admin:surveys_response_change", args=[response.pk]),
        reverse("admin:surveys_response_history", args=[response.pk]),
        reverse("admin:surveys_invitation_changelist"),
        reverse("admin:surveys_invitation_change", args=[response.invitation_id]),
        reverse("admin:surveys_offlineupload_changelist"),
        reverse("admin:surveys_offlineupload_change", args=[upload.pk]),
        reverse("admin:surveys_questionnaire_import"),
        reverse("admin:surveys_course_import"),
        reverse("admin:surveys_campaign_import_responses", args=[response.invitation.campaign_id]),
    ]


@pytest.mark.parametrize(
    "role, country",
    [("trainer", None), ("focal_point", "KE"), (None, None)],
    ids=["trainer", "focal point", "staff without a role"],
)
def test_staff_who_are_not_coordinators_get_no_admin_page(client, answered, role, country):
    client.force_login(staff_with_every_permission("someone", role, country))

    for url in answer_pages(*answered):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith(reverse("admin:login")), url


def test_a_focal_point_cannot_read_an_agencys_answers_in_the_admin(client, answered):
    response, _ = answered
    client.force_login(staff_with_every_permission("focal-ke", "focal_point", "KE"))

    page = client.get(reverse("admin:surveys_response_change", args=[response.pk]))

    assert "investigator" not in page.content.decode()


def test_a_coordinator_with_staff_rights_sees_every_page(client, answered):
    client.force_login(staff_with_every_permission("coordinator", "coordinator"))

    for url in answer_pages(*answered):
        assert client.get(url).status_code == 200, url
    response, _ = answered
    page = client.get(reverse("admin:surveys_response_change", args=[response.pk]))
    assert "investigator" in page.content.decode()


def test_a_coordinator_still_needs_the_django_permissions_for_a_page(client, answered):
    user = get_user_model().objects.create_user("bare", password="pw", is_staff=True)
    UserRole.objects.create(user=user, role="coordinator")
    client.force_login(user)

    page = client.get(reverse("admin:surveys_response_changelist"))

    assert page.status_code == 403


def test_a_superuser_sees_every_page(client, answered):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))

    for url in answer_pages(*answered):
        assert client.get(url).status_code == 200, url
