"""A background job's page: how far it is, then its file, or why it failed
(or that it stalled) and a button to try again. Coordinators only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import jobs
from common.models import Job
from surveys import access

# How often the page of a running job reloads itself, in seconds.
REFRESH_SECONDS = 2
# A stalled job's page still notices when a worker takes it up at last.
STALLED_REFRESH = 30


def _job_for(request, job_id):
    """The job, for a coordinator: its files name agencies, so someone who
    started it and is no longer one sees it no more."""
    job = get_object_or_404(Job, pk=job_id)
    if not access.access_for(request.user).is_coordinator:
        raise Http404("No such job")
    return job


@login_required
def job_detail(request, job_id):
    job = _job_for(request, job_id)
    refresh = None if job.is_finished else STALLED_REFRESH if job.is_stalled else REFRESH_SECONDS
    context = {"job": job, "refresh": refresh, "title": jobs.TITLES.get(job.kind, job.kind)}
    return render(request, "common/job.html", context | {"summary": jobs.job_summary(job)})


@login_required
def job_download(request, job_id):
    job = _job_for(request, job_id)
    if job.status != Job.Status.DONE:
        raise Http404("The file is not ready")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@require_POST
@login_required
def job_retry(request, job_id):
    job = jobs.job_retry(job=_job_for(request, job_id))
    return redirect("common:job", job.pk)


@require_POST
@login_required
def job_new(request, kind):
    """Start a job of `kind` on the posted campaigns (coordinators only: these
    files name agencies). A campaign gone since the page was loaded is left
    out, and the person is told."""
    user_access = access.access_for(request.user)
    if not user_access.is_coordinator:
        raise PermissionDenied
    if kind not in jobs.STARTABLE:
        raise Http404("No such job")
    posted = request.POST.getlist("campaign")
    known = set(
        access.campaigns_for(user_access).filter(code__in=posted).values_list("code", flat=True)
    )
    codes = [code for code in dict.fromkeys(posted) if code in known]
    gone = [code for code in dict.fromkeys(posted) if code not in known]
    if gone:
        names = ", ".join(gone)
        messages.warning(request, _("No such campaign (any more): %(codes)s.") % {"codes": names})
    if not codes:
        return redirect("surveys:campaigns")
    params = {"campaigns": codes} if kind == "workbooks" else {"campaign": codes[0]}
    job = jobs.job_start(kind=kind, params=params, user=request.user)
    return redirect("common:job", job.pk)
