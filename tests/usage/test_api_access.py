"""Each role against each usage endpoint, the fields each may read, the filters, and the cost of
the usage register.

404 when the user may not read the object, 403 when they may read but not act, 405 for methods
that do not exist (DESIGN.md). Union reps read a production's entries and evidence only once a
report was submitted there (``union_visible_since``); the matrix runs before and after.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes
from studio_tracker.usage import clearances, consents, entries, performers, tools
from studio_tracker.usage.models import ConsentRecord, Performer, Tool, UsageEntry

from .conftest import PAY_TERMS, PROMPT, add_tool, open_to_union_reps, use_data

pytestmark = pytest.mark.django_db

ROLES = ["cora", "pat", "cam", "uma", "ugo", "dina", "olga"]
OPENS = pytest.mark.parametrize(
    "union_open", [False, True], ids=["before a report is submitted", "after a report is submitted"]
)


@pytest.fixture
def clearance(cast, evidence):
    return clearances.record_clearance(
        actor=cast.pat,
        production=cast.production_a,
        kind="union_notice",
        party="SAG-AFTRA",
        date=datetime.date(2025, 2, 1),
        usage_entries=[evidence.entry],
    )


@pytest.fixture
def world(cast, evidence, clearance):
    """What each endpoint's requests point at."""
    return {
        "usage-entries": {
            "object": evidence.entry,
            "create": {
                "production": cast.production_a.pk,
                "shot": cast.shot_a.pk,
                "department": "vfx",
                "category": "deaging",
                "modality": "video",
                "tool": evidence.tool.pk,
                "disposition": "final_key",
                "replica_kind": "ebdr",
                "used_on": "2025-03-02",
                "performers": [
                    {"performer": evidence.performer.pk, "consent": evidence.consent.pk}
                ],
            },
            "patch": {"description": "Flashback, night exterior"},
        },
        "consents": {
            "object": evidence.consent,
            "create": {
                "performer": evidence.performer.pk,
                "production": cast.production_a.pk,
                "consent_type": "digital_alteration",
                "use_description": "Change two lines of dialogue in scene 12",
            },
            "patch": {"territories": ["WW"]},
        },
        "clearances": {
            "object": clearance,
            "create": {
                "production": cast.production_a.pk,
                "kind": "director_consultation",
                "party": "The director",
                "date": "2025-02-03",
            },
            "patch": {"note": "Confirmed by email"},
        },
        "performers": {
            "object": evidence.performer,
            "create": {
                "organization": cast.northlight.pk,
                "legal_name": "Tomasz Bergqvist",
                "professional_name": "Tom Berg",
            },
            "patch": {"union": "equity"},
        },
        "tools": {
            "object": evidence.tool,
            "create": {
                "organization": cast.northlight.pk,
                "name": "VoiceLoom",
                "vendor": "Loom Audio",
                "modalities": ["audio_voice"],
            },
            "patch": {"emits_c2pa": "yes"},
        },
    }


def call(api, user, world, endpoint, action):
    api.as_user(user)
    target = world[endpoint]
    detail = f"/api/v1/{endpoint}/{target['object'].pk}/"
    if action == "list":
        return api.get(f"/api/v1/{endpoint}/")
    if action == "retrieve":
        return api.get(detail)
    if action == "create":
        return api.post(f"/api/v1/{endpoint}/", target["create"], format="json")
    if action == "patch":
        return api.patch(detail, target["patch"], format="json")
    if action == "delete":
        return api.delete(detail)
    raise AssertionError(action)


def by_role(*statuses) -> dict:
    return dict(zip(ROLES, statuses, strict=True))


