from django.contrib import admin
from django.urls import include, path

from studio_tracker import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("studio_tracker.accounts.urls")),
    path("admin/", admin.site.urls),
]
