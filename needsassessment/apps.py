from django.contrib.admin.apps import AdminConfig


class AssessmentAdminConfig(AdminConfig):
    default_site = "needsassessment.admin.AssessmentAdminSite"
