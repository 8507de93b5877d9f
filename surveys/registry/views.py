"""Who does what where: the training registry for coordinators, trainers and
a focal point (their own State); an event's participants and their class."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from surveys import access
from surveys.campaigns import views as campaign_views
from surveys.models import Assessment, Region, TrainingEvent
from surveys.registry import assessments, classes, selectors
from surveys.registry.forms import ParticipantForm


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
            "sees_events": classes.sees_events(user_access),
        },
    )


def _event_for(request, *, coordinator=False):
    user_access = access.access_for(request.user)
    if not classes.sees_events(user_access) or (coordinator and not user_access.is_coordinator):
        raise PermissionDenied
    return user_access


@login_required
def event_detail(request, event_id):
    user_access = _event_for(request)
    events = TrainingEvent.objects.select_related("course", "country__region")
    event = get_object_or_404(events, pk=event_id)
    form = None
    if user_access.is_coordinator:
        form = ParticipantForm(request.POST or None, event=event)
        if request.method == "POST" and form.is_valid():
            participant = form.save()
            messages.success(request, _("%(name)s added.") % {"name": participant.name})
            return redirect("surveys:event", event_id=event.pk)
    context = classes.event_class(event, user_access)
    context.update(event=event, form=form, access=user_access)
    return render(request, "surveys/event.html", context)


@login_required
@require_POST
def event_invite(request, event_id, stage):
    _event_for(request, coordinator=True)
    event = get_object_or_404(TrainingEvent, pk=event_id)
    if stage not in Assessment.Stage.values:
        raise Http404("No such stage")
    try:
        invited = assessments.participants_invite(
            event, stage, link_for=campaign_views.link_maker(request)
        )
    except assessments.AssessmentError as error:
        messages.error(request, str(error))
        return redirect("surveys:event", event_id=event.pk)
    for participant, why in invited.failed:
        # Translators: the last placeholder is the mail server's error, in English.
        message = _("%(name)s was not invited: the e-mail failed (%(error)s).")
        messages.error(request, message % {"name": participant.name, "error": why})
    issued = invited.issued
    if not issued and not invited.failed:
        messages.info(request, _("Every participant is already invited to this questionnaire."))
    if not issued:
        return redirect("surveys:event", event_id=event.pk)
    campaign = event.assessments.get(stage=stage).campaign
    count = len(issued)
    title = ngettext("Invited %(count)d participant", "Invited %(count)d participants", count)
    return campaign_views.links_page(request, campaign, issued, title % {"count": count})
