"""What a coordinator waits for on the dashboard (issue: "dashboards at the
speed of a click"), through the views, as a browser asks for them: the page
and its four charts. Also five rounds compared at once, and the two-server
scenario (benchmark.servers) where PostgreSQL and Redis are at hand.

- dashboard_filter_warm: another filter, the campaign's data unchanged since
  the last view (the answers come from the in-memory snapshot);
- dashboard_filter_cold: the same after an answer changed (a response
  reopened and submitted again: only it is read again);
- charts_uncached / charts_cached: the four charts of a filter, rendered,
  then served from the cache;
- rounds_compared_5: four more rounds of the same size, each compared with
  the first (analysis.rounds.compare_campaigns), from the database."""

import time
import urllib.parse
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analysis import charts, rounds, snapshot
from benchmark.load import LOOPBACK
from benchmark.synthetic import say
from surveys.access import Access, Role
from surveys.campaigns import services as campaign_services
from surveys.models import Answer, Invitation, Response
from surveys.respond import services as response_services


def _client():
    user_model = get_user_model()
    user = user_model.objects.filter(username="benchmark").first()
    if user is None:
        user = user_model.objects.create_superuser("benchmark", "", None)
    client = Client(SERVER_NAME=LOOPBACK, HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    return client


def _regions(campaign):
    """The two regions with the most invited agencies: two filters."""
    counts = {}
    for region in Invitation.objects.filter(campaign=campaign).values_list(
        "agency__country__region__name", flat=True
    ):
        counts[region] = counts.get(region, 0) + 1
    return sorted(counts, key=lambda region: -counts[region])[:2]


def _get(client, url):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _view(client, campaign, query):
    """(seconds of the page, seconds of its four charts)."""
    started = time.perf_counter()
    _get(client, reverse("analysis:dashboard", args=[campaign.code]) + "?" + query)
    page = time.perf_counter() - started
    started = time.perf_counter()
    for name in charts.DASHBOARD_CHARTS:
        url = reverse("analysis:chart", args=[campaign.code, name, "png"])
        # As the page asks: the response-rate chart does not follow the filters.
        _get(client, url if name == "response-rate" else f"{url}?{query}")
    return page, time.perf_counter() - started


def measure_dashboards(campaign, floor_seconds):
    """The dashboard keys of the report, with their ratio to the floor (raw
    SQL fetch + one groupby)."""
    client = _client()
    first, second = (urllib.parse.urlencode({"region": region}) for region in _regions(campaign))
    cache.clear()
    snapshot.forget()
    say("measuring the dashboard: first view (nothing in memory)")
    first_page, first_charts = _view(client, campaign, first)

    say("measuring the dashboard: another filter, data unchanged")
    warm_page, charts_uncached = _view(client, campaign, second)
    _, charts_cached = _view(client, campaign, second)

    say("measuring the dashboard: the same filter after an answer changed")
    response = Response.objects.filter(invitation__campaign=campaign).order_by("pk").first()
    response_services.response_reopen(response=response)
    response_services.response_submit(response=response)
    cold_page, cold_charts = _view(client, campaign, second)
    warm, cold = warm_page + charts_uncached, cold_page + cold_charts
    return {
        "dashboard_first_view": {"seconds": first_page + first_charts, "page": first_page},
        "dashboard_filter_warm": {
            "seconds": warm,
            "page": warm_page,
            "charts": charts_uncached,
            "floor_ratio": warm / floor_seconds,
        },
        "dashboard_filter_cold": {
            "seconds": cold,
            "page": cold_page,
            "charts": cold_charts,
            "floor_ratio": cold / floor_seconds,
        },
        "charts_uncached": {"seconds": charts_uncached, "charts": len(charts.DASHBOARD_CHARTS)},
        "charts_cached": {"seconds": charts_cached, "charts": len(charts.DASHBOARD_CHARTS)},
    }


def copy_rounds(campaign, count):
    """`count` more rounds of the campaign's size: the same agencies invited,
    their answers copied in SQL (no Python object per answer). Earlier
    rounds open earlier."""
    made = []
    invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    old_responses = dict(
        Response.objects.filter(invitation__campaign=campaign).values_list("invitation_id", "pk")
    )
    for number in range(2, count + 2):
        say(f"copying round {number} of {count + 1}")
        opens = campaign.opens_on - timedelta(days=365 * (number - 1))
        other = campaign_services.campaign_create(
            code=f"{campaign.code}-{number}",
            name=f"{campaign.name}, round {number}",
            questionnaire=campaign.questionnaire,
            opens_on=opens,
            closes_on=opens + timedelta(days=60),
        )
        now = timezone.now()
        copies = Invitation.objects.bulk_create(
            Invitation(campaign=other, agency_id=i.agency_id, status=Invitation.Status.SUBMITTED)
            for i in invitations
        )
        responses = Response.objects.bulk_create(
            Response(invitation=i, status=Response.Status.SUBMITTED, version=1,
                     updated_at=now, submitted_at=now)
            for i in copies
        )  # fmt: skip
        pairs = [
            (old_responses[old.pk], new.pk)
            for old, new in zip(invitations, responses, strict=True)
            if old.pk in old_responses
        ]
        _copy_answers(pairs)
        made.append(other)
    return made


def _copy_answers(pairs):
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_map (old_id bigint, new_id bigint)")
        cursor.executemany("INSERT INTO bench_map VALUES (%s, %s)", pairs)
        cursor.execute(
            f"INSERT INTO {table} (response_id, question_id, value, number, saved_version, "
            f"updated_at) SELECT m.new_id, a.question_id, a.value, a.number, a.saved_version, "
            f"a.updated_at FROM {table} a JOIN bench_map m ON m.old_id = a.response_id"
        )
        cursor.execute("DROP TABLE bench_map")
        for analysed in (table, Invitation._meta.db_table, Response._meta.db_table):
            cursor.execute(f"ANALYZE {analysed}")


def rounds_compared(campaign, others):
    """Seconds to compare the campaign with each other round as a
    coordinator: from the snapshot files (as a process that has not read the
    rounds yet, once they were read before), and from the database (no
    snapshot at all)."""
    coordinator = Access(Role.COORDINATOR)

    def compare():
        cache.clear()
        started = time.perf_counter()
        tables = [rounds.compare_campaigns(campaign, other, coordinator).table for other in others]
        return time.perf_counter() - started, int(sum(len(table) for table in tables))

    snapshot.forget(files=True)
    from_database, compared = compare()
    snapshot.forget()  # the files stay
    from_files, _ = compare()
    return {
        "seconds": from_files,
        "from_database_seconds": from_database,
        "rounds": len(others) + 1,
        "competencies_compared": compared,
    }
