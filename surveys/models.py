from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import Stamped


class Region(Stamped):
    """A UN M49 region (Africa, Americas, Asia, Europe, Oceania)."""

    code = models.CharField(max_length=3, unique=True, help_text="UN M49 numeric code")
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Country(Stamped):
    code = models.CharField(max_length=2, unique=True, help_text="ISO 3166-1 alpha-2")
    iso3 = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries")
    subregion = models.CharField(max_length=100, help_text="UN M49 sub-region")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name


class Agency(Stamped):
    unstamped_fields = ("size", "contact_email")  # not in any analysis

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        SPECIALISED_UNIT = "specialised_unit", _("Specialised unit")
        PROSECUTION = "prosecution", _("Prosecution service")
        JUDICIARY = "judiciary", _("Judiciary")
        MINISTRY = "ministry", _("Ministry")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="agencies")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Number of staff")
    contact_email = models.EmailField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="agency_unique_per_country")
        ]

    def __str__(self):
        return f"{self.name} ({self.country.code})"


class Questionnaire(models.Model):
    """One version of a questionnaire. A published version is frozen: a changed
    form becomes a new version, so answers always point at what was asked."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    code = models.SlugField(max_length=60, help_text="XLSForm form_id")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    form_version = models.CharField(max_length=60, blank=True, help_text="XLSForm version")
    languages = models.JSONField(default=list)
    draft_languages = models.JSONField(default=list, blank=True, help_text="Draft translations")
    default_language = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the form's content")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_unique_version")
        ]

    def __str__(self):
        return f"{self.code} v{self.version}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    """A top-level XLSForm group; in the shipped form, one domain."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    hint = models.JSONField(default=dict, blank=True)
    relevant = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code")
        ]

    def __str__(self):
        return self.code


class Question(models.Model):
    class Type(models.TextChoices):
        SELECT_ONE = "select_one", _("Select one")
        SELECT_MULTIPLE = "select_multiple", _("Select multiple")
        INTEGER = "integer", _("Integer")
        DECIMAL = "decimal", _("Decimal")
        TEXT = "text", _("Text")
        NOTE = "note", _("Note")
        DATE = "date", _("Date")

    class Dimension(models.TextChoices):
        IMPORTANCE = "importance", _("Importance")
        CAPABILITY = "capability", _("Capability")
        LEGAL_POWER = "legal_power", _("Legal power")
        RESOURCE = "resource", _("Resource")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=100)
    position = models.PositiveIntegerField(help_text="Order within the whole questionnaire")
    type = models.CharField(max_length=20, choices=Type.choices)
    list_name = models.CharField(max_length=100, blank=True)
    label = models.JSONField(default=dict)
    hint = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=False)
    constraint = models.TextField(blank=True)
    constraint_message = models.JSONField(default=dict, blank=True)
    relevant = models.TextField(blank=True)
    competency = models.CharField(max_length=30, blank=True)
    dimension = models.CharField(max_length=20, choices=Dimension.choices, blank=True)
    source = models.CharField(max_length=300, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Other XLSForm columns")

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code")
        ]

    def __str__(self):
        return self.code


class Choice(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="choices"
    )
    list_name = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "list_name", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "list_name", "name"], name="choice_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.list_name}: {self.name}"


class Campaign(models.Model):
    """One assessment round on one published questionnaire version."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="Deadline: links stop working after this day")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "code"]

    def __str__(self):
        return f"{self.code}: {self.name}"

    def is_open(self, today=None):
        today = today or timezone.localdate()
        return self.closed_at is None and self.opens_on <= today <= self.closes_on


class Release(models.Model):
    """The responses whose results the roles that see aggregates only
    (trainers) may see. A release is cut when at least TNA_MIN_N responses
    were submitted since the last one, or when the campaign has closed, so
    that two downloads never differ by fewer than TNA_MIN_N respondents
    (README, "Disclosure control")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    responses = models.JSONField(default=list, help_text="The ids of the released responses")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="one_release_number")
        ]

    def __str__(self):
        return f"{self.campaign.code} release {self.number} ({len(self.responses)} responses)"


