"""The admin shows the audit log and offers no way to change it."""

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
