"""Who does what where: the training registry for coordinators, trainers and
a focal point (their own State)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from surveys import access
from surveys.models import Region
from surveys.registry import selectors


@login_required
def registry(request):
    user_access = access.access_for(request.user)
    country = user_access.forced_country or request.GET.get("country", "").upper() or None
    region = request.GET.get("region") or None
    by_country = selectors.events_for(country=country, region=region)
    planned = [event for groups in by_country.values() for event in groups["planned"]]
    return render(
        request,
        "surveys/registry.html",
        {
            "by_country": by_country,
            "overlaps": selectors.overlaps(planned),
            "regions": Region.objects.order_by("name").values_list("name", flat=True),
            "region": region,
            "access": user_access,
        },
    )
