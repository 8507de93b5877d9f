"""The dashboard's charts are rendered once per campaign data, filter,
reader and language, then served from the cache; a new answer, another
reader's country or another language renders them anew."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from analysis import charts
from surveys.campaigns import services as campaign_services
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    cache.clear()
    calls = []
    real = charts.render

    def counting(figure, fmt):
        calls.append(fmt)
        return real(figure, fmt)

    monkeypatch.setattr(charts, "render", counting)
    return calls


def chart(client, name="gaps", fmt="png", headers=None, **params):
    return client.get(reverse("analysis:chart", args=["R1", name, fmt]), params, headers=headers)


def test_a_chart_is_rendered_once_then_served_from_the_cache(
    client, coordinator, round_with_answers, renders
):
    client.force_login(coordinator)

    first, second = chart(client), chart(client)

    assert renders == ["png"]
    assert first.content == second.content and first["Content-Type"] == "image/png"
    assert "no-store" in second["Cache-Control"]  # as the page


def test_a_new_answer_or_another_filter_renders_it_anew(
    client, coordinator, round_with_answers, renders
):
    client.force_login(coordinator)
    chart(client)
    chart(client, country="BR")
    invitation, _ = campaign_services.invitation_create(
        campaign=round_with_answers, agency=make_agency("Late unit", "KE")
    )
    submit_ratings(invitation, {"DF-01": (5, 1)})

    chart(client)

    assert len(renders) == 3


def test_each_reader_and_language_gets_their_own_chart(
    client, coordinator, round_with_answers, renders
):
    client.force_login(coordinator)
    chart(client, "response-rate", "svg", country="KE")
    client.force_login(make_user("focal-ke", "focal_point", "KE"))
    chart(client, "response-rate", "svg")
    chart(client, "response-rate", "svg", headers={"Accept-Language": "fr"})

    assert len(renders) == 3


def test_the_response_rate_chart_computes_no_gap_table(
    client, coordinator, round_with_answers, renders, monkeypatch
):
    """It counts agencies; a gap table of the whole campaign, which the page
    of a filter does not hold, would be most of its cost on a large round."""
    from analysis import results

    overviews = []
    real = results.overview
    monkeypatch.setattr(
        results, "overview", lambda *args, **kwargs: overviews.append(1) or real(*args, **kwargs)
    )
    client.force_login(coordinator)

    reply = chart(client, "response-rate")
    chart(client, "gaps")

    assert reply.status_code == 200 and reply["Content-Type"] == "image/png"
    assert renders == ["png", "png"] and len(overviews) == 1
