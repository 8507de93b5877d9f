"""What the analysis commands share: finding the campaign they were given."""

from django.core.management.base import CommandError

from surveys.models import Campaign


def campaign_named(code):
    """The campaign with this code, or a CommandError naming the known ones."""
    found = Campaign.objects.select_related("questionnaire").filter(code=code).first()
    if found is None:
        known = ", ".join(Campaign.objects.values_list("code", flat=True)) or "none"
        raise CommandError(f"No campaign '{code}'. Known campaigns: {known}")
    return found
