"""How to read the training plan, in the active language: the note the
plan's page, the workbook and the country report show, with the settings the
plan was computed with (analysis.plan.plan_note)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def how_to_read(*, threshold, min_n, participants_per_agency, cost_per_participant_day):
    sentences = [
        # Translators: %(threshold)s is a number of points on the rating scale.
        _(
            "An agency needs a course when, for at least one of the competencies the course "
            "builds, it rated importance at least %(threshold)s points above its current "
            "capability (1–5 scale)."
        )
        % {"threshold": f"{threshold:g}"},
        # Translators: 'Before training' is the title of the plan's list of preconditions.
        _(
            "It is counted for the course only when its kind of agency is in the course's "
            "audience, it has the legal powers and resources the course depends on (otherwise "
            "it is listed under 'Before training' with a recommendation on legislation, "
            "equipment or access), and it has staff to train."
        ),
        ngettext(
            "The need score is the mean, over the course's competencies, of Borich's mean "
            "weighted discrepancy score (MWDS = mean of (importance − capability) × mean "
            "importance, over all respondents, each agency counting once); competencies rated "
            "by fewer than %(count)d respondent are left out.",
            "The need score is the mean, over the course's competencies, of Borich's mean "
            "weighted discrepancy score (MWDS = mean of (importance − capability) × mean "
            "importance, over all respondents, each agency counting once); competencies rated "
            "by fewer than %(count)d respondents are left out.",
            min_n,
        )
        % {"count": min_n},
        _("Priority 1 is the highest score."),
        # Translators: %(participants)d is a number of participants per agency.
        _(
            "Participants are the staff each agency said need training in the course's area; "
            "where an agency gave no number, %(participants)d per agency is assumed, and the "
            "number assumed is shown."
        )
        % {"participants": participants_per_agency},
        # Translators: %(cost)s is an amount in US dollars, such as 250.
        _("Cost = days × participants × US$%(cost)s per participant-day.")
        % {"cost": f"{cost_per_participant_day:,g}"},
        # Translators: 'English 6' is an example of a cohort: six agencies taught in English.
        ngettext(
            "Cohorts give, per UN region, the number of agencies per language their staff can "
            "attend ('English 6'); a cohort's countries are named only when it holds at least "
            "%(count)d agency.",
            "Cohorts give, per UN region, the number of agencies per language their staff can "
            "attend ('English 6'); a cohort's countries are named only when it holds at least "
            "%(count)d agencies.",
            min_n,
        )
        % {"count": min_n},
    ]
    return " ".join(sentences)
