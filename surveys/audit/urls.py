from django.urls import path

from surveys.audit import views as audit_views

app_name = "audit"

urlpatterns = [
    path("campaigns/<slug:code>/audit/", audit_views.audit_page, name="page"),
    path("campaigns/<slug:code>/audit.csv", audit_views.audit_csv, name="csv"),
]
