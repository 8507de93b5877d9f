"""What every admin page shares: only coordinators use the admin (the rule is
surveys.access.may_use_admin), and one way to show an upload page."""

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from simple_history.admin import SimpleHistoryAdmin

from surveys import access


class CoordinatorsOnly:
    """Permission methods that ask surveys.access before Django's own
    permissions: a staff account with model permissions but no coordinator
    role (a trainer, a focal point) sees nothing, in lists, pages, history,
    inlines and autocomplete alike."""

    def has_module_permission(self, request):
        return access.may_use_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return access.may_use_admin(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return access.may_use_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.may_use_admin(request.user) and super().has_delete_permission(request, obj)


class ModelAdmin(CoordinatorsOnly, admin.ModelAdmin):
    pass


class HistoryAdmin(CoordinatorsOnly, SimpleHistoryAdmin):
    pass


class TabularInline(CoordinatorsOnly, admin.TabularInline):
    pass


def upload_page(model_admin, request, *, form_class, receive, template, title, **context):
    """An admin upload page: the form, or after a valid post `receive(cleaned
    data)`, which returns the reply for a file that was taken or the list of
    problems to show beside the form (nothing is stored then)."""
    form = form_class(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        outcome = receive(form.cleaned_data)
        if isinstance(outcome, HttpResponse):
            return outcome
        problems = outcome
    context.update(
        model_admin.admin_site.each_context(request),
        title=title,
        form=form,
        problems=problems,
        opts=model_admin.model._meta,
    )
    return render(request, template, context)


def import_counts(file, read, created, updated):
    """The placeholders of an import's summary message."""
    return {
        "count": read,
        "file": file,
        "created": created,
        "updated": updated,
        "unchanged": read - created - updated,
    }