class Invitation(models.Model):
    """Campaign × agency. Its links (InvitationLink) carry the tokens."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invitations")
    participant = models.ForeignKey(  # a participant's own invitation to a course's assessment
        "surveys.Participant", on_delete=models.PROTECT, null=True, blank=True,
        related_name="invitations",
    )  # fmt: skip
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "agency__country__name", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "agency"],
                condition=models.Q(participant__isnull=True),
                name="invitation_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["campaign", "participant"], name="invitation_unique_participant"
            ),
        ]

    def __str__(self):
        return f"{self.campaign.code} → {self.agency.name}"


class InvitationLink(models.Model):
    """One link to an invitation. The token is stored only as its SHA-256, so
    a link can be shown once and never again; a reminder adds a link rather
    than replacing one, so a link already in someone's inbox keeps working."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["invitation", "created_at"]

    def __str__(self):
        return f"Link {self.pk} to {self.invitation}"


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every save; a page posts it so two tabs cannot overwrite each other.
    version = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=60, blank=True)
    last_section = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Response of {self.invitation.agency.name} ({self.get_status_display()})"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def reference(self):
        """The receipt's reference: the round and the response's number."""
        return f"{self.invitation.campaign.code}-{self.pk:06d}"


class Answer(models.Model):
    """One value for one question, in XLSForm's text form: a choice name,
    space-separated names for select_multiple, ISO dates, plain numbers."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField()
    # The value as a number where it is one (ratings, counts), for analysis.
    number = models.FloatField(null=True, blank=True)
    saved_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_question")
        ]

    def __str__(self):
        return f"{self.question.code} = {self.value}"


class UserRole(models.Model):
    """What a signed-in user may see. Superusers are coordinators."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        FOCAL_POINT = "focal_point", _("Country focal point")
        TRAINER = "trainer", _("Trainer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tna_role"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="The focal point's country",
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="focal_point") | models.Q(country__isnull=False),
                name="focal_point_has_country",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Course(models.Model):
    """A course of the training catalogue and the competencies it builds."""

    class Level(models.TextChoices):
        INTRODUCTORY = "introductory", _("Introductory")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class Audience(models.TextChoices):
        FIRST_RESPONDERS = "first_responders", _("First responders")
        INVESTIGATORS = "investigators", _("Investigators")
        FORENSIC_EXAMINERS = "forensic_examiners", _("Forensic examiners")
        PROSECUTORS = "prosecutors", _("Prosecutors")
        JUDGES = "judges", _("Judges")
        MANAGERS = "managers", _("Managers")
        POLICY_MAKERS = "policy_makers", _("Policy makers")

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    competencies = models.JSONField(
        default=list, help_text="Codes of the competencies it builds, e.g. DF-04"
    )
    audiences = models.JSONField(default=list, help_text="Audience codes")
    level = models.CharField(max_length=20, choices=Level.choices)
    duration_days = models.DecimalField(max_digits=4, decimal_places=1)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_by"
    )
    preconditions = models.JSONField(
        default=list,
        blank=True,
        help_text="Codes of the yes / partly / no questions on the legal powers or resources "
        "it depends on, e.g. UC-L01: an agency answering 'no' gets a recommendation instead",
    )
    source = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[prerequisites])

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.title}"


class KindAudience(models.Model):
    """Which course audiences an agency of one kind trains: a course goes only
    to the agencies whose kind's audiences meet its own (analysis.plan). A
    kind with no row here takes its respondent's role, or any audience."""

    kind = models.CharField(max_length=20, choices=Agency.Kind.choices, unique=True)
    audiences = models.JSONField(default=list, help_text="Audience codes, e.g. prosecutors")
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = "audience of a kind of agency"
        verbose_name_plural = "audiences of kinds of agency"

    def __str__(self):
        return f"{self.get_kind_display()}: {', '.join(self.audiences)}"


class OfflineUpload(models.Model):
    """A filled offline questionnaire workbook, kept whatever its fate, so
    nothing an agency sent is ever lost."""

    class Outcome(models.TextChoices):
        SAVED = "saved", _("All answers saved")
        PARTLY = "partly", _("Saved, with problems listed")
        REFUSED = "refused", _("Refused")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="offline_uploads"
    )
    file = models.FileField(
        upload_to="offline/%Y/%m/",
        blank=True,
        help_text="Empty for an older refused file no longer kept (OFFLINE_REFUSED_KEPT)",
    )
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="Empty when the agency uploaded through its link",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    saved_answers = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.original_name} for {self.invitation}"


def localized(texts, language, default_language):
    """A label in the respondent's language, else the form's default, else any."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(default_language) or next(iter(texts.values()))


# The training registry's models live with its code; imported so Django finds them here.
from surveys.registry.models import Assessment, Participant, TrainingEvent  # noqa: E402, F401
