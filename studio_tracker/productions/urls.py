from django.urls import path

from . import views

app_name = "productions"


def _structure_urls(kind: str) -> list:
    """The new, edit and delete pages of episodes, sequences or shots."""
    prefix = f"productions/<int:pk>/{kind}s/"
    return [
        path(f"{prefix}new/", views.structure_create, {"kind": kind}, name=f"{kind}_create"),
        path(
            f"{prefix}<int:object_pk>/edit/",
            views.structure_edit,
            {"kind": kind},
            name=f"{kind}_edit",
        ),
        path(
            f"{prefix}<int:object_pk>/delete/",
            views.structure_delete,
            {"kind": kind},
            name=f"{kind}_delete",
        ),
    ]


urlpatterns = [
    path("productions/", views.production_list, name="list"),
    path("productions/new/", views.production_create, name="create"),
    path("productions/<int:pk>/", views.production_detail, name="detail"),
    path("productions/<int:pk>/edit/", views.production_edit, name="edit"),
    *_structure_urls("episode"),
    *_structure_urls("sequence"),
    *_structure_urls("shot"),
    path("productions/<int:pk>/members/", views.members, name="members"),
    path(
        "productions/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("organizations/<int:pk>/people/", views.organization_people, name="people"),
    path(
        "organizations/<int:pk>/people/<int:user_pk>/active/",
        views.person_set_active,
        name="people_active",
    ),
    path(
        "organizations/<int:pk>/two-factor/",
        views.organization_two_factor,
        name="organization_two_factor",
    ),
    path(
        "organizations/<int:pk>/people/<int:user_pk>/compliance-admin/",
        views.person_compliance_admin,
        name="people_compliance_admin",
    ),
]
