"""The API's answers, field by field: what the OpenAPI schema promises and
what each view returns. Rows of the analysis tables come from
analysis.tables.records (None where a cell is empty or suppressed)."""

from rest_framework import serializers


class CampaignSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    questionnaire = serializers.CharField(source="questionnaire.code")
    questionnaire_version = serializers.IntegerField(source="questionnaire.version")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    is_open = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)


class RateSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    submitted = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Submitted ÷ invited, 0–1")


class RegionRateSerializer(RateSerializer):
    region = serializers.CharField()


class CountryRateSerializer(RateSerializer):
    region = serializers.CharField()
    country = serializers.CharField()
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2")


class ResponseRatesSerializer(serializers.Serializer):
    totals = RateSerializer()
    by_region = RegionRateSerializer(many=True)
    by_country = CountryRateSerializer(many=True)


def _number():
    return serializers.FloatField(allow_null=True)


class GapRowSerializer(serializers.Serializer):
    """One row of a gap table (DESIGN.md, "Gap formulas"); every number is
    null where the row is suppressed (fewer than min_n respondents, or a group
    that could be singled out)."""

    competency = serializers.CharField(required=False)
    domain = serializers.CharField()
    group = serializers.CharField(required=False, help_text="The value of `by`, when given")
    n = serializers.IntegerField()
    importance_mean = _number()
    capability_mean = _number()
    gap_mean = _number()
    gap_ci_low = _number()
    gap_ci_high = _number()
    mwds = _number()
    rank = serializers.IntegerField(allow_null=True)
    priority = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField()


class ShareRowSerializer(serializers.Serializer):
    """Per yes/partly/no item: the share of agencies answering each, and of
    those lacking it (no or partly); null where suppressed."""

    question = serializers.CharField()
    domain = serializers.CharField()
    group = serializers.CharField(required=False)
    n = serializers.IntegerField()
    share_yes = _number()
    share_partly = _number()
    share_no = _number()
    share_dont_know = _number()
    lacking = _number()
    lacking_states = _number()
    suppressed = serializers.BooleanField()


class SelectionSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField())
    by = serializers.CharField(allow_null=True)
    respondents = serializers.IntegerField(allow_null=True)
    min_n = serializers.IntegerField(help_text="Cells with fewer respondents are suppressed")
    release = serializers.IntegerField(
        allow_null=True, help_text="For readers of aggregates: the release the results come from"
    )
    hidden_selection = serializers.BooleanField(
        help_text="The selection could single out a small group: every row is suppressed"
    )


class GapsSerializer(SelectionSerializer):
    competencies = GapRowSerializer(many=True)
    domains = GapRowSerializer(many=True)


class SharesSerializer(SelectionSerializer):
    shares = ShareRowSerializer(many=True)


class CourseSerializer(serializers.Serializer):
    priority = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    audience = serializers.CharField()
    level = serializers.CharField()
    duration_days = _number()
    need_score = _number()
    competencies = serializers.CharField(help_text="Competency codes, space-separated")
    agencies_needing = serializers.IntegerField(allow_null=True)
    countries_needing = serializers.IntegerField(allow_null=True)
    cohorts = serializers.CharField(allow_null=True)
    participants = serializers.IntegerField(allow_null=True)
    cost_usd = _number()
    prerequisites = serializers.CharField(allow_null=True)


class PlannedAgencySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The course")
    agency_name = serializers.CharField()
    country = serializers.CharField()
    kind = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    language = serializers.CharField(allow_null=True)


class TrainingPlanSerializer(SelectionSerializer):
    courses = CourseSerializer(many=True)
    agencies = PlannedAgencySerializer(
        many=True, help_text="Which agency needs which course: coordinators only, else empty"
    )


class StateDomainSerializer(serializers.Serializer):
    domain = serializers.CharField()
    state_gap = _number()
    state_n = serializers.IntegerField(allow_null=True, help_text="The State's respondents")
    region_gap = _number()
    region_states = serializers.IntegerField(allow_null=True)
    world_gap = _number()
    world_states = serializers.IntegerField(allow_null=True)


class AgencyStatusSerializer(serializers.Serializer):
    agency = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class StateProfileSerializer(serializers.Serializer):
    country = serializers.CharField(source="country.code")
    country_name = serializers.CharField(source="country.name")
    region = serializers.CharField()
    withheld = serializers.BooleanField(
        help_text="A reader of aggregates, and the State's agencies could be singled out"
    )
    invited = serializers.IntegerField(allow_null=True)
    submitted = serializers.IntegerField(allow_null=True)
    domains = StateDomainSerializer(many=True)
    courses = CourseSerializer(many=True)
    agencies = AgencyStatusSerializer(
        many=True, help_text="Coordinators and the State's focal point only, else empty"
    )


class AgencyResponseSerializer(serializers.Serializer):
    agency = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    kind = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.DictField(
        child=serializers.CharField(), help_text="Question code → answer as stored"
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FilterErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.CharField())
