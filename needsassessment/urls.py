from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Training needs assessment: coordination"
admin.site.site_title = "Training needs assessment"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("surveys.urls")),
]
