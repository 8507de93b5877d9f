from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", views.start, name="start"),
    path("r/<str:token>/section/<str:code>/", views.section, name="section"),
    path("r/<str:token>/review/", views.review, name="review"),
    path("r/<str:token>/submit/", views.submit, name="submit"),
    path("r/<str:token>/done/", views.done, name="done"),
]
