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
    path("campaigns/<slug:code>/compare/<slug:other>/", views.compare_rounds, name="compare"),
    path(
        "campaigns/<slug:code>/compare/<slug:other>/compare.xlsx",
        views.compare_workbook,
        name="compare_workbook",
    ),
    path("campaigns/<slug:code>/countries/<str:country>/", views.country_profile, name="country"),
    path(
        "campaigns/<slug:code>/countries/<str:country>/chart.png",
        views.country_chart,
        name="country_chart",
    ),
    path(
        "campaigns/<slug:code>/countries/<str:country>/report.docx",
        views.country_report_docx,
        name="country_report",
    ),
]
