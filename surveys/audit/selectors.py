"""The audit trail of one campaign, read from the simple-history tables.

Every recorded change to an answer, an invitation, one of its links, a
response's status or the campaign itself becomes a Change: when, which
agency, what, from → to, who and why.

"From" is found by pairing each historical record with the one before it for
the same object: one query per table, ordered by (object, date), paired in
Python. (A record's `prev_record` would cost a query per row.) The number of
queries is the same whatever the number of changes.

Objects are found through the history tables themselves (an answer through
its response's and invitation's historical records), so changes stay in the
trail after the object is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from surveys.models import Agency, Answer, Campaign, Invitation, InvitationLink, Response
from surveys.respond import services as response_services

LINK_USER = gettext_lazy("agency via link")
NO_USER = gettext_lazy("no signed-in user")

HISTORY_FIELDS = (
    "id",
    "history_id",
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user__username",
)
CREATED, CHANGED, DELETED = "+", "~", "-"


@dataclass(frozen=True)
class Change:
    when: datetime
    agency: str  # empty for changes to the campaign itself
    subject: str  # a question code, "Invitation", "Link 12", "Response", "Campaign"
    action: str
    before: str
    after: str
    who: str
    reason: str


def campaign_audit(campaign: Campaign, *, agency_id: int | None = None) -> list[Change]:
    """The campaign's changes, newest first. With `agency_id`, only that
    agency's invitation, links, response and answers (not the campaign's)."""
    invitations = _history(Invitation).filter(campaign_id=campaign.pk)
    if agency_id is not None:
        invitations = invitations.filter(agency_id=agency_id)
    invitation_ids = invitations.values("id")
    responses = _history(Response).filter(invitation_id__in=invitation_ids)
    response_ids = responses.values("id")

    invitation_rows = list(
        invitations.values(
            *HISTORY_FIELDS,
            "agency_id",
            "opened_at",
            "revoked_at",
            "reminders_sent",
            "last_reminded_at",
        )
    )
    link_rows = list(
        _history(InvitationLink)
        .filter(invitation_id__in=invitation_ids)
        .values(*HISTORY_FIELDS, "invitation_id", "revoked_at")
    )
    response_rows = list(responses.values(*HISTORY_FIELDS, "invitation_id", "status"))
    answer_rows = list(
        _history(Answer)
        .filter(response_id__in=response_ids)
        .values(*HISTORY_FIELDS, "response_id", "value", "question__code")
    )

    agency_of_invitation = {row["id"]: row["agency_id"] for row in invitation_rows}
    names = _agency_names(set(agency_of_invitation.values()))

    def agency_of(invitation_id):
        agency = agency_of_invitation.get(invitation_id)
        # Translators: an agency since deleted, by its number.
        return names.get(agency, _("agency %(number)s") % {"number": agency} if agency else "")

    invitation_of_response = {row["id"]: row["invitation_id"] for row in response_rows}
    changes = [
        *_invitation_changes(invitation_rows, agency_of),
        *_link_changes(link_rows, agency_of),
        *_response_changes(response_rows, agency_of),
        *_answer_changes(
            answer_rows, lambda response_id: agency_of(invitation_of_response.get(response_id))
        ),
    ]
    if agency_id is None:
        campaign_rows = _history(Campaign).filter(id=campaign.pk)
        changes += _campaign_changes(
            campaign_rows.values(
                *HISTORY_FIELDS, "code", "name", "opens_on", "closes_on", "closed_at"
            )
        )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def campaign_agencies(campaign: Campaign) -> list[tuple[int, str]]:
    """(agency id, label) for the campaign's invited agencies, for a filter."""
    invitations = (
        Invitation.objects.filter(campaign=campaign)
        .select_related("agency__country")
        .order_by("agency__country__name", "agency__name")
    )
    return [(invitation.agency_id, str(invitation.agency)) for invitation in invitations]


def _history(model):
    return model.history.model.objects.order_by("id", "history_date", "history_id")


def _agency_names(ids):
    agencies = Agency.objects.filter(pk__in=ids).values_list("pk", "name", "country__code")
    return {pk: f"{name} ({country})" for pk, name, country in agencies}


def _pairs(rows):
    """(previous record of the same object or None, record), for records
    ordered by object then date. A record after a deletion has no previous."""
    previous = None
    for row in rows:
        same = previous is not None and previous["id"] == row["id"]
        yield (previous if same and previous["history_type"] != DELETED else None), row
        previous = row


def _who(row, *, by_link=False):
    if row["history_user__username"]:
        return row["history_user__username"]
    if by_link or row["history_change_reason"] == response_services.RESPONDENT:
        return str(LINK_USER)
    return str(NO_USER)


