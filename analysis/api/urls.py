from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from analysis.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<str:code>/", views.campaign, name="campaign"),
    path("campaigns/<str:code>/response-rates/", views.response_rates, name="response_rates"),
    path("campaigns/<str:code>/gaps/", views.gaps, name="gaps"),
    path("campaigns/<str:code>/shares/", views.shares, name="shares"),
    path("campaigns/<str:code>/training-plan/", views.training_plan, name="training_plan"),
    path(
        "campaigns/<str:code>/countries/<str:country>/",
        views.country_profile,
        name="country_profile",
    ),
    path("campaigns/<str:code>/responses/", views.agency_responses, name="responses"),
    # Anything else under /api/ is a 404 in JSON, not the site's HTML page.
    re_path(r"^.*$", views.not_found),
]
