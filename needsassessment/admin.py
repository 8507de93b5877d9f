"""The admin site: only coordinators (and superusers) may use it, whatever
Django permissions a staff account holds (surveys.access.may_use_admin)."""

from django.contrib import admin

from surveys import access


class AssessmentAdminSite(admin.AdminSite):
    site_header = "Training needs assessment: coordination"
    site_title = "Training needs assessment"

    def has_permission(self, request):
        return access.may_use_admin(request.user)
