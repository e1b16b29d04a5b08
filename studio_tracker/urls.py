"""HTML routes per app, and ONE API router at /api/v1/ listing every endpoint."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from studio_tracker import views
from studio_tracker.accounts import api as accounts_api
from studio_tracker.imports import api as imports_api
from studio_tracker.productions import api as productions_api
from studio_tracker.reports import api as reports_api
from studio_tracker.reports import credits_api
from studio_tracker.usage import api as usage_api

router = DefaultRouter()
router.include_format_suffixes = False
router.register("auth/tokens", accounts_api.ApiTokenViewSet, basename="apitoken")
router.register("organizations", productions_api.OrganizationViewSet, basename="organization")
router.register("users", productions_api.UserViewSet, basename="user")
router.register("memberships", productions_api.MembershipViewSet, basename="membership")
router.register("productions", productions_api.ProductionViewSet, basename="production")
router.register("episodes", productions_api.EpisodeViewSet, basename="episode")
router.register("sequences", productions_api.SequenceViewSet, basename="sequence")
router.register("shots", productions_api.ShotViewSet, basename="shot")
router.register("tools", usage_api.ToolViewSet, basename="tool")
router.register("performers", usage_api.PerformerViewSet, basename="performer")
router.register("consents", usage_api.ConsentViewSet, basename="consent")
router.register("clearances", usage_api.ClearanceViewSet, basename="clearance")
router.register("usage-entries", usage_api.UsageEntryViewSet, basename="usageentry")
router.register(
    r"productions/(?P<production_pk>\d+)/imports",
    imports_api.ProductionImportViewSet,
    basename="production-import",
)
router.register("imports", imports_api.ImportViewSet, basename="import")
router.register("reports", reports_api.ReportViewSet, basename="report")
router.register("credits", credits_api.CreditViewSet, basename="credit")
router.register("audit-events", reports_api.AuditEventViewSet, basename="auditevent")

# ReDoc renders with runtime <style> tags and starts its search worker from a blob: URL; that
# page alone gets a policy allowing them.
redoc = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

api_urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", redoc, name="api-redoc"),
    path("credits/verify/", credits_api.VerifyView.as_view(), name="api-credits-verify"),
    path("", include(router.urls)),
]

urlpatterns = [
    # First: pipeline tools call the API page after page, and each URL is tried against the
    # patterns in order (about a hundred of the site's pages before it otherwise).
    path("api/v1/", include(api_urlpatterns)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Before productions: the production's home URL shows its dashboard.
    path("", include("studio_tracker.dashboards.urls")),
    path("", include("studio_tracker.productions.urls")),
    path("", include("studio_tracker.imports.urls")),
    path("", include("studio_tracker.usage.urls")),
    path("", include("studio_tracker.reports.urls")),
    path("", include("studio_tracker.reports.credits_urls")),
    path("accounts/", include("studio_tracker.accounts.urls")),
    path("admin/", admin.site.urls),
]

# JSON for the API, the site's pages elsewhere (an unmatched URL, a body over the limit).
handler400 = "studio_tracker.lib.errors.bad_request"
handler404 = "studio_tracker.lib.errors.not_found"