# Expected status per role, in ROLES order (cora, pat, cam, uma, ugo, dina, olga); a pair is
# (before, after) where a submitted report changes the answer.
# ugo is union rep of B only; dina a distributor of A; olga a producer in another organisation.
# Performers and tools name an organisation in the body: whoever may not write there gets a 403,
# as for creating a production.
MATRIX = {
    ("usage-entries", "list"): by_role(200, 200, 200, 200, 200, 200, 200),
    ("usage-entries", "retrieve"): by_role(200, 200, 200, (404, 200), 404, 404, 404),
    ("usage-entries", "create"): by_role(201, 201, 201, (400, 403), 400, 400, 400),
    ("usage-entries", "patch"): by_role(200, 200, 200, (404, 403), 404, 404, 404),
    ("usage-entries", "delete"): by_role(204, 204, 204, (404, 403), 404, 404, 404),
    ("consents", "list"): by_role(200, 200, 200, 200, 200, 200, 200),
    ("consents", "retrieve"): by_role(200, 200, 200, (404, 200), 404, 404, 404),
    ("consents", "create"): by_role(403, 201, 201, (400, 403), 400, 400, 400),
    ("consents", "patch"): by_role(403, 200, 200, (404, 403), 404, 404, 404),
    ("consents", "delete"): by_role(405, 405, 405, 405, 405, 405, 405),
    ("clearances", "list"): by_role(200, 200, 200, 200, 200, 200, 200),
    ("clearances", "retrieve"): by_role(200, 200, 200, (404, 200), 404, 404, 404),
    ("clearances", "create"): by_role(403, 201, 201, (400, 403), 400, 400, 400),
    ("clearances", "patch"): by_role(403, 200, 200, (404, 403), 404, 404, 404),
    ("clearances", "delete"): by_role(405, 405, 405, 405, 405, 405, 405),
    ("performers", "list"): by_role(200, 200, 200, 200, 200, 200, 200),
    ("performers", "retrieve"): by_role(200, 200, 200, (404, 200), 404, 404, 404),
    ("performers", "create"): by_role(403, 201, 201, 403, 403, 403, 403),
    ("performers", "patch"): by_role(403, 200, 200, (404, 403), 404, 404, 404),
    ("performers", "delete"): by_role(405, 405, 405, 405, 405, 405, 405),
    ("tools", "list"): by_role(200, 200, 200, 200, 200, 200, 200),
    ("tools", "retrieve"): by_role(200, 200, 200, 404, 404, 404, 404),
    ("tools", "create"): by_role(403, 403, 201, 403, 403, 403, 403),
    ("tools", "patch"): by_role(403, 403, 200, 404, 404, 404, 404),
    ("tools", "delete"): by_role(405, 405, 405, 405, 405, 405, 405),
}


@OPENS
@pytest.mark.parametrize(("endpoint", "action"), MATRIX, ids=[f"{e} {a}" for e, a in MATRIX])
@pytest.mark.parametrize("name", ROLES)
def test_each_role_against_each_usage_endpoint(
    api, cast, world, union_open, endpoint, action, name
):
    if union_open:
        open_to_union_reps(cast.production_a)
    expected = MATRIX[endpoint, action][name]
    if isinstance(expected, tuple):
        expected = expected[union_open]
    response = call(api, getattr(cast, name), world, endpoint, action)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [
        ("usage-entries", UsageEntry),
        ("consents", ConsentRecord),
        ("performers", Performer),
        ("tools", Tool),
    ],
)
@pytest.mark.parametrize("name", ROLES)
def test_a_refused_write_changes_nothing(api, cast, world, endpoint, model, name):
    count = model.objects.count()
    obj = world[endpoint]["object"]
    before = {k: getattr(obj, k) for k in world[endpoint]["patch"]}
    created = call(api, getattr(cast, name), world, endpoint, "create").status_code == 201
    patched = call(api, getattr(cast, name), world, endpoint, "patch").status_code == 200
    assert model.objects.count() == count + created
    obj.refresh_from_db()
    assert ({k: getattr(obj, k) for k in before} != before) == patched


LIST_SIZES = {
    # (entries, consents, clearances, performers, tools), before a report is submitted
    "cora": (1, 1, 1, 1, 1),
    "pat": (1, 1, 1, 1, 1),
    "cam": (1, 1, 1, 1, 1),
    "uma": (0, 0, 0, 0, 0),
    "ugo": (0, 0, 0, 0, 0),
    "dina": (0, 0, 0, 0, 0),
    "olga": (0, 0, 0, 0, 0),
}


