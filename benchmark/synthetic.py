"""The synthetic campaign: a questionnaire of the size asked for, agencies in
every region, and one submitted response per agency, the same every time
(seeded)."""

import hashlib
import sys
from collections import defaultdict
from datetime import timedelta
from itertools import repeat

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Answer,
    Country,
    Invitation,
    InvitationLink,
    Question,
    Region,
    Response,
)
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import (
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
)

SEED = 2011  # ECOSOC resolution 2011/33


SECTIONS = 10


COUNTRIES_PER_REGION = 8


LANGUAGE = "English (en)"


CAMPAIGN_CODE = "BENCH"


ANSWER_CHUNK_ROWS = 60_000


# Capability lags importance more in some regions than others, so the
# tables by region have something to show.
CAPABILITY_BY_REGION = {"Africa": -0.5, "Americas": 0.0, "Asia": -0.2, "Europe": 0.5}


CAPABILITY_OTHER_REGION = -0.6


LEGAL_CHOICES = ("yes", "partly", "no", "dont_know")


class ProgressBar:
    """A small text bar on stderr, redrawn when the whole percentage moves."""

    def __init__(self, label, total, stream=None, width=30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream or sys.stderr
        self.shown = None
        # Only on a terminal: in a log, every redraw is a line of its own.
        self.enabled = self.stream.isatty()
        if not self.enabled:
            self.stream.write(f"{label}…\n")

    def update(self, done):
        if not self.enabled:
            return
        percent = min(100, int(100 * done / self.total))
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label:<28} [{bar}] {percent:3d}%")
        self.stream.flush()

    def close(self):
        if not self.enabled:
            return
        self.update(self.total)
        self.stream.write("\n")
        self.stream.flush()


def say(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def item_mix(items):
    """(competency pairs, legal-power items, integer items) adding up to `items`:
    about four fifths of the items rate competencies for importance and
    capability, as in the shipped questionnaire."""
    if items < 4:
        raise ValueError("a synthetic questionnaire needs at least 4 items")
    integers = max(1, round(items * 0.05))
    legal = max(1, round(items * 0.15))
    pairs = (items - legal - integers) // 2
    return pairs, items - integers - 2 * pairs, integers


def _label(text):
    return {LANGUAGE: text}


def synthetic_definition(items):
    """A FormDefinition with exactly `items` questions in up to 10 sections.

    Competency pairs (importance and capability on a select_one 1–5 scale),
    legal-power items (yes / partly / no / don't know) and staffing counts
    (integers) are dealt round the sections in turn.
    """
    pairs, legal, integers = item_mix(items)
    units = [("pair", n) for n in range(pairs)]
    units += [("legal", n) for n in range(legal)]
    units += [("integer", n) for n in range(integers)]
    section_count = min(SECTIONS, len(units))
    sections = [
        SectionDef(code=f"s{number:02d}", label=_label(f"Domain {number}"))
        for number in range(1, section_count + 1)
    ]
    counters = defaultdict(int)
    for index, (kind, _) in enumerate(units):
        section = sections[index % section_count]
        counters[section.code, kind] += 1
        number = counters[section.code, kind]
        prefix = section.code.upper()
        if kind == "pair":
            competency = f"{prefix}-{number:02d}"
            statement = _label(f"Competency {competency} of {section.label[LANGUAGE]}")
            for suffix, dimension, hint in (
                ("imp", "importance", "How important is this to your agency's work?"),
                ("cap", "capability", "How capable is your agency today?"),
            ):
                section.questions.append(
                    QuestionDef(
                        code=f"{competency}_{suffix}",
                        type="select_one",
                        list_name="scale5",
                        label=statement,
                        hint=_label(hint),
                        competency=competency,
                        dimension=dimension,
                    )
                )
        elif kind == "legal":
            section.questions.append(
                QuestionDef(
                    code=f"{prefix}-L{number:02d}",
                    type="select_one",
                    list_name="legal",
                    label=_label(f"Does the law give your agency power {number}?"),
                    dimension="legal_power",
                )
            )
        else:
            section.questions.append(
                QuestionDef(
                    code=f"{prefix}-R{number:02d}",
                    type="integer",
                    label=_label(f"How many staff work on task {number}?"),
                    dimension="resource",
                )
            )
    for section in sections:  # ratings first, as a person meets them on the page
        order = {"importance": 0, "capability": 0, "legal_power": 1, "resource": 2}
        section.questions.sort(key=lambda question: order[question.dimension])
    scale = [ChoiceDef("scale5", str(value), _label(str(value))) for value in range(1, 6)]
    legal_choices = [
        ChoiceDef("legal", name, _label(name.replace("_", " ").capitalize()))
        for name in LEGAL_CHOICES
    ]
    return FormDefinition(
        form_id="benchmark",
        title=f"Synthetic benchmark questionnaire ({items} items)",
        form_version=f"bench-{items}",
        default_language=LANGUAGE,
        languages=[LANGUAGE],
        sections=sections,
        choices=scale + legal_choices,
    )


def _countries(rng):
    """About 40 countries: eight drawn from each UN region."""
    chosen = []
    for region in Region.objects.order_by("name"):
        codes = list(region.countries.order_by("code").values_list("pk", flat=True))
        take = min(COUNTRIES_PER_REGION, len(codes))
        chosen += [codes[i] for i in sorted(rng.choice(len(codes), size=take, replace=False))]
    return chosen


@transaction.atomic
def synthetic_campaign_build(*, responses, items, seed=SEED, progress=True):
    """The BENCH campaign: `responses` agencies in about 40 countries, each
    with a submitted response answering all `items` questions. Returns it."""
    rng = np.random.default_rng(seed)
    questionnaire, _ = questionnaire_services.questionnaire_import(
        definition=synthetic_definition(items), publish=True
    )
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        code=CAMPAIGN_CODE,
        name=f"Benchmark: {responses} responses × {items} items",
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=40),
        closes_on=today + timedelta(days=30),
    )
    countries = _countries(rng)
    kinds = list(Agency.Kind.values)
    agency_countries = rng.choice(countries, size=responses)
    agency_kinds = rng.choice(len(kinds), size=responses)
    agencies = Agency.objects.bulk_create(
        Agency(
            name=f"Synthetic agency {number:05d}",
            country_id=int(country),
            kind=kinds[kind],
            size=int(size),
        )
        for number, (country, kind, size) in enumerate(
            zip(agency_countries, agency_kinds, rng.integers(5, 500, responses), strict=True)
        )
    )
    opened = timezone.now() - timedelta(days=40)
    submitted = np.sort(rng.uniform(0, 39 * 86_400, responses))
    invitations = Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            agency=agency,
            status=Invitation.Status.SUBMITTED,
            created_at=opened,
            opened_at=opened,
        )
        for agency in agencies
    )
    InvitationLink.objects.bulk_create(
        InvitationLink(
            invitation=invitation,
            token_hash=hashlib.sha256(rng.bytes(32)).hexdigest(),
            created_at=opened,
        )
        for invitation in invitations
    )
    stored = Response.objects.bulk_create(
        Response(
            invitation=invitation,
            status=Response.Status.SUBMITTED,
            version=1,
            started_at=opened,
            updated_at=opened + timedelta(seconds=float(seconds)),
            submitted_at=opened + timedelta(seconds=float(seconds)),
        )
        for invitation, seconds in zip(invitations, submitted, strict=True)
    )
    # Capability differs by region, and specialised units are more capable.
    region_of_country = dict(Country.objects.values_list("pk", "region__name"))
    offsets = np.array(
        [
            CAPABILITY_BY_REGION.get(region_of_country[int(c)], CAPABILITY_OTHER_REGION)
            for c in agency_countries
        ]
    )
    _answers_insert(
        questionnaire,
        np.array([response.pk for response in stored]),
        offsets + np.where(np.array(kinds)[agency_kinds] == "specialised_unit", 0.4, 0.0),
        rng,
        progress,
    )
    # As PostgreSQL's autovacuum would within a minute of such a load: without
    # statistics its planner takes the 4,000 responses for 20 and joins them
    # row by row.
    with connection.cursor() as cursor:
        for model in (Agency, Invitation, Response):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return campaign