def _change(row, agency, subject, action, before="", after="", *, by_link=False):
    return Change(
        when=row["history_date"],
        agency=agency,
        subject=subject,
        action=action,
        before=_text(before),
        after=_text(after),
        who=_who(row, by_link=by_link),
        reason=row["history_change_reason"] or "",
    )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _answer_changes(rows, agency_of):
    for previous, row in _pairs(rows):
        agency, code = agency_of(row["response_id"]), row["question__code"]
        if row["history_type"] == CREATED:
            yield _change(row, agency, code, pgettext("audit trail", "answered"), "", row["value"])
        elif row["history_type"] == DELETED:
            yield _change(row, agency, code, pgettext("audit trail", "cleared"), row["value"], "")
        elif previous is None or previous["value"] != row["value"]:
            before = previous["value"] if previous else _("(not recorded)")
            yield _change(
                row, agency, code, pgettext("audit trail", "changed"), before, row["value"]
            )


def _invitation_changes(rows, agency_of):
    """Opening and reminders are found by the first time each value is seen
    for the invitation, not by comparing neighbours: a record is a snapshot
    of the saved object, and an object saved with `update_fields` from a
    stale copy records stale values for the fields it did not save."""
    opened, reminded, subject = set(), {}, _("Invitation")
    for previous, row in _pairs(rows):
        agency, pk = agency_of(row["id"]), row["id"]
        if row["history_type"] == CREATED:
            yield _change(row, agency, subject, pgettext("audit trail", "invited"))
        elif row["history_type"] == DELETED:
            yield _change(row, agency, subject, pgettext("audit trail", "deleted"))
        if row["opened_at"] and pk not in opened:
            opened.add(pk)
            yield _change(
                row, agency, subject, pgettext("audit trail", "link opened"), by_link=True
            )
        last_count, last_at = reminded.get(pk, (0, None))
        if row["last_reminded_at"] and (last_at is None or row["last_reminded_at"] > last_at):
            reminded[pk] = (row["reminders_sent"], row["last_reminded_at"])
            yield _change(
                row,
                agency,
                subject,
                pgettext("audit trail", "reminder sent"),
                last_count,
                row["reminders_sent"],
            )
        if previous is None or row["history_type"] != CHANGED:
            continue
        if row["revoked_at"] and not previous["revoked_at"]:
            yield _change(row, agency, subject, pgettext("audit trail", "all links withdrawn"))
        if previous["revoked_at"] and not row["revoked_at"]:
            yield _change(
                row, agency, subject, pgettext("audit trail", "withdrawal lifted with a new link")
            )


def _link_changes(rows, agency_of):
    for previous, row in _pairs(rows):
        agency = agency_of(row["invitation_id"])
        subject = _("Link %(number)s") % {"number": row["id"]}
        if row["history_type"] == CREATED:
            yield _change(row, agency, subject, pgettext("audit trail", "link issued"))
        elif row["history_type"] == DELETED:
            yield _change(row, agency, subject, pgettext("audit trail", "link deleted"))
        elif previous is not None and row["revoked_at"] and not previous["revoked_at"]:
            yield _change(row, agency, subject, pgettext("audit trail", "link withdrawn"))


def _response_changes(rows, agency_of):
    labels = dict(Response.Status.choices)
    submitted, subject = Response.Status.SUBMITTED, _("Response")
    for previous, row in _pairs(rows):
        agency, status = agency_of(row["invitation_id"]), row["status"]
        if row["history_type"] == CREATED:
            if status == submitted:
                yield _change(
                    row, agency, subject, pgettext("audit trail", "submitted"), "", labels[status]
                )
        elif row["history_type"] == DELETED:
            yield _change(
                row,
                agency,
                subject,
                pgettext("audit trail", "deleted"),
                labels.get(status, status),
                "",
            )
        elif previous is not None and previous["status"] != status:
            action = (
                pgettext("audit trail", "submitted")
                if status == submitted
                else pgettext("audit trail", "reopened")
            )
            yield _change(
                row,
                agency,
                subject,
                action,
                labels.get(previous["status"], previous["status"]),
                labels.get(status, status),
                by_link=status == submitted,
            )


CAMPAIGN_FIELDS = {
    "name": pgettext_lazy("audit trail", "name changed"),
    "opens_on": pgettext_lazy("audit trail", "opening date changed"),
    "closes_on": pgettext_lazy("audit trail", "deadline changed"),
}


def _campaign_changes(rows):
    subject = _("Campaign")
    for previous, row in _pairs(rows):
        if row["history_type"] == CREATED:
            yield _change(row, "", subject, pgettext("audit trail", "created"), "", row["code"])
            continue
        if previous is None:
            continue
        if row["closed_at"] and not previous["closed_at"]:
            yield _change(row, "", subject, pgettext("audit trail", "closed"))
        if previous["closed_at"] and not row["closed_at"]:
            yield _change(row, "", subject, pgettext("audit trail", "reopened"))
        for field, action in CAMPAIGN_FIELDS.items():
            if row[field] != previous[field]:
                yield _change(row, "", subject, str(action), previous[field], row[field])
