import math

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def percent(value):
    """0.767 → '77%'; empty for a missing value."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(number) else f"{100 * number:.0f}%"


@register.filter
def decimals(value, places=1):
    """A mean for display: rounded here only, computed at full precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return f"{float(value):.{int(places)}f}"
    except (TypeError, ValueError):
        return ""


@register.filter
def thousands(value):
    """12500.0 → '12,500'; empty for a missing value."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(number) else f"{number:,.0f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


GROUPING_NAMES = {
    "region": _("region"),
    "country": _("country"),
    "agency_kind": _("kind of agency"),
    "role": _("respondent role"),
    "campaign": _("campaign"),
}


@register.filter
def humanize_grouping(name):
    return GROUPING_NAMES.get(name, name.replace("_", " "))


@register.simple_tag
def languages_in_themselves():
    """settings.LANGUAGES as written there, each named in itself.
    get_available_languages would translate the names: "English" became
    "الإنكليزية" on an Arabic page, where an English reader must find it."""
    from django.conf import settings

    return settings.LANGUAGES