@pytest.mark.parametrize("name", ROLES)
def test_lists_hold_only_what_the_user_may_read(api, cast, world, name):
    api.as_user(getattr(cast, name))
    sizes = tuple(
        len(api.get(f"/api/v1/{endpoint}/").json()["results"])
        for endpoint in ("usage-entries", "consents", "clearances", "performers", "tools")
    )
    assert sizes == LIST_SIZES[name]


def test_a_union_rep_reads_the_evidence_once_a_report_is_submitted(api, cast, world):
    open_to_union_reps(cast.production_a)
    api.as_user(cast.uma)
    sizes = [
        len(api.get(f"/api/v1/{endpoint}/").json()["results"])
        for endpoint in ("usage-entries", "consents", "clearances", "performers", "tools")
    ]
    assert sizes == [1, 1, 1, 1, 0]
    # Another production's rep still sees nothing of A.
    api.as_user(cast.ugo)
    assert api.get("/api/v1/usage-entries/").json()["results"] == []


def test_an_id_the_user_may_not_see_answers_like_an_id_never_used(api, cast, world):
    api.as_user(cast.olga)
    body = dict(world["usage-entries"]["create"], performers=[])
    hidden = api.post("/api/v1/usage-entries/", body, format="json").json()
    never = api.post("/api/v1/usage-entries/", dict(body, production=999999), format="json").json()
    assert hidden["production"] == [
        m.replace("999999", str(cast.production_a.pk)) for m in never["production"]
    ]


@pytest.mark.parametrize(
    "endpoint", ["usage-entries", "consents", "clearances", "performers", "tools"]
)
def test_put_does_not_exist(api, cast, world, endpoint):
    response = api.as_user(cast.cam).put(
        f"/api/v1/{endpoint}/{world[endpoint]['object'].pk}/", {}, format="json"
    )
    assert response.status_code == 405


# --- Restricted fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sees"), [("cora", False), ("pat", True), ("cam", True), ("uma", False)]
)
def test_prompt_text_is_for_producers_and_compliance_admins(api, cast, evidence, name, sees):
    open_to_union_reps(cast.production_a)
    api.as_user(getattr(cast, name))
    one = api.get(f"/api/v1/usage-entries/{evidence.entry.pk}/").json()
    listed = api.get("/api/v1/usage-entries/").json()["results"][0]
    for body in (one, listed):
        assert ("prompt_text" in body) is sees
        assert (PROMPT in str(body)) is sees
    assert one["iptc_source_type"] == "compositeWithTrainedAlgorithmicMedia"


@pytest.mark.parametrize(
    ("name", "sees"), [("cora", False), ("pat", True), ("cam", True), ("uma", False)]
)
def test_pay_terms_and_document_hashes_are_for_producers_and_compliance_admins(
    api, cast, evidence, name, sees
):
    open_to_union_reps(cast.production_a)
    api.as_user(getattr(cast, name))
    one = api.get(f"/api/v1/consents/{evidence.consent.pk}/").json()
    listed = api.get("/api/v1/consents/").json()["results"][0]
    for body in (one, listed):
        assert ("compensation_terms" in body) is sees
        assert ("document_sha256" in body) is sees
        assert (PAY_TERMS in str(body)) is sees
        assert "document" not in body
        assert body["consent_type"] == "ebdr_use"


def test_a_coordinator_logging_a_use_does_not_get_the_prompt_back(api, cast, world):
    body = dict(world["usage-entries"]["create"], prompt_text="An old face, young")
    response = api.as_user(cast.cora).post("/api/v1/usage-entries/", body, format="json")
    assert response.status_code == 201
    assert "prompt_text" not in response.json()
    assert UsageEntry.objects.get(pk=response.json()["id"]).prompt_text == "An old face, young"


# --- Writes through the API --------------------------------------------------------------------


def test_logging_a_use_derives_the_iptc_type_and_keeps_an_override(api, cast, world):
    api.as_user(cast.cora)
    created = api.post(
        "/api/v1/usage-entries/", world["usage-entries"]["create"], format="json"
    ).json()
    assert created["iptc_source_type"] == "compositeWithTrainedAlgorithmicMedia"
    assert created["iptc_source_type_overridden"] is False
    url = f"/api/v1/usage-entries/{created['id']}/"
    overridden = api.patch(url, {"iptc_source_type": "digitalCreation"}, format="json").json()
    assert (overridden["iptc_source_type"], overridden["iptc_source_type_overridden"]) == (
        "digitalCreation",
        True,
    )
    later = api.patch(url, {"category": "shot_generation"}, format="json").json()
    assert (later["iptc_source_type"], later["iptc_source_type_overridden"]) == (
        "digitalCreation",
        True,
    )


