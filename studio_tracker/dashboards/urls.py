from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    # The production's home page: its dashboard above its details, episodes and shots. Listed
    # before the productions app's routes, so the same URL (productions:detail) lands here.
    path("productions/<int:pk>/", views.production_home, name="production"),
    path("studio/", views.studio_overview, name="studio"),
]
