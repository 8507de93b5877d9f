"""No log line carries an invitation link."""

import logging

from django.urls import reverse

from common.logs import RedactLinks


def record(message, *args):
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, message, args, None)


def test_a_request_path_with_a_token_is_blanked():
    token = "Ab3_dE-fGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
    entry = record("Not Found: %s", f"/r/{token}/section/forensics/")

    RedactLinks().filter(entry)

    assert entry.getMessage() == "Not Found: /r/[link]/section/forensics/"
    assert token not in entry.getMessage()


def test_a_full_link_in_a_message_is_blanked():
    entry = record("Invitation link: https://tna.example.org/r/Zz0123456789abcdefghij/")

    RedactLinks().filter(entry)

    assert entry.getMessage() == "Invitation link: https://tna.example.org/r/[link]/"


def test_the_settings_filter_every_log_line(settings):
    from needsassessment import settings as project

    handler = project.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["redact_links"]
    assert project.LOGGING["filters"]["redact_links"]["()"] == "common.logs.RedactLinks"


def test_a_page_with_answers_is_not_stored_by_any_cache(client, token):
    reply = client.get(reverse("surveys:start", args=[token]))

    assert reply["Cache-Control"] == "no-store"


def test_djangos_own_request_loggers_go_through_the_filter():
    from needsassessment import settings as project

    loggers = project.LOGGING["loggers"]
    assert loggers["django"]["handlers"] == [] and loggers["django"]["propagate"]
    assert loggers["django.server"]["handlers"] == ["console"]
