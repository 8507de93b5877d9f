"""Long work done in the background (common.jobs): who asked, how far it is,
the file it made or why it failed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    # What the job did as it went (e.g. each agency invited and whether the
    # e-mail went), so that a retry carries on where it stopped.
    result = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="jobs/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the job last showed it was alive: queued, started, or a step done.
    # A queued or running job quiet for longer than JOB_STALLED_SECONDS is
    # stalled (its worker or request was killed) and may be tried again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Job {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def quiet_seconds(self):
        """Seconds since the job last moved (common.jobs._stalled, in SQL)."""
        return (timezone.now() - (self.heartbeat_at or self.created_at)).total_seconds()

    @property
    def quiet_minutes(self):
        return int(self.quiet_seconds // 60)

    @property
    def is_stalled(self):
        return not self.is_finished and self.quiet_seconds > settings.JOB_STALLED_SECONDS


class Stamped(models.Model):
    """A row whose every change to what the answers are grouped by moves the
    campaigns' data stamps (analysis.results.data_stamp): a region, country
    or agency renamed or moved shows in the dashboards at once. A new row
    changes no answer already read, and an edit of an unstamped field (an
    agency's e-mail address) no result, so neither is stamped."""

    unstamped_fields: tuple[str, ...] = ()

    updated_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        now = self._stamped_values()
        if not self._state.adding and getattr(self, "_stamped_as_read", None) != now:
            self.updated_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
        self._stamped_as_read = now

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stamped_as_read = instance._stamped_values()
        return instance

    def _stamped_values(self):
        names = _STAMPED_NAMES.get(type(self))
        if names is None:
            skip = {"id", "updated_at", *self.unstamped_fields}
            names = [f.attname for f in self._meta.concrete_fields if f.name not in skip]
            _STAMPED_NAMES[type(self)] = names
        values = self.__dict__
        return tuple(values.get(name) for name in names)


_STAMPED_NAMES = {}  # model → the attnames Stamped compares
