from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("campaigns/<slug:code>/dashboard/", views.dashboard, name="dashboard"),
    path(
        "campaigns/<slug:code>/competencies/<str:competency_code>/",
        views.competency,
        name="competency",
    ),
    path("campaigns/<slug:code>/domains/<str:domain_code>/", views.domain, name="domain"),
    path("campaigns/<slug:code>/charts/<slug:name>.<str:fmt>", views.chart, name="chart"),
    path("campaigns/<slug:code>/gaps.csv", views.gaps_csv, name="gaps_csv"),
    path("campaigns/<slug:code>/workbook.xlsx", views.workbook, name="workbook"),
    path("campaigns/<slug:code>/plan/", views.training_plan, name="plan"),
]
