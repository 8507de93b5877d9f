"""Regions, countries, agencies and who holds which role."""

from django.contrib import admin

from surveys.admin.base import HistoryAdmin, ModelAdmin
from surveys.models import (
    Agency,
    Country,
    Region,
    UserRole,
)


@admin.register(Region)
class RegionAdmin(ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Country)
class CountryAdmin(ModelAdmin):
    list_display = ["name", "code", "iso3", "region", "subregion"]
    list_filter = ["region"]
    search_fields = ["name", "code", "iso3"]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["name", "country", "kind", "size"]
    list_filter = ["kind", "country__region"]
    search_fields = ["name", "country__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]


@admin.register(UserRole)
class UserRoleAdmin(HistoryAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role"]
    autocomplete_fields = ["country"]