def _answer_generator(questions, rng):
    """Per question, the parameters its answers are drawn from."""
    plan = []
    for question in questions:
        if question.dimension == "importance":
            plan.append(("importance", rng.uniform(3.0, 4.7)))
        elif question.dimension == "capability":
            plan.append(("capability", rng.uniform(1.8, 3.6)))
        elif question.dimension == "legal_power":
            plan.append(("legal", rng.dirichlet([4, 2, 3, 1])))
        else:
            plan.append(("integer", rng.uniform(2, 40)))
    return plan


def _answer_matrix(plan, capability_offsets, rng):
    """(texts, numbers) for a chunk of responses: arrays of shape
    (responses, questions); numbers are None for yes/no answers."""
    count = len(capability_offsets)
    texts = np.empty((count, len(plan)), dtype=object)
    numbers = np.empty((count, len(plan)), dtype=object)
    for column, (kind, parameter) in enumerate(plan):
        if kind in ("importance", "capability"):
            centre = parameter + (capability_offsets if kind == "capability" else 0.0)
            spread = 0.7 if kind == "importance" else 0.8
            values = np.clip(np.rint(centre + rng.normal(0, spread, count)), 1, 5).astype(int)
        elif kind == "integer":
            values = rng.poisson(parameter, count)
        else:
            picked = rng.choice(len(LEGAL_CHOICES), size=count, p=parameter)
            texts[:, column] = [LEGAL_CHOICES[index] for index in picked]
            numbers[:, column] = None
            continue
        texts[:, column] = values.astype(str).tolist()
        numbers[:, column] = values.astype(float).tolist()
    return texts, numbers


def _answers_insert(questionnaire, response_ids, capability_offsets, rng, progress):
    """All answers, in chunks: executemany on SQLite, COPY on PostgreSQL.
    Django's bulk_create would build a model instance per answer, which at a
    million answers costs minutes."""
    questions = list(Question.objects.filter(questionnaire=questionnaire).order_by("position"))
    question_ids = np.array([question.pk for question in questions])
    plan = _answer_generator(questions, rng)
    table = Answer._meta.db_table
    names = ["response", "question", "value", "number", "saved_version", "updated_at"]
    columns = ", ".join(Answer._meta.get_field(name).column for name in names)
    updated = connection.ops.adapt_datetimefield_value(timezone.now())
    per_chunk = max(1, ANSWER_CHUNK_ROWS // len(questions))
    total = len(response_ids) * len(questions)
    bar = ProgressBar("inserting answers", total) if progress else None
    with connection.cursor() as cursor:
        for start in range(0, len(response_ids), per_chunk):
            chunk = response_ids[start : start + per_chunk]
            texts, numbers = _answer_matrix(
                plan, capability_offsets[start : start + per_chunk], rng
            )
            rows = zip(
                np.repeat(chunk, len(questions)).tolist(),
                np.tile(question_ids, len(chunk)).tolist(),
                texts.ravel().tolist(),
                numbers.ravel().tolist(),
                repeat(1),
                repeat(updated),
            )
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows)
                )
            if bar:
                bar.update(min(total, (start + len(chunk)) * len(questions)))
        # A real database would have statistics on a table this size.
        cursor.execute(f"ANALYZE {table}")
    if bar:
        bar.close()
