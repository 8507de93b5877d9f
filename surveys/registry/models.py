"""The training registry's model: events delivered or planned by providers."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from surveys.models import Agency, Campaign, Country, Course


class TrainingEvent(models.Model):
    """A training delivered or planned by a provider (the training registry,
    report E/CN.15/2014/7 para 59): what was run where, for which agencies,
    so that donors and agencies do not duplicate it and the plan does not
    count an agency again. The provider's own reference is the key."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    provider = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, help_text="The provider's own id for the event")
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    title = models.CharField(max_length=200, blank=True, help_text="When not a catalogue course")
    competencies = models.JSONField(default=list, blank=True, help_text="Competency codes")
    funder = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="training_events")
    venue = models.CharField(max_length=200, blank=True, help_text="A place, or 'online'")
    online = models.BooleanField(default=False)
    language = models.CharField(max_length=60, blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="training_events")
    participants_female = models.PositiveIntegerField(default=0)
    participants_male = models.PositiveIntegerField(default=0)
    participants_other = models.PositiveIntegerField(default=0)
    participants_by_audience = models.JSONField(default=dict, blank=True)
    # app: the history models live in surveys.models, like every other one.
    history = HistoricalRecords(m2m_fields=[agencies], app="surveys")

    class Meta:
        ordering = ["-start_date", "provider", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="event_key"),
        ]

    def __str__(self):
        return f"{self.provider} {self.reference}: {self.label} ({self.country.code})"

    @property
    def label(self):
        return self.course.code if self.course_id else self.title

    @property
    def participants(self):
        return self.participants_female + self.participants_male + self.participants_other


class Participant(models.Model):
    """A person nominated for an event (report E/CN.15/2014/7 para 59:
    pre-training assessments; Kirkpatrick levels 2 and 3 after it). Only what
    the follow-ups need is kept, and the name and address are erased
    TNA_PARTICIPANT_RETENTION_DAYS after the last follow-up closes: the
    answers stay, tied to the agency and role only."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="nominees")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participants")
    role = models.CharField(max_length=40, blank=True, help_text="e.g. investigator")
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(app="surveys")

    class Meta:
        ordering = ["event", "agency__name", "name", "pk"]

    def __str__(self):
        # Not the name: this goes into logs (the admin's) that are never erased.
        return f"Participant {self.pk} of {self.agency.name}"


class Assessment(models.Model):
    """One stage of an event's assessment of its participants: a campaign on
    the course's pre-training questionnaire, before the course, just after it
    (Kirkpatrick level 2) and three to six months later (level 3). Each
    participant has an invitation of their own in it."""

    class Stage(models.TextChoices):
        PRE = "pre", _("Before the course")
        POST = "post", _("After the course")
        FOLLOWUP = "followup", _("Three to six months later")

    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="assessments")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="assessment")
    history = HistoricalRecords(app="surveys")

    class Meta:
        ordering = ["event", "campaign__opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["event", "stage"], name="one_assessment_per_stage")
        ]

    def __str__(self):
        return f"{self.event}: {self.get_stage_display()}"
