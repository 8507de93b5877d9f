"""The country report: a Word document (python-docx) that a programme
officer edits and sends to the State, from its StateProfile
(analysis.state_profile): the chart of gaps by domain, the ranked needs,
what to put in place before training, the proposed courses and the other
remedies the agencies named, and who answered. Pure: it only writes."""

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from . import plan as plan_module
from .profiles import EQUAL_STATES, UNWEIGHTED

STYLE = "Light Grid Accent 1"


def _number(value, places=1):
    return "" if value is None else f"{float(value):.{places}f}"


def _share(value):
    return _("not shown") if value is None else f"{100 * float(value):.0f}%"


def _table(document, header, rows, widths=None):
    table = document.add_table(rows=1, cols=len(header))
    table.style = STYLE
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    if widths:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
            if widths:
                cell.width = Cm(widths[index])
    return table


def write_report(profile, chart_png, output, *, exported_at=""):
    """Write the report of `profile` to `output` (a path or binary file)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    document.styles["Normal"].font.size = Pt(10)
    country = profile.country
    document.add_heading(_("Training needs of %(country)s") % {"country": country.name}, level=0)
    document.add_paragraph(_introduction(profile, exported_at))
    if profile.withheld:
        document.add_paragraph(
            ngettext(
                "Fewer than %(count)d agency of %(country)s is in the released results, or they "
                "could be singled out: this report shows no figures.",
                "Fewer than %(count)d agencies of %(country)s are in the released results, or "
                "they could be singled out: this report shows no figures.",
                profile.min_n,
            )
            % {"count": profile.min_n, "country": country.name}
        )
        _save(document, output)
        return
    _summary(document, profile)
    document.add_heading(_("Gaps by domain"), level=1)
    document.add_picture(io.BytesIO(chart_png), width=Cm(16.5))
    _domains(document, profile)
    _needs(document, profile)
    _before_training(document, profile)
    _courses(document, profile)
    _remedies(document, profile)
    _responses(document, profile)
    document.add_heading(_("How to read this report"), level=1)
    for text in (EQUAL_STATES, UNWEIGHTED, plan_module.plan_note(min_n=profile.min_n)):
        document.add_paragraph(str(text))
    _save(document, output)


def _introduction(profile, exported_at):
    country, campaign = profile.country, profile.campaign
    names = {"campaign": campaign.name, "code": campaign.code, "date": exported_at}
    if exported_at:
        # Translators: %(campaign)s and %(code)s name the campaign; %(date)s is a date.
        text = _(
            "%(campaign)s (%(code)s). Draft for discussion with the national authorities, "
            "exported %(date)s."
        )
    else:
        # Translators: %(campaign)s and %(code)s name the campaign.
        text = _("%(campaign)s (%(code)s). Draft for discussion with the national authorities.")
    text %= names
    if profile.invited is not None:
        answered = ngettext(
            "%(submitted)d of %(count)d invited agency of %(country)s answered.",
            "%(submitted)d of %(count)d invited agencies of %(country)s answered.",
            profile.invited,
        ) % {"submitted": profile.submitted, "count": profile.invited, "country": country.name}
        text += " " + answered
    return text


def _save(document, output):
    document.core_properties.title = _("Country report")
    document.save(output)


def _summary(document, profile):
    statements = profile.labels["competencies"]
    top = [
        f"{row['competency']} {statements.get(row['competency'], '')}".strip()
        for row in profile.needs.head(3).to_dict("records")
    ]
    courses = profile.courses()[:PROPOSED]
    document.add_heading(_("In brief"), level=1)
    if top:
        # Translators: %(needs)s lists competencies, separated by semicolons.
        document.add_paragraph(_("The largest needs: %(needs)s.") % {"needs": "; ".join(top)})
    preconditions = 0 if profile.plan is None else len(profile.plan.preconditions)
    proposed = ngettext(
        "%(count)d course of the catalogue is proposed first for %(country)s's agencies;",
        "%(count)d courses of the catalogue are proposed first for %(country)s's agencies;",
        len(courses),
    ) % {"count": len(courses), "country": profile.country.name}
    # Translators: follows "3 courses of the catalogue are proposed first for Kenya's agencies;".
    lacking = ngettext(
        "%(count)d legal power or resource is to be put in place before the training that "
        "depends on it.",
        "%(count)d legal powers or resources are to be put in place before the training that "
        "depends on them.",
        preconditions,
    ) % {"count": preconditions}
    document.add_paragraph(f"{proposed} {lacking}")


def _domains(document, profile):
    labels = profile.labels["domains"]
    rows = [
        (
            labels.get(row["domain"], row["domain"]),
            _number(row["state_gap"]),
            row["state_n"],
            _number(row["region_gap"]) or _("not shown"),
            _number(row["world_gap"]) or _("not shown"),
        )
        for row in profile.domains.sort_values("state_gap", ascending=False).to_dict("records")
    ]
    _table(
        document,
        [_("Domain"), profile.country.name, _("Agencies"), profile.region, _("World")],
        rows,
        [6.5, 2.5, 2, 2.5, 2.5],
    )


def _needs(document, profile):
    document.add_heading(_("Ranked needs"), level=1)
    statements = profile.labels["competencies"]
    rows = [
        (
            row["rank"],
            f"{row['competency']} {statements.get(row['competency'], '')}",
            _number(row["gap_mean"]),
            _number(row["mwds"], 2),
            row["priority"],
            _number(row["region_gap"]) or _("not shown"),
            _number(row["world_gap"]) or _("not shown"),
        )
        for row in profile.needs.to_dict("records")
    ]
    _table(
        document,
        [_("Rank"), _("Competency"), _("Gap"), "MWDS", _("Priority"), profile.region, _("World")],
        rows,
        [1.3, 6.9, 1.3, 1.6, 1.8, 1.6, 1.6],
    )


def _before_training(document, profile):
    document.add_heading(_("Before training: legal powers and resources"), level=1)
    items = profile.labels["items"]
    rows = []
    for row in profile.lacking.to_dict("records"):
        agencies = row["agencies"]
        rows.append(
            (
                f"{row['question']} {items.get(row['question'], '')}",
                "; ".join(agencies) if isinstance(agencies, list) else agencies,
                _share(row["state_share"]),
                _share(row["region_share"]),
                _share(row["world_share"]),
            )
        )
    if not rows:
        document.add_paragraph(_("No agency answered that it lacks a legal power or resource."))
        return
    document.add_paragraph(
        _(
            "The legal powers and resources the State's agencies answered they lack. Where a "
            "course depends on one, the agency is advised on it first and not counted for the "
            "course."
        )
    )
    _table(
        document,
        [_("Power or resource"), _("Agencies lacking it"), _("Share"), profile.region, _("World")],
        rows,
        [6.5, 5, 1.6, 1.8, 1.6],
    )


PROPOSED = 10


def _courses(document, profile):
    document.add_heading(_("Proposed courses"), level=1)
    every = profile.courses()
    courses = every[:PROPOSED]
    if not courses:
        document.add_paragraph(
            _("No course of the catalogue meets a gap of this State's agencies.")
        )
        return
    named = {}
    if profile.own:
        for row in profile.plan.agencies.to_dict("records"):
            named.setdefault(row["code"], []).append(row["agency_name"])
    rows = [
        (
            row["code"],
            row["title"],
            "; ".join(named.get(row["code"], [])) or row["agencies_needing"],
            row["participants"],
            _number(row["duration_days"]),
            f"{float(row['cost_usd']):,.0f}" if row["cost_usd"] is not None else "",
        )
        for row in courses
    ]
    document.add_paragraph(_proposed(len(courses), len(every) - len(courses), profile.country))
    _table(
        document,
        [_("Course"), _("Title"), _("Agencies"), _("Participants"), _("Days"), _("Cost (US$)")],
        rows,
        [2.0, 4.6, 5.2, 2.3, 1.2, 1.9],
    )


def _proposed(shown, more, country):
    """The sentence above the proposed courses: `shown` of them, `more` left out."""
    if not more:
        return ngettext(
            "The %(count)d course that meets the largest needs of %(country)s's agencies, in "
            "priority order.",
            "The %(count)d courses that meet the largest needs of %(country)s's agencies, in "
            "priority order.",
            shown,
        ) % {"count": shown, "country": country.name}
    # Translators: %(shown)d courses are listed; %(count)d more are not.
    return ngettext(
        "The %(shown)d courses that meet the largest needs of %(country)s's agencies, in "
        "priority order; %(count)d more meets smaller needs (see the training plan).",
        "The %(shown)d courses that meet the largest needs of %(country)s's agencies, in "
        "priority order; %(count)d more meet smaller needs (see the training plan).",
        more,
    ) % {"shown": shown, "count": more, "country": country.name}


def _remedies(document, profile):
    if profile.remedies.empty:
        return
    document.add_heading(_("Besides training"), level=1)
    labels = profile.labels["domains"]
    rows = [
        (labels.get(row["domain"], row["domain"]), row["remedy"], row["agencies"])
        for row in profile.remedies.to_dict("records")
    ]
    _table(document, [_("Domain"), _("What would close the gap"), _("Agencies")], rows, [6, 7, 2])


def _responses(document, profile):
    if not profile.status:
        return
    document.add_heading(_("Who answered"), level=1)
    rows = [
        (
            row["agency"],
            row["kind"],
            row["status"],
            date_format(row["submitted_at"], "d F Y") if row["submitted_at"] else "",
        )
        for row in profile.status
    ]
    # Translators: "Kind" is the kind of agency (police, prosecution service, ...).
    _table(document, [_("Agency"), _("Kind"), _("Status"), _("Submitted")], rows, [7, 3.5, 3, 3])
