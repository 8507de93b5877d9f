"""Who does what where: the training registry by State and region, and the
plans that would duplicate each other."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from surveys.models import TrainingEvent

OVERLAP_DAYS = 183  # two providers planning the same course within six months


@dataclass
class Overlap:
    country: str
    course: str
    first: TrainingEvent
    second: TrainingEvent


def events_for(*, country=None, region=None, months_back=24):
    """Events delivered in the last `months_back` months or planned from
    today, by country: {country name: {"delivered": [...], "planned": [...]}}
    in region and country order; cancelled events are left out."""
    today = timezone.localdate()
    since = today - datetime.timedelta(days=round(30.44 * months_back))
    events = (
        TrainingEvent.objects.exclude(status=TrainingEvent.Status.CANCELLED)
        .select_related("course", "country__region")
        .prefetch_related("agencies")
        .order_by("country__region__name", "country__name", "start_date")
    )
    if country:
        events = events.filter(country__code=country)
    if region:
        events = events.filter(country__region__name=region)
    by_country = {}
    for event in events:
        here = by_country.setdefault(
            (event.country.region.name, event.country.name), {"delivered": [], "planned": []}
        )
        if event.status == TrainingEvent.Status.DELIVERED and event.end_date >= since:
            here["delivered"].append(event)
        elif event.status == TrainingEvent.Status.PLANNED and event.end_date >= today:
            here["planned"].append(event)
    return {key: value for key, value in by_country.items() if any(value.values())}


def overlaps(events):
    """Pairs of planned events by different providers of the same course (a
    catalogue code, or the same title) for the same State, starting within
    OVERLAP_DAYS of each other."""
    found = []
    planned = [e for e in events if e.status == TrainingEvent.Status.PLANNED]
    for index, first in enumerate(planned):
        for second in planned[index + 1 :]:
            same_course = (first.course_id and first.course_id == second.course_id) or (
                not first.course_id and first.title.casefold() == second.title.casefold()
            )
            if (
                same_course
                and first.country_id == second.country_id
                and first.provider != second.provider
                and abs((second.start_date - first.start_date).days) <= OVERLAP_DAYS
            ):
                found.append(Overlap(first.country.name, first.label, first, second))
    return found
