from django.urls import path

from . import credits_views

app_name = "credits"

urlpatterns = [
    path("credits/", credits_views.portal, name="portal"),
    path("productions/<int:pk>/credits/", credits_views.production_credits, name="production"),
    path(
        "credits/<int:pk>/download/<str:fmt>/",
        credits_views.download,
        name="download",
    ),
    path("verify/", credits_views.verify_page, name="verify"),
]
