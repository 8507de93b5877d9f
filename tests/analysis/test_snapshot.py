"""A campaign's answers kept in memory and brought up to date by reading
only the responses that changed: always the same frame as reading them all."""

import threading

import pytest

from analysis import results, selectors, snapshot
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Country, Response
from surveys.respond import services as response_services
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db


def ordered(frame):
    frame = frame.astype({column: str for column in frame.columns if column != "number"})
    return frame.sort_values(["response", "question"]).reset_index(drop=True)


def current(campaign):
    return snapshot.submitted_frame(campaign, results.data_stamp(campaign))


def test_a_new_submission_is_read_alone_and_joins_the_frame(round_with_answers, monkeypatch):
    campaign = round_with_answers
    current(campaign)
    invitation, _ = campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Late unit", "KE")
    )
    late = submit_ratings(invitation, {"DF-01": (5, 1)})
    reads = []
    real = selectors.answers_frame
    monkeypatch.setattr(
        selectors,
        "answers_frame",
        lambda c, responses=None: reads.append(responses) or real(c, responses),
    )

    frame = current(campaign)

    assert reads == [[late.pk]]
    assert frame["response"].nunique() == 12
    assert frame["country"].dtype.name == "category"
    monkeypatch.setattr(selectors, "answers_frame", real)
    assert ordered(frame).equals(ordered(selectors.answers_frame([campaign])))


def test_a_reopened_response_leaves_the_frame(round_with_answers):
    campaign = round_with_answers
    current(campaign)
    response = Response.objects.filter(invitation__campaign=campaign).first()

    response_services.response_reopen(response=response)

    frame = current(campaign)
    assert response.pk not in set(frame["response"])
    assert ordered(frame).equals(ordered(selectors.answers_frame([campaign])))


def test_an_agency_moved_to_another_country_is_read_again_everywhere(round_with_answers):
    campaign = round_with_answers
    current(campaign)
    agency = Response.objects.filter(invitation__campaign=campaign).first().invitation.agency

    agency.country = Country.objects.exclude(pk=agency.country_id).get(code__in=["KE", "BR"])
    agency.save()

    frame = current(campaign)
    assert set(frame.loc[frame["agency"] == agency.pk, "country"]) == {agency.country.code}
    assert ordered(frame).equals(ordered(selectors.answers_frame([campaign])))


def test_only_an_edit_the_analysis_reads_moves_the_data_stamp(round_with_answers):
    campaign = round_with_answers
    agency = Agency.objects.filter(country__code="KE").exclude(kind="judiciary").first()
    before = results.data_stamp(campaign)

    agency.contact_email, agency.size = "new@example.ke", 40
    agency.save()
    assert results.data_stamp(campaign) == before

    agency.kind = "judiciary"
    agency.save()
    assert results.data_stamp(campaign) != before


def test_an_agency_edit_moves_the_stamp_of_a_campaign_without_answers(campaign):
    agency = make_agency("Cyber unit", "KE")
    campaign_services.invitation_create(campaign=campaign, agency=agency)
    before = results.data_stamp(campaign)

    agency.country = Country.objects.get(code="BR")
    agency.save()

    assert results.data_stamp(campaign) != before


def test_an_unchanged_campaign_is_not_read_again(round_with_answers, monkeypatch):
    first = current(round_with_answers)
    monkeypatch.setattr(selectors, "answers_frame", lambda *args, **kwargs: 1 / 0)

    assert current(round_with_answers) is first


def test_a_new_process_starts_from_the_file_and_reads_only_what_changed(
    round_with_answers, settings, tmp_path, monkeypatch
):
    settings.TNA_SNAPSHOT_DIR = str(tmp_path)
    campaign = round_with_answers
    first = ordered(current(campaign))
    snapshot.flush()
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".json", ".parquet"]
    snapshot.forget()  # a new process: nothing in memory
    real = selectors.answers_frame
    monkeypatch.setattr(selectors, "answers_frame", lambda *args, **kwargs: 1 / 0)

    assert ordered(current(campaign)).equals(first)

    snapshot.forget()
    invitation, _ = campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Late unit", "KE")
    )
    late = submit_ratings(invitation, {"DF-01": (5, 1)})
    reads = []

    def reading(campaigns, responses=None):
        reads.append(responses)
        return real(campaigns, responses)

    monkeypatch.setattr(selectors, "answers_frame", reading)
    frame = current(campaign)
    assert reads == [[late.pk]]
    monkeypatch.setattr(selectors, "answers_frame", real)
    assert ordered(frame).equals(ordered(selectors.answers_frame([campaign])))


def test_the_file_is_written_after_the_request_by_a_thread_of_its_own(
    round_with_answers, settings, tmp_path, monkeypatch
):
    settings.TNA_SNAPSHOT_DIR = str(tmp_path)
    writers, real = [], snapshot._write
    monkeypatch.setattr(
        snapshot,
        "_write",
        lambda paths, kept: writers.append(threading.current_thread()) or real(paths, kept),
    )

    current(round_with_answers)
    snapshot.flush()

    assert len(writers) == 1 and writers[0] is not threading.current_thread()
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".json", ".parquet"]


def test_a_file_that_cannot_be_written_loses_nothing_in_memory(
    round_with_answers, settings, tmp_path, caplog
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.TNA_SNAPSHOT_DIR = str(blocked)

    first = current(round_with_answers)
    snapshot.flush()

    assert current(round_with_answers) is first
    assert "could not write the snapshot" in caplog.text
