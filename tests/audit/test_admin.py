"""The admin shows the audit log and offers no way to change it; every other admin registration
is read-only too, or records each add, change and delete in the trail."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from studio_tracker.audit import trail
from studio_tracker.audit.admin import SITE_CHAIN, AuditedAdmin
from studio_tracker.audit.models import AuditEvent

from .conftest import add_events


def test_staff_can_read_events_in_the_admin_but_not_add_change_or_delete_them(admin_client):
    event = add_events(1, 2)[0]
    assert admin_client.get("/admin/audit/auditevent/").status_code == 200
    page = admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/audit/chainhead/").status_code == 200


# --- Every admin registration is read-only or audited ------------------------------------------

# What each model registered in the admin is: "read-only" (nothing can be added, changed or
# deleted there) or "audited" (each write leaves an event). A registration missing from this
# table fails the test: decide which it is.
ADMIN_KINDS = {
    "audit.AuditEvent": "read-only",
    "audit.ChainHead": "read-only",
    "imports.Import": "read-only",
    "reports.Report": "read-only",
    "reports.Finding": "read-only",
    "reports.Rendering": "read-only",
    "accounts.User": "audited",
    "auth.Group": "audited",
    "otp_totp.TOTPDevice": "audited",
    "axes.AccessAttempt": "audited",
    "axes.AccessLog": "audited",
    "axes.AccessFailureLog": "audited",
}


def registrations() -> dict:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def test_every_admin_registration_is_read_only_or_audited():
    assert set(registrations()) == set(ADMIN_KINDS)
    for label, model_admin in registrations().items():
        if ADMIN_KINDS[label] == "audited":
            assert isinstance(model_admin, AuditedAdmin), label


@pytest.mark.parametrize(
    "label", sorted(label for label, kind in ADMIN_KINDS.items() if kind == "read-only")
)
def test_read_only_admins_refuse_add_change_and_delete(admin_client, admin_user, label):
    model_admin = registrations()[label]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, None)
    assert not model_admin.has_delete_permission(request, None)
    assert "delete_selected" not in model_admin.get_actions(request)
    app_label, model_name = label.lower().split(".")
    assert admin_client.get(f"/admin/{app_label}/{model_name}/add/").status_code == 403
    assert admin_client.get(f"/admin/{app_label}/{model_name}/").status_code == 200


def admin_events(action_prefix: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith=action_prefix).order_by("seq"))


def test_a_user_added_changed_and_deleted_in_the_admin_leaves_three_events(
    admin_client, admin_user
):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    added = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "password1": "a-long-enough-pass-phrase-9",
            "password2": "a-long-enough-pass-phrase-9",
            "usable_password": "true",
        },
    )
    assert added.status_code == 302, added.content[:2000]
    user = User.objects.get(username="newcomer")
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "password")
    }
    data.update(
        {
            "email": "newcomer@example.com",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "is_active": "on",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    changed = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    deleted = admin_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    events = admin_events("admin.accounts.user.")
    assert [e.action.rsplit(".", 1)[1] for e in events] == ["added", "changed", "deleted"]
    for event in events:
        assert event.organization_id == SITE_CHAIN
        assert event.actor_id == admin_user.pk
        assert event.target_id == str(user.pk)
        assert "newcomer" not in str(event.changes) + event.target_label
    assert "email" in events[1].changes["fields"]
    assert trail.verify_chain(SITE_CHAIN) == []


def test_a_group_added_and_deleted_in_bulk_is_audited(admin_client):
    from django.contrib.auth.models import Group

    assert admin_client.post("/admin/auth/group/add/", {"name": "Editors"}).status_code == 302
    group = Group.objects.get(name="Editors")
    response = admin_client.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Group.objects.exists()
    assert [e.action for e in admin_events("admin.auth.group.")] == [
        "admin.auth.group.added",
        "admin.auth.group.deleted",
    ]


def test_lifting_a_lockout_and_removing_a_device_are_audited(admin_client, admin_user):
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    attempt = AccessAttempt.objects.create(
        username="cora", ip_address="203.0.113.9", failures_since_start=9, get_data="", post_data=""
    )
    device = TOTPDevice.objects.create(user=admin_user, name="phone")
    assert (
        admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    ).status_code == 302
    assert (
        admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    ).status_code == 302
    assert [(e.action, e.target_id) for e in admin_events("admin.")] == [
        ("admin.axes.accessattempt.deleted", str(attempt.pk)),
        ("admin.otp_totp.totpdevice.deleted", str(device.pk)),
    ]
