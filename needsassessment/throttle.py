"""A limit on failed log-ins per user name, whatever the address.

django-axes locks a user name from one address after five failures. Someone
who rotates addresses (or X-Forwarded-For behind a proxy) escapes that, so
a user name with TNA_LOGIN_USER_FAILURES failures in the last hour, from any
addresses, is refused until TNA_LOGIN_USER_COOLOFF after its latest one:
higher and shorter than the per-address lock, so that a stranger cannot
keep a coordinator out for long.
"""

import datetime

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _


def locked_until(username: str) -> datetime.datetime | None:
    """When the user name may try again, or None if it may now."""
    now = timezone.now()
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - datetime.timedelta(hours=1)
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (recent["failures"] or 0) < settings.TNA_LOGIN_USER_FAILURES:
        return None
    until = recent["last"] + settings.TNA_LOGIN_USER_COOLOFF
    return until if until > now else None


class UserNameThrottle:
    """Before any password is checked: no log-in for a throttled user name.
    It only refuses, so it has no get_user: sessions never name it."""

    def authenticate(self, request, username=None, **credentials):
        if username and locked_until(username):
            raise PermissionDenied
        return None


class ThrottledLoginForm(AuthenticationForm):
    """The log-in form, saying when a throttled user name may try again."""

    def clean(self):
        until = locked_until(self.cleaned_data.get("username") or "")
        if until:
            local = timezone.localtime(until)
            raise forms.ValidationError(
                _(
                    # Translators: a time of day, then its time zone, e.g. 14:05 (UTC).
                    "Too many failed log-ins for this user name from several places. Try again "
                    "after %(time)s (%(zone)s)."
                ),
                code="throttled",
                params={"time": f"{local:%H:%M}", "zone": f"{local:%Z}"},
            )
        return super().clean()
