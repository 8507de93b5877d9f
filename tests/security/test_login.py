"""Login throttling."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def log_in(client, path, username, password, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_username_from_that_address(client, path):
    user = get_user_model().objects.create_superuser("coord", "c@example.org", "right-one")
    for _ in range(5):
        log_in(client, path, "coord", "wrong")

    reply = log_in(client, path, "coord", "right-one")

    assert reply.status_code == 429
    assert "Too many failed log-in attempts" in reply.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is on the pair: the same user elsewhere, another user here, may log in.
    assert log_in(Client(), path, "coord", "right-one", REMOTE_ADDR="10.0.0.9").status_code == 302
    get_user_model().objects.create_superuser("colleague", "k@example.org", "their-own")
    assert log_in(Client(), path, "colleague", "their-own").status_code == 302
    assert user.is_active


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, settings):
    settings.BEHIND_PROXY = True
    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for spoofed in range(5):
        # The client invents a first entry each time; nginx appends what it saw.
        forwarded = f"198.51.100.{spoofed}, 203.0.113.7"
        log_in(
            client, "/accounts/login/", "coord", "wrong", HTTP_X_FORWARDED_FOR=forwarded, **proxy
        )

    again = log_in(
        Client(),
        "/accounts/login/",
        "coord",
        "right-one",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
        **proxy,
    )
    elsewhere = log_in(
        Client(),
        "/accounts/login/",
        "coord",
        "right-one",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        **proxy,
    )

    assert again.status_code == 429
    assert elsewhere.status_code == 302


def test_four_wrong_passwords_do_not_lock(client):
    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    for _ in range(4):
        log_in(client, "/accounts/login/", "coord", "wrong")

    assert log_in(client, "/accounts/login/", "coord", "right-one").status_code == 302


def test_rotating_addresses_does_not_give_unlimited_guesses(client):
    # The review rotated X-Forwarded-For: 30 wrong passwords, no lockout.
    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    for guess in range(20):
        log_in(Client(), "/accounts/login/", "coord", "wrong", REMOTE_ADDR=f"10.1.0.{guess}")

    page = log_in(client, "/accounts/login/", "coord", "right-one", REMOTE_ADDR="10.2.0.1")

    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed log-ins for this user name from several places" in (
        page.content.decode()
    )


def test_the_user_name_lock_lifts_after_a_short_cool_off(client):
    import datetime

    from axes.models import AccessAttempt

    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    for guess in range(20):
        log_in(Client(), "/accounts/login/", "coord", "wrong", REMOTE_ADDR=f"10.1.0.{guess}")
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )

    page = log_in(client, "/accounts/login/", "coord", "right-one", REMOTE_ADDR="10.2.0.1")

    assert page.status_code == 302
