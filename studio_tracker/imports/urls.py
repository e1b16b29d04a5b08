from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("productions/<int:pk>/imports/", views.import_list, name="list"),
    path("productions/<int:pk>/imports/new/", views.import_new, name="new"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/apply/", views.import_apply, name="apply"),
    path(
        "imports/<int:pk>/suggestions/<int:number>/",
        views.suggestion_decide,
        name="suggestion",
    ),
]
