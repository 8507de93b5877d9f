"""Receiving a filled offline questionnaire workbook (read by surveys/offline/read.py)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys import offline
from surveys.models import OfflineUpload
from surveys.offline.texts import long_date
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import selectors as response_selectors
from surveys.respond import services as response_services

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from surveys.models import Invitation

log = logging.getLogger(__name__)

Outcome = OfflineUpload.Outcome


def _stored_name(invitation, filename):
    # The original name is kept in original_name; the file on disk gets a
    # plain one, so nothing typed by the uploader ends up in a path.
    suffix = PurePath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ".bin"
    return f"invitation-{invitation.pk}{suffix}"


def _refusal_for(invitation, response):
    campaign = invitation.campaign
    if not campaign.is_open():
        return _(
            # Translators: %(code)s is an assessment round's code, e.g. R1.
            "The assessment round %(code)s is not open (it runs from %(opens)s to %(closes)s, "
            "unless it was closed earlier): answers cannot be changed."
        ) % {
            "code": campaign.code,
            "opens": long_date(campaign.opens_on),
            "closes": long_date(campaign.closes_on),
        }
    if response.is_submitted:
        return _(
            "This questionnaire has been submitted and its answers are locked, so the "
            "workbook was not read. Ask the coordinator to reopen the response if something "
            "must change."
        )
    return None


@transaction.atomic
def offline_upload_receive(
    *,
    invitation: Invitation,
    data: bytes,
    filename: str,
    actor: AbstractBaseUser | None = None,
) -> OfflineUpload:
    """Read an uploaded offline workbook, save its valid answers and keep the file.

    Returns the OfflineUpload with its outcome, the number of answers saved
    and every problem and notice. The file is stored whatever the outcome,
    except when it is over the size limit: then the returned OfflineUpload
    is not saved and nothing is written.

    Answers are saved through response_services.response_save_answers as the latest
    word (base version = the response's current version), by `actor` (a
    coordinator, or None for the agency through its link). Empty cells do
    not clear stored answers: a copy filled offline over several days must
    not wipe answers given online in the meantime.
    """
    upload = OfflineUpload(
        invitation=invitation,
        original_name=PurePath(filename or "workbook.xlsx").name[:255],
        size=len(data),
        uploaded_by=actor,
        outcome=Outcome.REFUSED,
    )
    limit = offline.max_upload_bytes()
    if len(data) > limit:
        upload.problems = [_entry(_too_big(len(data), limit))]
        return upload
    too_often = actor is None and _too_often(invitation)
    if too_often:
        upload.problems = [_entry(too_often)]
        return upload

    response = response_services.response_open(invitation=invitation)
    refusal = _refusal_for(invitation, response)
    if refusal is None:
        try:
            _save_answers(upload, invitation, response, data, actor)
        except (offline.WorkbookRefused, response_services.ResponseLocked) as error:
            refusal = str(error)
    if refusal is not None:
        upload.outcome = Outcome.REFUSED
        upload.saved_answers = 0
        upload.problems = [_entry(refusal)]
    _keep(upload, invitation, data)
    log.info(
        "offline upload %s for invitation %s: %s, %d saved",
        upload.pk,
        invitation.pk,
        upload.outcome,
        upload.saved_answers,
    )
    return upload


def _too_often(invitation):
    """Why an upload through the link must wait, or None: at most
    OFFLINE_UPLOADS_PER_HOUR in the last hour."""
    limit = settings.OFFLINE_UPLOADS_PER_HOUR
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = invitation.offline_uploads.filter(uploaded_by=None, uploaded_at__gt=since)
    times = sorted(recent.values_list("uploaded_at", flat=True))
    if len(times) < limit:
        return None
    again = timezone.localtime(times[-limit] + datetime.timedelta(hours=1))
    return ngettext(
        # Translators: %(time)s is a time of day such as 14:30, %(zone)s its time zone.
        "This link has uploaded %(count)s workbook in the last hour, the most it may. "
        "Try again after %(time)s (%(zone)s); nothing was read or kept.",
        "This link has uploaded %(count)s workbooks in the last hour, the most it may. "
        "Try again after %(time)s (%(zone)s); nothing was read or kept.",
        len(times),
    ) % {"count": len(times), "time": f"{again:%H:%M}", "zone": f"{again:%Z}"}


def _keep(upload, invitation, data):
    """Store the upload. Accepted files are always kept; of the refused ones,
    the same file once, and the last OFFLINE_REFUSED_KEPT per invitation."""
    upload.sha256 = hashlib.sha256(data).hexdigest()
    refused = invitation.offline_uploads.filter(outcome=Outcome.REFUSED).exclude(file="")
    twin = (
        refused.filter(sha256=upload.sha256).first() if upload.outcome == Outcome.REFUSED else None
    )
    if twin:
        upload.file.name = twin.file.name
    else:
        name = _stored_name(invitation, upload.original_name)
        upload.file.save(name, ContentFile(data), save=False)
    upload.save()
    names = list(refused.order_by("-uploaded_at", "-pk").values_list("file", flat=True))
    kept = list(dict.fromkeys(names))[: settings.OFFLINE_REFUSED_KEPT]
    old = refused.exclude(file__in=kept)
    for name in set(old.values_list("file", flat=True)):
        upload.file.storage.delete(name)
    old.update(file="")


def _save_answers(upload, invitation, response, data, actor):
    structure = questionnaire_selectors.questionnaire_structure(invitation.campaign.questionnaire)
    reading = offline.read_offline_upload(
        data, invitation, answers=response_selectors.response_answers(response), structure=structure
    )
    problems = list(reading.problems)
    saved = 0
    if reading.values:
        by_code = {question.code: question for question in structure.questions}
        outcome = response_services.response_save_answers(
            response=response,
            questions=[by_code[code] for code in reading.values],
            values=reading.values,
            base_version=response.version,
            actor=actor,
            reason=f"offline workbook {upload.original_name}",
        )
        saved = outcome.saved
        places = {code: (sheet, cell) for sheet, cell, code in reading.binding.cells}
        problems += [
            offline.Problem(
                _(
                    "this answer was changed online while the workbook was being read, so it "
                    "was not saved; upload the workbook again to keep its value."
                ),
                *places[conflict.question.code],
            )
            for conflict in outcome.conflicts
        ]
    upload.saved_answers = saved
    upload.outcome = Outcome.PARTLY if problems else Outcome.SAVED
    upload.problems = [_entry(p.message, p.sheet, p.cell) for p in problems] + [
        _entry(n.message, n.sheet, n.cell, kind="notice") for n in reading.notices
    ]


def _too_big(size, limit):
    """Why a file of `size` bytes is refused, the limit being `limit` bytes."""
    return _("The file is %(size)s KB; the limit is %(limit)s KB.") % {
        "size": size // 1024,
        "limit": limit // 1024,
    }


def _entry(message, sheet="", cell="", kind="problem"):
    # Stored as text, in the language of the upload.
    return {"kind": kind, "sheet": sheet, "cell": cell, "message": str(message)}
