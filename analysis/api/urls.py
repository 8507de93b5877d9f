from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from analysis.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<slug:code>/", views.campaign, name="campaign"),
    path("campaigns/<slug:code>/response-rates/", views.response_rates, name="response_rates"),
    path("campaigns/<slug:code>/gaps/", views.gaps, name="gaps"),
    path("campaigns/<slug:code>/shares/", views.shares, name="shares"),
    path("campaigns/<slug:code>/training-plan/", views.training_plan, name="training_plan"),
    path(
        "campaigns/<slug:code>/countries/<slug:country>/",
        views.country_profile,
        name="country_profile",
    ),
    path("campaigns/<slug:code>/responses/", views.agency_responses, name="responses"),
    # Anything else under /api/ (a code that is no slug among them) is a 404
    # in JSON, not the site's HTML page.
    re_path(r"^[\s\S]*$", views.not_found),
]
