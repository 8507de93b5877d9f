"""Who a course is for: audiences, preconditions, participants, cohorts.

Pure functions on the answers frame (analysis.selectors.answers_frame), used
by analysis.plan to check the training plan:

- **audience**: an agency is in a course's audience when the audiences of
  its kind (`kind_audiences`, editable data: surveys.models.KindAudience)
  meet the course's audiences. A kind with no audiences set, such as
  "other", takes its respondent's role (ROLE_AUDIENCES) and, without one,
  any audience;
- **preconditions**: a course may depend on legal powers or resources, named
  by the codes of yes / partly / no questions (catalogue data). An agency
  that answered "no" to one is not counted for the course; it is listed with
  a non-training recommendation instead (legislation for a legal power,
  equipment or access for a resource);
- **participants**: the staff the agency says need training in the course's
  domain (questions `<prefix>-staff`, questionnaire v2; the largest over the
  course's domains). Where the agency gave no number (questionnaire v1 has
  none), PARTICIPANTS_PER_AGENCY, a planning assumption, marked as such.
  An agency that says no one needs training in the domain is not counted;
- **cohorts**: the agencies of a course grouped by region, then by a
  language of instruction their staff can attend (the profile's
  training_languages), the language most of them share first.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

STAFF_SUFFIX = "-staff"
LANGUAGE_QUESTION = "training_languages"
PARTICIPANTS_PER_AGENCY = 2
NO = "no"

# The default of surveys.models.KindAudience; "other" has none: any audience.
DEFAULT_KIND_AUDIENCES = {
    "police": ["first_responders", "investigators", "forensic_examiners", "managers"],
    "specialised_unit": ["first_responders", "investigators", "forensic_examiners", "managers"],
    "prosecution": ["prosecutors"],
    "judiciary": ["judges"],
    "ministry": ["managers", "policy_makers"],
}
ROLE_AUDIENCES = {
    "investigator": ["first_responders", "investigators"],
    "forensic_examiner": ["forensic_examiners"],
    "prosecutor": ["prosecutors"],
    "judge": ["judges"],
    "manager": ["managers"],
    "policy_officer": ["policy_makers"],
}
LANGUAGE_ORDER = ("en", "fr", "es", "ar", "ru", "zh", "pt", "other")
# Translators: languages of instruction, as the training plan's cohorts
# name them ("English 6, French 2").
LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "es": gettext_lazy("Spanish"),
    "ar": gettext_lazy("Arabic"),
    "ru": gettext_lazy("Russian"),
    "zh": gettext_lazy("Chinese"),
    "pt": gettext_lazy("Portuguese"),
    "other": gettext_lazy("another language"),
}
# The "language" of the agencies that named none: a code, shown translated.
# Translators: in place of a language in a cohort, such as "language not given 3".
NO_LANGUAGE = gettext_noop("language not given")
# Translators: a recommendation before training, for a missing legal power.
LEGISLATION = gettext_lazy("Legislation")
# Translators: a recommendation before training, for a missing resource.
EQUIPMENT = gettext_lazy("Equipment or access")


def get(record, name, default=None):
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def agency_profiles(frame):
    """One row per response: response, agency, agency_name, country,
    country_name, region, agency_kind, role, as plain text."""
    columns = ["response", "agency", "agency_name", "country", "country_name", "region",
               "agency_kind", "role"]  # fmt: skip
    profiles = frame.drop_duplicates("response")[columns].copy()
    for column in columns[2:]:
        profiles[column] = profiles[column].astype(str)
    return profiles.reset_index(drop=True)


def in_audience(kind, role, audiences, kind_audiences):
    """Whether an agency of `kind`, whose respondent has `role`, is in a
    course for `audiences` (see the module docstring)."""
    wanted = set(audiences)
    if not wanted:
        return True
    own = kind_audiences.get(kind) or ROLE_AUDIENCES.get(role)
    return own is None or bool(wanted & set(own))


def answers_by_code(frame, codes):
    """{(response, question code): stored value} for the questions `codes`."""
    if frame.empty or not codes:
        return {}
    rows = frame[frame["question"].isin(list(codes))]
    return dict(
        zip(
            zip(rows["response"].tolist(), rows["question"].astype(str).tolist(), strict=True),
            rows["value"].astype(str).tolist(),
            strict=True,
        )
    )


def staff_counts(frame):
    """{(response, domain): staff needing training} from the `-staff`
    questions, where the agency gave a number."""
    if frame.empty:
        return {}
    # The few distinct codes are tested, not a million rows.
    staff = [code for code in frame["question"].unique() if str(code).endswith(STAFF_SUFFIX)]
    rows = frame[frame["question"].isin(staff)]
    rows = rows[rows["number"].notna()]
    return {
        (response, str(domain)): int(number)
        for response, domain, number in zip(
            rows["response"], rows["domain"], rows["number"], strict=True
        )
    }


def participants(response, domains, counts, assumed=PARTICIPANTS_PER_AGENCY):
    """(participants, assumed?) for one agency and the course's domains."""
    given = [counts[(response, domain)] for domain in domains if (response, domain) in counts]
    if given:
        return max(given), False
    return assumed, True