def test_a_banned_tool_is_refused_with_its_reason_over_the_api(api, cast, world, evidence):
    tools.update_tool(
        evidence.tool, actor=cast.cam, status="banned", status_reason="Scraped training data."
    )
    response = api.as_user(cast.cora).post(
        "/api/v1/usage-entries/", world["usage-entries"]["create"], format="json"
    )
    assert response.status_code == 400
    assert response.json()["tool"] == [
        "FaceForge is banned in this organisation. Scraped training data."
    ]


def test_a_tool_of_another_organisation_is_not_a_choice(api, cast, world):
    foreign = add_tool(cast, organization=cast.elsewhere, name="FarTool")
    body = dict(world["usage-entries"]["create"], tool=foreign.pk)
    response = api.as_user(cast.cam).post("/api/v1/usage-entries/", body, format="json")
    assert response.status_code == 400
    assert "tool" in response.json()


def test_replacing_a_uses_performers_shows_the_new_ones_and_is_audited(api, cast, evidence):
    other = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    cast.production_a.refresh_from_db()
    before = cast.production_a.change_counter
    response = api.as_user(cast.cora).patch(
        f"/api/v1/usage-entries/{evidence.entry.pk}/",
        {"performers": [{"performer": other.pk, "aspect": "voice"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["performers"] == [
        {"performer": other.pk, "consent": None, "aspect": "voice"}
    ]
    fresh = api.get(f"/api/v1/usage-entries/{evidence.entry.pk}/").json()
    assert fresh["performers"] == [{"performer": other.pk, "consent": None, "aspect": "voice"}]
    cast.production_a.refresh_from_db()
    assert cast.production_a.change_counter > before
    assert AuditEvent.objects.filter(
        action="usage.updated", target_id=str(evidence.entry.pk)
    ).exists()


def test_a_consent_is_revoked_by_patch_and_only_once(api, cast, evidence):
    api.as_user(cast.pat)
    url = f"/api/v1/consents/{evidence.consent.pk}/"
    revoked = api.patch(url, {"revoked_at": "2025-04-01T12:00:00Z"}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"].startswith("2025-04-01T12:00:00")
    again = api.patch(url, {"revoked_at": "2025-05-01T12:00:00Z"}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "This consent was already revoked."
    edit = api.patch(url, {"territories": ["WW"]}, format="json")
    assert edit.status_code == 409
    assert "record a new one" in edit.json()["detail"]
    evidence.consent.refresh_from_db()
    assert evidence.consent.revoked_at == datetime.datetime(2025, 4, 1, 12, tzinfo=datetime.UTC)
    assert ConsentRecord.objects.filter(pk=evidence.consent.pk).exists()


def test_a_consent_with_an_unknown_medium_is_refused_over_the_api(api, cast, world):
    body = dict(world["consents"]["create"], media=["television"])
    response = api.as_user(cast.pat).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400
    assert "media" in response.json()


def test_only_compliance_admins_ban_a_tool(api, cast, evidence):
    url = f"/api/v1/tools/{evidence.tool.pk}/"
    ban = {"status": "banned", "status_reason": "Vendor trains on client footage."}
    assert api.as_user(cast.pat).patch(url, ban, format="json").status_code == 403
    response = api.as_user(cast.cam).patch(url, ban, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "banned"
    assert (
        api.as_user(cast.cam)
        .patch(url, {"status": "restricted", "status_reason": ""}, format="json")
        .status_code
        == 400
    )


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def register(cast, evidence):
    """Five more entries across two productions, to filter."""
    voice = add_tool(cast, name="VoiceLoom", modalities=["audio_voice"], kind="generative")
    shot_a2 = changes.create_shot(actor=None, production=cast.production_a, code="LN_SQ010_SH0020")
    base = {"actor": cast.cora, "production": cast.production_a}
    made = {
        "deaging": evidence.entry,
        "generated_shot": entries.log_usage(
            **base,
            **use_data(
                cast,
                evidence.tool,
                shot=shot_a2,
                category="shot_generation",
                replica_kind="none",
                disposition="temp",
            ),
        ),
        "dub": entries.log_usage(
            **base,
            **use_data(
                cast,
                voice,
                shot=shot_a2,
                department="localization",
                category="ai_dubbing",
                modality="audio_voice",
                replica_kind="none",
                language="fr",
                disposition="final_background",
            ),
        ),
        "key_art": entries.log_usage(
            **base,
            **use_data(
                cast,
                evidence.tool,
                shot=None,
                department="marketing",
                category="key_art",
                modality="image",
                replica_kind="none",
                disposition="marketing",
            ),
        ),
        "in_b": entries.log_usage(
            actor=cast.cam,
            production=cast.production_b,
            **use_data(cast, evidence.tool, shot=cast.shot_b, replica_kind="none"),
        ),
    }
    tools.update_tool(voice, actor=cast.cam, status="banned", status_reason="No consent features.")
    return {"entries": made, "voice": voice, "shot_a2": shot_a2}


def ids_of(api, user, url) -> set[int]:
    response = api.as_user(user).get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"deaging", "generated_shot", "dub", "key_art", "in_b"}),
        ("production={a}", {"deaging", "generated_shot", "dub", "key_art"}),
        ("production={b}", {"in_b"}),
        ("shot={shot_a2}", {"generated_shot", "dub"}),
        ("category=ai_dubbing", {"dub"}),
        ("category=deaging", {"deaging", "in_b"}),
        ("department=marketing", {"key_art"}),
        ("department=localization", {"dub"}),
        ("tool={voice}", {"dub"}),
        ("disposition=temp", {"generated_shot"}),
        ("disposition=final_key", {"deaging", "in_b"}),
        ("production={a}&disposition=final_key", {"deaging"}),
    ],
)
def test_usage_entries_filter(api, cast, register, query, expected):
    url = "/api/v1/usage-entries/?" + query.format(
        a=cast.production_a.pk,
        b=cast.production_b.pk,
        shot_a2=register["shot_a2"].pk,
        voice=register["voice"].pk,
    )
    assert ids_of(api, cast.cam, url) == {register["entries"][name].pk for name in expected}


def test_a_coordinator_filtering_by_another_production_gets_an_empty_list(api, cast, register):
    assert (
        ids_of(api, cast.cora, f"/api/v1/usage-entries/?production={cast.production_b.pk}") == set()
    )
    assert ids_of(api, cast.cora, "/api/v1/usage-entries/?category=deaging") == {
        register["entries"]["deaging"].pk
    }


def test_an_unknown_category_is_a_400(api, cast, register):
    response = api.as_user(cast.cam).get("/api/v1/usage-entries/?category=magic")
    assert response.status_code == 400
    assert "category" in response.json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("modality=audio_voice", {"VoiceLoom"}),
        ("modality=video", {"FaceForge"}),
        ("modality=text", set()),
        ("status=banned", {"VoiceLoom"}),
        ("status=approved", {"FaceForge"}),
        ("modality=audio_voice&status=approved", set()),
    ],
)
def test_tools_filter_by_modality_and_status(api, cast, register, query, expected):
    body = api.as_user(cast.cora).get(f"/api/v1/tools/?{query}").json()
    assert {row["name"] for row in body["results"]} == expected


def test_consents_filter_by_production_and_performer(api, cast, evidence):
    other = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    in_b = consents.record_consent(
        actor=cast.cam,
        production=cast.production_b,
        performer=other,
        consent_type="voice_clone",
        use_description="New lines",
    )
    assert ids_of(api, cast.cam, f"/api/v1/consents/?production={cast.production_b.pk}") == {
        in_b.pk
    }
    assert ids_of(api, cast.cam, f"/api/v1/consents/?performer={evidence.performer.pk}") == {
        evidence.consent.pk
    }
    assert ids_of(api, cast.pat, f"/api/v1/consents/?performer={other.pk}") == set()


def test_performers_filter_by_production(api, cast, evidence):
    other = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    consents.record_consent(
        actor=cast.cam,
        production=cast.production_b,
        performer=other,
        consent_type="voice_clone",
        use_description="New lines",
    )
    assert ids_of(api, cast.cam, f"/api/v1/performers/?production={cast.production_b.pk}") == {
        other.pk
    }
    assert ids_of(api, cast.cam, f"/api/v1/performers/?production={cast.production_a.pk}") == {
        evidence.performer.pk
    }
    # A producer of A does not see B's performer.
    assert ids_of(api, cast.pat, "/api/v1/performers/") == {evidence.performer.pk}


# --- The register's cost does not grow with its size ------------------------------------------


def add_entries(cast, evidence, count: int) -> None:
    for number in range(count):
        shot = changes.create_shot(
            actor=None,
            production=cast.production_a,
            code=f"LN_SQ500_SH{number:04d}_{UsageEntry.objects.count()}",
        )
        entries.log_usage(
            actor=cast.cora,
            production=cast.production_a,
            performers=[{"performer": evidence.performer, "consent": evidence.consent}],
            **use_data(cast, evidence.tool, shot=shot),
        )


def queries_for(api, user, url) -> tuple[int, int]:
    """(queries, rows) of one GET."""
    api.as_user(user)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("name", ["cora", "cam"])
@pytest.mark.parametrize(
    "url",
    ["/api/v1/usage-entries/", "/api/v1/consents/", "/api/v1/clearances/", "/api/v1/performers/"],
)
def test_lists_answer_in_a_fixed_number_of_queries(api, cast, evidence, clearance, name, url):
    add_entries(cast, evidence, 4)
    few, rows_few = queries_for(api, getattr(cast, name), url)
    add_entries(cast, evidence, 25)
    for number in range(5):
        performer = performers.create_performer(
            actor=cast.pat,
            organization=cast.northlight,
            legal_name=f"Extra {number}",
            professional_name=f"Extra {number}",
        )
        consents.record_consent(
            actor=cast.pat,
            production=cast.production_a,
            performer=performer,
            consent_type="ebdr_use",
            use_description="Crowd",
        )
        clearances.record_clearance(
            actor=cast.pat,
            production=cast.production_a,
            kind="union_notice",
            party=f"Local {number}",
            date=datetime.date(2025, 2, 1),
            usage_entries=list(UsageEntry.objects.all()[:3]),
        )
    many, rows_many = queries_for(api, getattr(cast, name), url)
    assert rows_many > rows_few
    assert many == few


def test_the_register_of_5_and_of_30_entries_costs_the_same(api, cast, evidence):
    add_entries(cast, evidence, 4)
    assert UsageEntry.objects.count() == 5
    five, rows = queries_for(api, cast.pat, "/api/v1/usage-entries/")
    assert rows == 5
    add_entries(cast, evidence, 25)
    thirty, rows = queries_for(api, cast.pat, "/api/v1/usage-entries/")
    assert rows == 30
    assert thirty == five


@pytest.mark.parametrize("endpoint", ["usage-entries", "consents", "clearances"])
def test_a_production_id_out_of_range_is_a_400_not_a_crash(api, cast, world, endpoint):
    body = dict(world[endpoint]["create"], production=2**70)
    response = api.as_user(cast.cam).post(f"/api/v1/{endpoint}/", body, format="json")
    assert response.status_code == 400
    assert "production" in response.json()


def test_a_producer_cannot_reach_a_performer_linked_only_to_another_production(api, cast, evidence):
    other = performers.create_performer(
        actor=cast.cam,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    consents.record_consent(
        actor=cast.cam,
        production=cast.production_b,
        performer=other,
        consent_type="voice_clone",
        use_description="New lines",
    )
    api.as_user(cast.pat)
    assert api.get(f"/api/v1/performers/{other.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/performers/{other.pk}/", {"union": "equity"}, format="json").status_code
        == 404
    )
    assert api.as_user(cast.cam).get(f"/api/v1/performers/{other.pk}/").status_code == 200
