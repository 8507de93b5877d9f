"""What the dashboard shows, computed once per campaign and filter.

Results are cached until an answer changes: the cache key carries a stamp of
the campaign's submitted responses (how many, and when the last one changed)
and of the agencies, countries and regions they are grouped by, read with one
aggregate query. A save, a submission, a reopening or an agency moved to
another country moves the stamp, so nothing stale is ever served. The key
carries the active language too: the tables hold labels (priorities,
cohorts, recommendations) in it.

Two kinds of reader: `exact` results (coordinators; a focal point, whose
results are their own State's) come from every submitted response, with
small cells suppressed table by table. The others (trainers) see the
campaign's latest release only, and every group that could be singled out
by subtracting one view from another is hidden (analysis.disclosure; README,
"Disclosure control").
"""

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DateTimeField, Max
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from analysis import disclosure, gaps, plan, selectors, snapshot
from analysis.workbook import WorkbookData
from surveys.campaigns import selectors as campaign_selectors
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Country, Question, Region, Response
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires.codebook import codebook, codebook_note
from surveys.registry import events

CACHE_SECONDS = 60 * 60
BREAKDOWNS = ("region", "agency_kind", "role", "country")


@dataclass(frozen=True)
class Filters:
    region: str = ""
    country: str = ""
    agency_kind: str = ""
    role: str = ""

    def active(self):
        return {key: value for key, value in asdict(self).items() if value}

    def key(self):
        return "|".join(f"{key}={value}" for key, value in sorted(self.active().items()))


def min_cell_size():
    return getattr(settings, "TNA_MIN_N", gaps.DEFAULT_MIN_N)


def data_stamp(campaign):
    """What the campaign's submitted answers are now: part of every result's
    cache key. Read once per request where the view pinned it."""
    pinned = getattr(campaign, "_pinned_data_stamp", None)
    if pinned is not None:
        return pinned
    stamp = Response.objects.filter(
        invitation__campaign=campaign, status=Response.Status.SUBMITTED
    ).aggregate(
        count=Count("pk"),
        changed=Max("updated_at"),
        submitted=Max("submitted_at"),
        **REFERENCE,  # what the answers are grouped by (built once, read on every request)
    )
    reference = ":".join(str(stamp[name]) for name in REFERENCE)
    return f"{stamp['count']}:{stamp['changed']}:{stamp['submitted']}|{reference}"


def _latest(model):
    """A stamped model's last change (an index's end), even over no responses."""
    latest = RawSQL(f'SELECT MAX("updated_at") FROM "{model._meta.db_table}"', (), DateTimeField())
    return Coalesce(Max(latest), latest)


REFERENCE = {"agencies": _latest(Agency), "countries": _latest(Country), "regions": _latest(Region)}


def pin_data_stamp(campaign):
    """The data stamp read once for the rest of a request, on a campaign
    object that lives no longer than the request: every result a page or
    chart shows is then of the same data, and none costs another aggregate
    over the campaign's responses (5 ms on PostgreSQL at five rounds of
    4,000; nine of them per filter change before)."""
    campaign._pinned_data_stamp = None
    campaign._pinned_data_stamp = data_stamp(campaign)


def cached(campaign, name, filters, compute, version="exact"):
    # Everything the results depend on: the questionnaire version too, in
    # case a campaign without answers is moved to another one.
    raw = (
        f"{campaign.pk}:{campaign.questionnaire_id}:{data_stamp(campaign)}:{name}:"
        f"{filters.key()}:{min_cell_size()}:{get_language()}"
    )
    key = "tna:" + hashlib.sha256(f"{raw}:{version}".encode()).hexdigest()
    return cache.get_or_set(key, compute, CACHE_SECONDS)


class Frames:
    """The answers one reader's results come from, loaded at most once:
    several results of one request (the workbook's tables, plan and answers)
    share them, and none is loaded when every result comes from the cache.
    For a reader who is not `exact`, the campaign's latest release, and the
    blocks that decide what of it may be published."""

    def __init__(self, campaign, filters, exact=True):
        self.campaign, self.filters, self.exact = campaign, filters, exact
        self._whole = self._frame = self._release = None

    @property
    def release(self):
        if not self.exact and self._release is None:
            self._release = (
                campaign_services.campaign_release(campaign=self.campaign, min_n=min_cell_size())
                or False
            )
        return self._release or None

    def version(self):
        return "exact" if self.exact else f"release-{self.release.number if self.release else 0}"

    def whole(self):
        """Every answer this reader's results may use, unfiltered."""
        if self._whole is None:
            if self.exact:
                stamp = data_stamp(self.campaign)
                self._whole = snapshot.submitted_frame(self.campaign, stamp)
            else:
                released = self.release.responses if self.release else []
                self._whole = selectors.answers_frame([self.campaign], responses=released)
        return self._whole

    def __call__(self):
        if self._frame is None:
            self._frame = gaps.filter_frame(self.whole(), **self.filters.active())
        return self._frame

    def blocks(self):
        """None for an exact reader; else the release's disclosure.Blocks,
        computed once per release and data stamp."""
        if self.exact:
            return None
        return cached(
            self.campaign, "blocks", Filters(), lambda: protection(self.whole()), self.version()
        )


