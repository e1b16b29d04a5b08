"""The product's URLs plus /bench/plain-entries/: the same page of usage entries as the API's
list, straight from ``.values()`` into JSON, with no authentication, serializer or permission
check. It is the yardstick the API is measured against, in the same server and the same run."""

from django.http import JsonResponse
from django.urls import path

from studio_tracker.urls import urlpatterns as product_urlpatterns
from studio_tracker.usage.models import UsageEntry
from studio_tracker.usage.serializers import ENTRY_COLUMNS

PAGE = 50
# The API page's own columns, so both sides read the same data.
COLUMNS = [column for _, column in ENTRY_COLUMNS if column]


def plain_entries(request):
    """``?production=&after=``: the next 50 entries after an id, as the cursor page holds."""
    rows = list(
        UsageEntry.objects.filter(
            production_id=int(request.GET["production"]), id__gt=int(request.GET.get("after", 0))
        )
        .order_by("id")
        .values(*COLUMNS)[:PAGE]
    )
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/plain-entries/", plain_entries), *product_urlpatterns]
