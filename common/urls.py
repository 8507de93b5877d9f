from django.urls import path

from common import views

app_name = "common"

urlpatterns = [
    path("jobs/new/<str:kind>/", views.job_new, name="job_new"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/file", views.job_download, name="job_file"),
    path("jobs/<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