def disclosure_state(campaign, filters, exact):
    """What a page tells a reader of aggregates about what they see: the
    release, whether this selection is hidden, and why."""
    if exact:
        return {"release": None, "hidden_selection": False}
    frames = Frames(campaign, filters, exact=False)

    def compute():
        frame = frames()
        return not frame.empty and not frames.blocks().publishable(frame["response"])

    hidden = cached(campaign, "hidden", filters, compute, frames.version())
    note = disclosure.note(min_cell_size())
    return {"release": frames.release, "hidden_selection": hidden, "disclosure_note": note}


def protection(frame):
    """The blocks of a released answers frame, with the items thin in each."""
    min_n = min_cell_size()
    blocks = disclosure.Blocks(disclosure.make_blocks(frame, min_n), min_n)
    pairs = gaps.rating_pairs(frame)
    blocks.mark_thin("competency", pairs, "competency")
    blocks.mark_thin("domain", pairs, "domain")
    items = frame[frame["dimension"].isin(("legal_power", "resource")) & frame["number"].isna()]
    blocks.mark_thin("question", items.assign(question=items["question"].astype(str)), "question")
    return blocks


def _frame(campaign, filters):
    return gaps.filter_frame(selectors.answers_frame([campaign]), **filters.active())


def overview(campaign, filters, frames=None, *, exact=True):
    """The dashboard's tables: competencies, domains, domains by region and
    by kind of agency, and the legal-power and resource shares."""
    frames = frames or Frames(campaign, filters, exact)

    def compute():
        return overview_tables(frames(), min_cell_size(), frames.blocks())

    return cached(campaign, "overview", filters, compute, frames.version())


def overview_tables(frame, min_n, blocks=None):
    """The dashboard's tables from an answers frame; the ratings are paired
    once for all of them. With `blocks` (disclosure.Blocks), every row that
    could single out a small group by differencing is hidden too, and
    `hidden_selection` says whether the whole selection is."""
    pairs = gaps.rating_pairs(frame, by=["region", "agency_kind"])
    means = gaps.domain_means(pairs, by=["region", "agency_kind"])
    items = gaps.share_items(frame)

    def hide(item, by=None):
        return blocks.hide(frame, by=by, item=item) if blocks else None

    return {
        "respondents": int(frame["response"].nunique()),
        "hidden_selection": bool(blocks) and not blocks.publishable(frame["response"]),
        "competencies": gaps.competency_gaps(
            frame, min_n=min_n, pairs=pairs, hide=hide("competency")
        ),
        "domains": gaps.domain_gaps(frame, min_n=min_n, means=means, hide=hide("domain")),
        "domains_by_region": gaps.domain_gaps(
            frame, by="region", min_n=min_n, means=means, hide=hide("domain", "region")
        ),
        "domains_by_kind": gaps.domain_gaps(
            frame, by="agency_kind", min_n=min_n, means=means, hide=hide("domain", "agency_kind")
        ),
        "shares": gaps.item_shares(items, min_n=min_n, hide=hide("question")),
        "shares_by_region": gaps.item_shares(
            items, by="region", min_n=min_n, hide=hide("question", "region")
        ),
    }


def breakdowns(campaign, filters, *, exact=True):
    """Competency and domain tables by region, kind of agency, role and country."""
    frames = Frames(campaign, filters, exact)

    def compute():
        frame, blocks, min_n = frames(), frames.blocks(), min_cell_size()
        pairs = gaps.rating_pairs(frame, by=list(BREAKDOWNS))

        def hide(item, by):
            return blocks.hide(frame, by=by, item=item) if blocks else None

        return {
            by: {
                "competencies": gaps.competency_gaps(
                    frame, by=by, min_n=min_n, pairs=pairs, hide=hide("competency", by)
                ),
                "domains": gaps.domain_gaps(
                    frame, by=by, min_n=min_n, pairs=pairs, hide=hide("domain", by)
                ),
            }
            for by in BREAKDOWNS
        }

    return cached(campaign, "breakdowns", filters, compute, frames.version())


