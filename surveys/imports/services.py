"""Importing responses collected elsewhere into a campaign (read by
surveys/imports/collected.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.imports.collected import ImportRefused, read_collected
from surveys.models import Answer
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import services as response_services

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from surveys.models import Campaign

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import did, or (dry run, or a file with problems) would do."""

    filename: str
    dry_run: bool
    rows: int = 0
    saved: int = 0
    submitted: int = 0
    drafts: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    @property
    def written(self):
        return not self.dry_run and not self.problems


def responses_import(
    *,
    campaign: Campaign,
    data: bytes,
    filename: str,
    agency_column: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
    actor: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import an export of responses collected elsewhere into `campaign`.

    A file with any problem writes nothing; its problems are all listed. An
    answer already given online (or by an earlier import) that the file
    contradicts is kept and reported, unless `overwrite`. A response the
    agency submitted online is changed only with `overwrite`. A row whose
    answers complete the response submits it, as the tool it came from
    did; otherwise the response stays a draft for the agency to finish.
    Raises ImportRefused for a file that cannot be read at all.
    """
    reading = read_collected(data, filename, campaign, agency_column=agency_column)
    report = ImportReport(filename=filename, dry_run=dry_run, rows=len(reading.rows))
    report.problems = [str(problem) for problem in reading.problems]
    report.notices = list(reading.notices)
    if report.problems:
        return report
    structure = questionnaire_selectors.questionnaire_structure(campaign.questionnaire)
    with transaction.atomic():
        for row in reading.rows:
            _import_row(row, structure, report, overwrite=overwrite, actor=actor)
        if dry_run:
            transaction.set_rollback(True)
    log.info(
        "import of %s into %s: %d rows, %d answers saved%s",
        filename,
        campaign.code,
        report.rows,
        report.saved,
        " (dry run)" if dry_run else "",
    )
    return report


def _import_row(row, structure, report, *, overwrite, actor):
    agency = row.invitation.agency
    response = response_services.response_open(invitation=row.invitation)
    rows = list(
        Answer.objects.filter(response=response).values_list(
            "question__code", "value", "saved_version"
        )
    )
    stored = {code: value for code, value, _version in rows}
    # Pre-filled answers (saved_version 0) are the agency's record, not answers given.
    given = {code: value for code, value, version in rows if version > 0}
    changes = {}
    for code, value in row.values.items():
        current = stored.get(code, "")
        if value == current:
            continue
        if given.get(code) and not overwrite:
            report.notices.append(
                _(
                    "row %(row)s (%(agency)s), question %(code)s: answered '%(given)s' "
                    "already, the file says '%(file)s'; the answer given is kept (import with "
                    "overwrite to replace it)."
                )
                % {
                    "row": row.number,
                    "agency": agency,
                    "code": code,
                    "given": given[code],
                    "file": value,
                }
            )
            continue
        changes[code] = value
    if not changes:
        report.unchanged += 1
        return
    if response.is_submitted:
        if not overwrite:
            report.notices.append(
                _(
                    "row %(row)s (%(agency)s): the response was submitted already, so its "
                    "answers are kept; import with overwrite to replace them."
                )
                % {"row": row.number, "agency": agency}
            )
            report.unchanged += 1
            return
        response = response_services.response_reopen(response=response)
    by_code = {question.code: question for question in structure.questions}
    outcome = response_services.response_save_answers(
        response=response,
        questions=[by_code[code] for code in changes],
        values=changes,
        base_version=response.version,
        actor=actor,
        reason=f"imported from {report.filename}, row {row.number}",
    )
    report.saved += outcome.saved
    answers = {**stored, **changes}
    missing = rules.missing_required(structure, answers)
    if missing:
        report.drafts += 1
        report.notices.append(
            ngettext(
                "row %(row)s (%(agency)s): %(count)s required answer is missing (%(codes)s), "
                "so the response stays a draft for the agency to finish.",
                "row %(row)s (%(agency)s): %(count)s required answers are missing (%(codes)s), "
                "so the response stays a draft for the agency to finish.",
                len(missing),
            )
            % {
                "row": row.number,
                "agency": agency,
                "count": len(missing),
                "codes": ", ".join(question.code for question in missing[:5])
                + ("…" if len(missing) > 5 else ""),
            }
        )
        return
    response_services.response_submit(response=response)
    report.submitted += 1


__all__ = ["ImportRefused", "ImportReport", "responses_import"]
