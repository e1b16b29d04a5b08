from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    # A production's versions, and asking for a new one.
    path("productions/<int:pk>/reports/", views.report_list, name="list"),
    path("productions/<int:pk>/reports/compile/", views.report_compile, name="compile"),
    path("productions/<int:pk>/rule-sets/", views.rule_sets, name="rule_sets"),
    # One version: its page, the progress block polled while it compiles, its files.
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/progress/", views.report_progress, name="progress"),
    path("reports/<int:pk>/download/<str:fmt>/", views.report_download, name="download"),
    path("reports/<int:pk>/retry/", views.report_retry, name="retry"),
    path("reports/<int:pk>/submit/", views.report_submit, name="submit"),
    # Review, and the union's audit findings.
    path("reviews/", views.review_queue, name="queue"),
    path("reports/<int:pk>/approve/", views.report_approve, name="approve"),
    path("reports/<int:pk>/request-changes/", views.report_request_changes, name="request_changes"),
    path("reports/<int:pk>/audit-findings/", views.audit_finding_raise, name="audit_raise"),
    path(
        "reports/<int:pk>/audit-findings/<int:fid>/",
        views.audit_finding_update,
        name="audit_update",
    ),
    # What changed between two versions of the same production.
    path("reports/<int:pk>/diff/<int:other_pk>/", views.report_diff, name="diff"),
]