def training_plan(campaign, filters, frames=None, *, exact=True):
    """The checked training plan (analysis.plan.Plan). A reader of
    aggregates gets the course table only; the agencies per course and the
    preconditions name agencies."""
    frames = frames or Frames(campaign, filters, exact)
    catalogue, options = selectors.course_catalogue(), plan_settings(campaign)
    # The catalogue and the audiences are edited in the admin: part of the key.
    stamp = hashlib.sha256(repr((catalogue, sorted(options.items()))).encode()).hexdigest()

    def compute():
        return plan.build_plan(frames(), catalogue, blocks=frames.blocks(), **options)

    checked = cached(campaign, "plan", filters, compute, f"{frames.version()}:{stamp}")
    if frames.exact:
        return checked
    return plan.Plan(
        checked.courses,
        checked.agencies.iloc[:0],
        checked.preconditions.iloc[:0],
        checked.covered.iloc[:0],
    )


def registry_months():
    """How far back a delivered training event covers an agency in the plan."""
    return settings.TNA_REGISTRY_MONTHS


def cost_rate():
    """US dollars per participant and day of training (the plan's costs)."""
    return settings.TNA_COST_PER_PARTICIPANT_DAY


def plan_settings(campaign):
    """The options of analysis.plan.build_plan from the settings and data."""
    return {
        "min_n": min_cell_size(),
        "cost_per_participant_day": cost_rate(),
        "kind_audiences": selectors.kind_audiences(),
        "question_labels": selectors.precondition_labels(campaign.questionnaire),
        # What the training registry shows as delivered lately or scheduled.
        "covered": events.covered(None, timezone.localdate(), months_back=registry_months()),
        **selectors.catalogue_labels(),
    }


def agency_ratings(campaign, filters, competency):
    """Each agency's own two ratings of one competency: for coordinators only."""
    frame = _frame(campaign, filters)
    pairs = gaps.rating_pairs(frame[frame["competency"] == competency])
    agencies = frame.drop_duplicates("response").set_index("response")
    pairs["agency"] = pairs["response"].map(agencies["agency_name"]).astype(str)
    pairs["country"] = pairs["response"].map(agencies["country_name"]).astype(str)
    pairs["gap"] = pairs["importance"] - pairs["capability"]
    return pairs.sort_values(["gap", "agency"], ascending=[False, True])


# The agency's registry entry; the respondent's own answers about their
# role and kind of agency follow among the question columns.
PROFILE_COLUMNS = {
    "response": "response",
    "agency_name": "agency",
    "country_name": "country",
    "region": "region",
    "agency_kind": "registered_kind",
}


def answers_table(campaign, filters, structure, frames=None):
    """One row per submitted response, one column per question code (in the
    questionnaire's order), profile columns first; numeric questions as
    numbers. Returns (table, names of the numeric columns).

    Cells are placed by position into a float matrix (numbers) and an object
    matrix (the few text questions), not pivoted: a million answers take a
    fraction of a second."""
    frame = (frames or Frames(campaign, filters))()
    codes = [q.code for q in structure.questions if q.type != Question.Type.NOTE]
    numeric = [
        q.code
        for q in structure.questions
        if q.code in codes and _is_numeric(q, structure.choices) or _is_mixed(q, structure.choices)
    ]
    # Ratings that offer "not applicable" too: numbers, with the choice's name where
    # the answer is not a number.
    mixed = [
        q.code for q in structure.questions if q.code in codes and _is_mixed(q, structure.choices)
    ]
    text = [code for code in codes if code not in set(numeric)] + mixed
    responses = np.sort(frame["response"].unique())
    row = np.searchsorted(responses, frame["response"].to_numpy())
    questions = frame["question"].astype(str).to_numpy()
    columns = {}
    for names, values, kind in (
        (numeric, frame["number"].to_numpy(), np.float64),
        (text, frame["value"].to_numpy(object), object),
    ):
        position = pd.Index(names).get_indexer(questions)
        present = position >= 0
        matrix = np.full((len(responses), len(names)), np.nan if kind is np.float64 else None,
                         dtype=kind)  # fmt: skip
        matrix[row[present], position[present]] = values[present]
        for index, name in enumerate(names):
            key = ("number", name) if kind is np.float64 and name in mixed else name
            columns[key] = matrix[:, index]
    for code in mixed:
        numbers = columns[("number", code)]
        columns[code] = np.where(np.isnan(numbers), columns[code], numbers.astype(object))
    # Built at once, in the questionnaire's order: adding hundreds of columns
    # one by one fragments the frame.
    wide = pd.DataFrame({code: columns[code] for code in codes}, index=responses)
    profile = (
        frame.drop_duplicates("response")
        .set_index("response")[list(PROFILE_COLUMNS)[1:]]
        .astype(str)
        .rename(columns=PROFILE_COLUMNS)
    )
    table = profile.join(wide, how="right").rename_axis("response").reset_index()
    return table, set(numeric) | {"response"}


