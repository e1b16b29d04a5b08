from django.urls import path

from . import privacy_views, views

app_name = "usage"

urlpatterns = [
    # Logging: the shot page, its htmx helpers, one use on many shots, and one use's pages.
    path("shots/<int:pk>/", views.shot_detail, name="shot"),
    path("productions/<int:pk>/uses/tools/", views.tool_options, name="tool_options"),
    path(
        "productions/<int:pk>/uses/performers/",
        views.performer_options,
        name="performer_options",
    ),
    path("productions/<int:pk>/uses/coverage/", views.coverage, name="coverage"),
    path("productions/<int:pk>/uses/bulk/", views.bulk_log, name="bulk"),
    path("uses/<int:pk>/edit/", views.use_edit, name="use_edit"),
    path("uses/<int:pk>/copy/", views.use_copy, name="use_copy"),
    path("uses/<int:pk>/delete/", views.use_delete, name="use_delete"),
    # The production's AI-use register, as a page and as CSV.
    path("productions/<int:pk>/register/", views.register, name="register"),
    path(
        "productions/<int:pk>/register.csv",
        views.register,
        {"as_csv": True},
        name="register_csv",
    ),
    # Performers of an organisation.
    path("organizations/<int:pk>/performers/", views.performer_list, name="performers"),
    path(
        "organizations/<int:pk>/performers/new/",
        views.performer_create,
        name="performer_create",
    ),
    path(
        "organizations/<int:pk>/performers/similar/",
        views.performer_similar,
        name="performer_similar",
    ),
    path("performers/<int:pk>/", views.performer_detail, name="performer"),
    path("performers/<int:pk>/edit/", views.performer_edit, name="performer_edit"),
    path("performers/<int:pk>/uses/", views.performer_uses, name="performer_uses"),
    # A performer's personal data: export and erasure (compliance admins).
    path(
        "performers/<int:pk>/personal-data/",
        privacy_views.personal_data,
        name="performer_personal_data",
    ),
    path(
        "performers/<int:pk>/personal-data.json",
        privacy_views.personal_data_download,
        name="performer_personal_data_download",
    ),
    # Consents and clearances of a production.
    path("productions/<int:pk>/consents/", views.consent_list, name="consents"),
    path("productions/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("consents/<int:pk>/edit/", views.consent_edit, name="consent_edit"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("consents/<int:pk>/document/", views.consent_document, name="consent_document"),
    path("productions/<int:pk>/clearances/", views.clearance_list, name="clearances"),
    path(
        "productions/<int:pk>/clearances/new/",
        views.clearance_create,
        name="clearance_create",
    ),
    path("clearances/<int:pk>/edit/", views.clearance_edit, name="clearance_edit"),
    path("clearances/<int:pk>/document/", views.clearance_document, name="clearance_document"),
    # The tool registry.
    path("tools/", views.tools_home, name="tools_home"),
    path("organizations/<int:pk>/tools/", views.tool_list, name="tools"),
    path("organizations/<int:pk>/tools/new/", views.tool_create, name="tool_create"),
    path("tools/<int:pk>/edit/", views.tool_edit, name="tool_edit"),
]
