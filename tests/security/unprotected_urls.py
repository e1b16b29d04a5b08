"""The real site plus one route that checks nothing: what the matrix must catch."""

from django.http import HttpResponse
from django.urls import include, path

from studio_tracker.productions.models import Production


def leaky_production_title(request, pk: int):
    """Answers any production's title to anyone: no login, no access check."""
    production = Production.objects.filter(pk=pk).first()
    return HttpResponse(production.title if production else "")


urlpatterns = [
    path("", include("studio_tracker.urls")),
    path("productions/<int:pk>/leak/", leaky_production_title, name="leaky_production_title"),
]