def _is_numeric(question, choices):
    if question.type in (Question.Type.INTEGER, Question.Type.DECIMAL):
        return True
    if question.type == Question.Type.SELECT_ONE:
        names = [choice.name for choice in choices.get(question.list_name, [])]
        return bool(names) and all(_is_number(name) for name in names)
    return False


def _is_mixed(question, choices):
    """A single choice of numbers and some words, such as a rating with 'na'."""
    if question.type != Question.Type.SELECT_ONE:
        return False
    names = [choice.name for choice in choices.get(question.list_name, [])]
    numbers = [name for name in names if _is_number(name)]
    return bool(numbers) and len(numbers) < len(names)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


FILTER_NAMES = {
    "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"),
    "agency_kind": gettext_lazy("Kind of agency"),
    "role": gettext_lazy("Respondent role"),
}


def workbook_data(campaign, filters, *, include_answers, exact=True):
    """WorkbookData for a campaign and filters. `include_answers` adds the
    Answers sheet, one agency per row: for coordinators only."""
    questionnaire = campaign.questionnaire
    labels = selectors.question_labels(questionnaire)
    frames = Frames(campaign, filters, exact)
    tables = overview(campaign, filters, frames)
    by_region = campaign_selectors.response_rates(campaign, filters.country or None)[0]
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    now = timezone.localtime()
    data = WorkbookData(
        campaign_code=campaign.code,
        campaign_name=campaign.name,
        questionnaire=_questionnaire_name(questionnaire),
        exported_at=f"{date_format(now, 'd F Y')} {now.strftime('%H:%M %Z')}",
        filters={str(FILTER_NAMES[key]): value for key, value in filters.active().items()},
        min_n=min_cell_size(),
        respondents=tables["respondents"],
        rates=by_region,
        competencies=tables["competencies"],
        statements=labels["competencies"],
        domain_labels=labels["domains"],
        domains_by_region=tables["domains_by_region"],
        domains_by_kind=tables["domains_by_kind"],
        kind_labels={kind: str(label) for kind, label in Agency.Kind.choices},
        shares_by_region=tables["shares_by_region"],
        shares=tables["shares"],
        item_labels=labels["items"],
        codebook=codebook(structure),
        codebook_note=codebook_note(structure.questionnaire),
        plan=training_plan(campaign, filters, frames),
        plan_named=include_answers,
        plan_note=plan.plan_note(min_n=min_cell_size(), cost_per_participant_day=cost_rate()),
        disclosure=_disclosure_summary(frames, tables),
    )
    if include_answers:
        data.answers, data.answer_numeric = answers_table(campaign, filters, structure, frames)
    return data


def _questionnaire_name(questionnaire):
    names = {
        "title": questionnaire.title,
        "code": questionnaire.code,
        "version": questionnaire.version,
        "form_version": questionnaire.form_version,
    }
    if questionnaire.form_version:
        # Translators: a questionnaire's title, code, version and form version.
        return _("%(title)s (%(code)s v%(version)s, form version %(form_version)s)") % names
    # Translators: a questionnaire's title, code and version.
    return _("%(title)s (%(code)s v%(version)s)") % names


def _disclosure_summary(frames, tables):
    """What a workbook for a reader of aggregates says about what it holds."""
    if frames.exact:
        return ""
    released = len(frames.release.responses) if frames.release else 0
    min_n = min_cell_size()
    summary = " ".join(
        [
            ngettext(
                "Released results: %(count)d response.",
                "Released results: %(count)d responses.",
                released,
            )
            % {"count": released},
            ngettext(
                "They are updated once %(count)d more agency has submitted, or when the "
                "campaign closes; groups that could be singled out by subtracting one view "
                "from another are hidden.",
                "They are updated once %(count)d more agencies have submitted, or when the "
                "campaign closes; groups that could be singled out by subtracting one view "
                "from another are hidden.",
                min_n,
            )
            % {"count": min_n},
        ]
    )
    if tables["hidden_selection"]:
        summary += " " + disclosure.note(min_n)
    return summary
