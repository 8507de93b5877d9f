from django.urls import path

from surveys.campaigns import views as campaign_views
from surveys.offline import views as offline_views
from surveys.registry import views as registry_views
from surveys.respond import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    # The respondent's pages, reached through an invitation link.
    path("r/<str:token>/", views.start, name="start"),
    path("r/<str:token>/section/<str:code>/", views.section, name="section"),
    path("r/<str:token>/section/<str:code>/autosave/", views.autosave, name="autosave"),
    path("r/<str:token>/review/", views.review, name="review"),
    path("r/<str:token>/submit/", views.submit, name="submit"),
    path("r/<str:token>/done/", views.done, name="done"),
    path("r/<str:token>/offline.xlsx", offline_views.respondent_download, name="offline_download"),
    path("r/<str:token>/offline/", offline_views.respondent_upload, name="offline"),
    # The coordinators' pages.
    path("training/", registry_views.registry, name="registry"),
    path("training/events/<int:event_id>/", registry_views.event_detail, name="event"),
    path(
        "training/events/<int:event_id>/invite/<str:stage>/",
        registry_views.event_invite,
        name="event_invite",
    ),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_new"),
    path("campaigns/<slug:code>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<slug:code>/invite/", campaign_views.campaign_invite, name="campaign_invite"),
    path("campaigns/<slug:code>/remind/", campaign_views.campaign_remind, name="campaign_remind"),
    path("campaigns/<slug:code>/close/", campaign_views.campaign_close, name="campaign_close"),
    path(
        "campaigns/<slug:code>/responses.<str:fmt>",
        campaign_views.responses_download,
        name="responses_download",
    ),
    path(
        "campaigns/<slug:code>/xlsform-for-collection.xlsx",
        campaign_views.collection_xlsform,
        name="collection_xlsform",
    ),
    path(
        "campaigns/<slug:code>/responses-codebook.csv",
        campaign_views.responses_codebook,
        name="responses_codebook",
    ),
    path(
        "campaigns/<slug:code>/jobs/<int:job_id>/links/",
        campaign_views.job_links,
        name="job_links",
    ),
    path(
        "campaigns/<slug:code>/invitations/<int:invitation_id>/new-link/",
        campaign_views.invitation_new_link,
        name="invitation_new_link",
    ),
    path(
        "campaigns/<slug:code>/invitations/<int:invitation_id>/reopen/",
        campaign_views.response_reopen,
        name="response_reopen",
    ),
    path(
        "campaigns/<slug:code>/invitations/<int:invitation_id>/offline.xlsx",
        offline_views.coordinator_download,
        name="invitation_offline_download",
    ),
    path(
        "campaigns/<slug:code>/invitations/<int:invitation_id>/offline/",
        offline_views.coordinator_upload,
        name="invitation_offline",
    ),
]