def recommendation(question, label):
    """The non-training recommendation for a missing power or resource."""
    legal = "-L" in question
    if not label:
        return str(LEGISLATION if legal else EQUIPMENT)
    # Translators: %(lacking)s is the question about the missing power or resource.
    if legal:
        return _("Legislation: %(lacking)s") % {"lacking": label}
    # Translators: %(lacking)s is the question about the missing power or resource.
    return _("Equipment or access: %(lacking)s") % {"lacking": label}


def language_name(code):
    """The name of a language of instruction (a code of LANGUAGE_ORDER, or
    NO_LANGUAGE) in the active language."""
    if code == NO_LANGUAGE:
        return _(NO_LANGUAGE)
    return str(LANGUAGE_NAMES.get(code, code))


def languages(frame):
    """{response: [language codes]} from the profile's training_languages."""
    if frame.empty:
        return {}
    rows = frame[frame["question"] == LANGUAGE_QUESTION]
    return {
        response: str(value).split()
        for response, value in zip(rows["response"], rows["value"], strict=True)
    }


def cohorts(agencies, spoken, min_n, hidden_regions=()):
    """'Africa: English 6 (Kenya, Nigeria), French 2; Europe: English 1' for
    the agencies of one course (a frame with columns response, agency,
    country_name, region): per region, largest first, the number of
    agencies per language of instruction.

    Within a region, the language most of the remaining agencies can attend
    is taken first (ties in LANGUAGE_ORDER), until every agency has one.
    A cohort's countries are named only when it holds at least `min_n`
    agencies; regions in `hidden_regions` are left out, and say so."""
    if agencies.empty:
        return ""
    parts, hidden = [], False
    regions = agencies.groupby("region", observed=True)["agency"].nunique()
    for region in sorted(regions.index, key=lambda name: (-regions[name], str(name))):
        if str(region) in hidden_regions:
            hidden = True
            continue
        members = agencies[agencies["region"] == region]
        groups = []
        for language, group in _by_language(members, spoken):
            count = group["agency"].nunique()
            text = f"{language_name(language)} {count}"
            if count >= min_n:
                text += f" ({', '.join(sorted(set(group['country_name'].astype(str))))})"
            groups.append(text)
        parts.append(f"{region}: {', '.join(groups)}")
    if hidden:
        parts.append(_("other regions not shown (too few respondents to publish)"))
    return "; ".join(parts)


def language_of_instruction(agencies, spoken):
    """{response: language code} by the same choice as `cohorts`."""
    chosen = {}
    for _region, members in agencies.groupby("region", observed=True):
        for language, group in _by_language(members, spoken):
            for response in group["response"]:
                chosen[response] = language
    return chosen


def _by_language(members, spoken):
    remaining = members
    while not remaining.empty:
        tally = {}
        for response in remaining["response"]:
            for language in spoken.get(response, ()):
                tally[language] = tally.get(language, 0) + 1
        if not tally:
            yield NO_LANGUAGE, remaining
            return
        rank = {code: index for index, code in enumerate(LANGUAGE_ORDER)}
        best = min(tally, key=lambda code: (-tally[code], rank.get(code, len(rank)), code))
        takes = remaining["response"].isin(
            [response for response in remaining["response"] if best in spoken.get(response, ())]
        )
        yield best, remaining[takes]
        remaining = remaining[~takes]
