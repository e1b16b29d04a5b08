"""The product's URLs plus /bench/plain-entries/: the same page of usage entries as the API's
list, straight from ``.values()`` into JSON, with no authentication, serializer or permission
check. It is the yardstick the API is measured against, in the same server and the same run."""

from django.http import JsonResponse
from django.urls import path

from studio_tracker.urls import urlpatterns as product_urlpatterns
from studio_tracker.usage.models import UsageEntry

PAGE = 50
COLUMNS = (
    "id",
    "production_id",
    "episode_id",
    "shot_id",
    "department",
    "category",
    "modality",
    "tool_id",
    "tool_version",
    "generation_kind",
    "disposition",
    "description",
    "human_contribution",
    "depicts_real_person",
    "depicts_real_place_or_event",
    "realism",
    "replica_kind",
    "performance_altered",
    "alteration_purpose",
    "synthetic_replaces_performer",
    "prompt_names_performer",
    "prompt_uses_facial_feature",
    "language",
    "iptc_source_type",
    "iptc_source_type_overridden",
    "used_on",
    "operator",
    "vendor",
    "input_sources",
    "prompt_text",
    "external_ref",
)


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
