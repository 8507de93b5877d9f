from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from needsassessment.throttle import ThrottledLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledLoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # set_language: the language switch of the staff pages (a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("analysis.api.urls")),
    path("", include("common.urls")),
    path("", include("analysis.urls")),
    path("", include("surveys.urls")),
    path("", include("surveys.audit.urls")),
]
