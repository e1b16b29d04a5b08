"""The permission matrix: every route of the site and every API operation, asked by every kind of
person, against a table of what DESIGN.md's role table says each may do.

Routes are enumerated from the URL resolver and operations from the API schema, so a new route is
checked the moment it exists — and fails, naming itself, until a row of ``PAGES`` or ``API`` says
who may use it. The people (tests/security/world.py): cora (coordinator of A), pat (producer of A), cam
(compliance admin of the organisation), uma (union rep of A, which has a submitted report), ugo
(union rep of B, whose only report was never submitted: he is asked about B's objects), dina
(distributor of A), bea (producer of B only: another production of the same organisation), olga
(producer at another organisation), and two visitors: nobody, and dan, a deactivated coordinator.

Reading is GET; writing is the route's write method with a minimal body, rolled back after each
request. A 400 or 409 for someone allowed is fine: it proves the permission gate let them through.
What someone may not read answers 404; what they may read but not do answers 403. API creates get
a valid body: the allowed must get a 201, the others are refused (a 400 naming the production
field they may not use, as for an id that does not exist, or 403/404). API lists answer everyone
signed in; the table says who finds the object in them.

Cost: the world is built once for the class (about 5 s on a quiet machine); about 1,240 page and
790 API requests follow (1.5 to 3 minutes on 2 busy cores).
"""

import shutil
import tempfile
import time

from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings

from studio_tracker.reports.models import RuleSet
from tests.security import matrix
from tests.security.matrix import may
from tests.security.world import build_world

ALL = "cora pat cam uma ugo dina bea olga"
NOBODY = {person: matrix.LOGIN for person in matrix.EVERYONE}
LOGGERS = "cora pat cam"  # coordinator, producer, compliance admin (ugo's B is not theirs)
EDITORS = "pat cam"  # producer, compliance admin
READERS = "cora pat cam uma"  # usage and evidence of A: uma once A's report was submitted
STRUCTURE = "cora pat cam uma ugo"  # episodes, sequences, shots (ugo: of B, his production)
MEMBERS_A = "cora pat cam uma dina"  # everyone with a role in A

# What each person may do on each page, by URL name, for each method checked. Visitors (nobody,
# and a deactivated account) get the login page unless the row is public.
PAGES: dict[str, dict[str, dict]] = {
    # Site-wide.
    "home": {"GET": matrix.SIGNED_IN},
    "healthz": {"GET": matrix.PUBLIC},
    # Accounts: the login flow and password pages are public; the rest need a session.
    "login": {"GET": matrix.PUBLIC, "POST": matrix.PUBLIC},
    "logout": {"POST": NOBODY},  # back to the login page, whoever you were
    "password_change": {"GET": matrix.SIGNED_IN, "POST": matrix.SIGNED_IN},
    "password_change_done": {"GET": matrix.SIGNED_IN},
    "password_reset": {"GET": matrix.PUBLIC, "POST": matrix.PUBLIC},
    "password_reset_done": {"GET": matrix.PUBLIC},
    "password_reset_confirm": {"GET": matrix.PUBLIC},
    "password_reset_complete": {"GET": matrix.PUBLIC},
    # The second step of a two-factor login: without a password step pending, back to the login.
    "login_code": {"GET": NOBODY, "POST": NOBODY},
    "two_factor_setup": {"GET": matrix.SIGNED_IN, "POST": matrix.SIGNED_IN},
    "two_factor_remove": {"POST": matrix.SIGNED_IN},
    # Dashboards: a production's home page (its readers) and the studio overview (admins).
    "dashboards:production": {"GET": may(MEMBERS_A + " ugo")},
    "dashboards:studio": {"GET": may("cam")},
    # Productions and their structure.
    "productions:list": {"GET": matrix.SIGNED_IN},
    "productions:create": {"GET": may("cam", ALL), "POST": may("cam", ALL)},
    "productions:detail": {"GET": may(MEMBERS_A + " ugo")},
    "productions:edit": {
        "GET": may(EDITORS, "cora uma ugo dina"),
        "POST": may(EDITORS, "cora uma ugo dina"),
    },
    **{
        f"productions:{kind}_{action}": {
            "GET": may(allowed, forbidden),
            "POST": may(allowed, forbidden),
        }
        for kind in ("episode", "sequence", "shot")
        for action, allowed, forbidden in (
            ("create", LOGGERS, "uma ugo dina"),
            ("edit", LOGGERS, "uma ugo dina"),
            ("delete", EDITORS, "cora uma ugo dina"),
        )
    },
    "productions:members": {
        "GET": may(EDITORS, "cora uma ugo dina"),
        "POST": may("cam", "cora pat uma ugo dina"),
    },
    "productions:member_remove": {"POST": may("cam", "cora pat uma ugo dina")},
    "productions:people": {
        "GET": may("cam", "cora pat uma ugo dina bea"),
        "POST": may("cam", "cora pat uma ugo dina bea"),
    },
    "productions:people_active": {"POST": may("cam", "cora pat uma ugo dina bea")},
    "productions:people_compliance_admin": {"POST": may("cam", "cora pat uma ugo dina bea")},
    "productions:organization_two_factor": {"POST": may("cam", "cora pat uma ugo dina bea")},
    # Imports: coordinators, producers and compliance admins; union reps read shot-list imports
    # and, once a report was submitted, usage imports (the world's imports are usage imports).
    "imports:list": {"GET": may(READERS + " ugo")},
    "imports:new": {"GET": may(LOGGERS, "uma ugo"), "POST": may(LOGGERS, "uma ugo")},
    "imports:detail": {"GET": may(READERS)},
    "imports:apply": {"POST": may(LOGGERS, "uma")},
    "imports:suggestion": {"POST": may(LOGGERS, "uma")},
    # Logging usage.
    # A shot's page: structure readers see it, its uses only those who read usage.
    "usage:shot": {"GET": may(STRUCTURE), "POST": may(LOGGERS, "uma ugo")},
    "usage:tool_options": {"GET": may(LOGGERS, "uma")},
    "usage:performer_options": {"GET": may(LOGGERS, "uma")},
    "usage:coverage": {"GET": may(LOGGERS, "uma")},
    "usage:bulk": {"GET": may(LOGGERS, "uma"), "POST": may(LOGGERS, "uma")},
    "usage:use_edit": {"GET": may(LOGGERS, "uma"), "POST": may(LOGGERS, "uma")},
    "usage:use_copy": {"GET": may(LOGGERS, "uma"), "POST": may(LOGGERS, "uma")},
    "usage:use_delete": {"GET": may(LOGGERS, "uma"), "POST": may(LOGGERS, "uma")},
    "usage:register": {"GET": may(READERS)},
    "usage:register_csv": {"GET": may(READERS)},
    # Performers belong to the organisation: members who read evidence see them (bea: the
    # performer is linked to B too); producers of any production and compliance admins edit.
    "usage:performers": {"GET": may(READERS + " bea")},
    "usage:performer_create": {
        "GET": may(EDITORS + " bea", "cora uma"),
        "POST": may(EDITORS + " bea", "cora uma"),
    },
    "usage:performer_similar": {"GET": may(EDITORS + " bea", "cora uma")},
    "usage:performer": {"GET": may(READERS + " bea")},
    "usage:performer_edit": {
        "GET": may(EDITORS + " bea", "cora uma"),
        "POST": may(EDITORS + " bea", "cora uma"),
    },
    "usage:performer_uses": {"GET": may("cam", "cora pat uma bea")},
    # A performer's personal data: exported and erased by compliance admins only.
    "usage:performer_personal_data": {
        "GET": may("cam", "cora pat uma bea"),
        "POST": may("cam", "cora pat uma bea"),
    },
    "usage:performer_personal_data_download": {"GET": may("cam", "cora pat uma bea")},
    # Consents and clearances: producers and compliance admins write; signed documents are
    # restricted to them (404 for the other readers: the file is not theirs to know about).
    "usage:consents": {"GET": may(READERS)},
    "usage:consent_create": {"GET": may(EDITORS, "cora uma"), "POST": may(EDITORS, "cora uma")},
    "usage:consent_edit": {"GET": may(EDITORS, "cora uma"), "POST": may(EDITORS, "cora uma")},
    "usage:consent_revoke": {"GET": may(EDITORS, "cora uma"), "POST": may(EDITORS, "cora uma")},
    "usage:consent_document": {"GET": may(EDITORS)},
    "usage:clearances": {"GET": may(READERS)},
    "usage:clearance_create": {
        "GET": may(EDITORS, "cora uma"),
        "POST": may(EDITORS, "cora uma"),
    },
    "usage:clearance_edit": {"GET": may(EDITORS, "cora uma"), "POST": may(EDITORS, "cora uma")},
    "usage:clearance_document": {"GET": may(EDITORS)},
    # The tool registry: members who log read it, compliance admins edit; union reps and
    # distributors have no part in it. /tools/ sends each person to their organisation's.
    "usage:tools_home": {"GET": may(LOGGERS + " bea olga")},
    "usage:tools": {"GET": may(LOGGERS + " bea")},
    "usage:tool_create": {"GET": may("cam", "cora pat bea"), "POST": may("cam", "cora pat bea")},
    "usage:tool_edit": {"GET": may("cam", "cora pat bea"), "POST": may("cam", "cora pat bea")},
    # Reports. uma reads A's submitted version; ugo asks about B's draft, which no rep sees.
    "reports:list": {"GET": may(READERS + " ugo")},
    "reports:compile": {"POST": may("pat", "cora cam uma ugo")},
    "reports:rule_sets": {"GET": may(READERS), "POST": may("cam", "cora pat uma")},
    "reports:detail": {"GET": may(READERS)},
    "reports:progress": {"GET": may(READERS)},
    "reports:download": {"GET": may(READERS)},
    "reports:retry": {"POST": may("pat", "cora cam uma")},
    "reports:submit": {"POST": may("pat", "cora cam uma")},
    "reports:queue": {"GET": may("cam")},
    "reports:approve": {"POST": may("cam", "cora pat uma")},
    "reports:request_changes": {"POST": may("cam", "cora pat uma")},
    "reports:audit_raise": {"POST": may("uma", "cora pat cam")},
    "reports:audit_update": {"POST": may("pat uma", "cora cam")},
    "reports:diff": {"GET": may(READERS)},
    # Credits: whoever reads the production, distributors for productions shared with them.
    "credits:portal": {"GET": matrix.SIGNED_IN},
    "credits:production": {"GET": may(MEMBERS_A + " ugo")},
    "credits:download": {"GET": may(MEMBERS_A)},
    "credits:verify": {"GET": matrix.PUBLIC, "POST": matrix.PUBLIC},
}

# What each person may do through the API, per operation of the schema. Lists answer everyone
# signed in; ``listed`` says who finds the object of the route's kind there.
API: dict[str, dict] = {
    "POST /api/v1/auth/token/": matrix.PUBLIC,
    "GET /api/v1/auth/tokens/": may(ALL, listed="pat"),
    "DELETE /api/v1/auth/tokens/{id}/": may("pat"),
    "GET /api/v1/organizations/": may(ALL, listed=MEMBERS_A + " ugo bea"),
    "POST /api/v1/organizations/": may(creates=True),  # staff only
    "GET /api/v1/organizations/{id}/": may(MEMBERS_A + " ugo bea"),
    "GET /api/v1/users/": may(ALL, listed="pat cam"),
    "POST /api/v1/users/": may("cam", creates=True),
    "GET /api/v1/users/{id}/": may("pat cam"),
    "GET /api/v1/memberships/": may(ALL, listed="pat cam"),
    "POST /api/v1/memberships/": may("cam", creates=True),
    "DELETE /api/v1/memberships/{id}/": may("cam", "pat"),
    "GET /api/v1/productions/": may(ALL, listed=MEMBERS_A + " ugo"),
    "POST /api/v1/productions/": may("cam", creates=True),
    "GET /api/v1/productions/{id}/": may(MEMBERS_A + " ugo"),
    "PATCH /api/v1/productions/{id}/": may(EDITORS, "cora uma ugo dina"),
    "GET /api/v1/episodes/": may(ALL, listed=STRUCTURE),
    "POST /api/v1/episodes/": may(LOGGERS, creates=True),
    "GET /api/v1/episodes/{id}/": may(STRUCTURE),
    "PATCH /api/v1/episodes/{id}/": may(LOGGERS, "uma ugo"),
    "DELETE /api/v1/episodes/{id}/": may(EDITORS, "cora uma ugo"),
    "GET /api/v1/sequences/": may(ALL, listed=STRUCTURE),
    "POST /api/v1/sequences/": may(LOGGERS, creates=True),
    "GET /api/v1/sequences/{id}/": may(STRUCTURE),
    "PATCH /api/v1/sequences/{id}/": may(LOGGERS, "uma ugo"),
    "DELETE /api/v1/sequences/{id}/": may(EDITORS, "cora uma ugo"),
    "GET /api/v1/shots/": may(ALL, listed=STRUCTURE),
    "POST /api/v1/shots/": may(LOGGERS, creates=True),
    "GET /api/v1/shots/{id}/": may(STRUCTURE),
    "PATCH /api/v1/shots/{id}/": may(LOGGERS, "uma ugo"),
    "DELETE /api/v1/shots/{id}/": may(EDITORS, "cora uma ugo"),
    "GET /api/v1/productions/{production_pk}/imports/": may(STRUCTURE, listed=READERS),
    "POST /api/v1/productions/{production_pk}/imports/": may(LOGGERS, "uma ugo"),
    "GET /api/v1/imports/{id}/": may(READERS),
    "POST /api/v1/imports/{id}/apply/": may(LOGGERS, "uma"),
    "POST /api/v1/imports/{id}/suggestions/{number}/": may(LOGGERS, "uma"),
    "GET /api/v1/tools/": may(ALL, listed=LOGGERS + " bea"),
    "POST /api/v1/tools/": may("cam", creates=True),
    "GET /api/v1/tools/{id}/": may(LOGGERS + " bea"),
    "PATCH /api/v1/tools/{id}/": may("cam", "cora pat bea"),
    "GET /api/v1/performers/": may(ALL, listed=READERS + " bea"),
    "POST /api/v1/performers/": may(EDITORS + " bea", creates=True),
    "GET /api/v1/performers/{id}/": may(READERS + " bea"),
    "PATCH /api/v1/performers/{id}/": may(EDITORS + " bea", "cora uma"),
    "GET /api/v1/performers/{id}/personal-data/": may("cam", "cora pat uma bea"),
    "POST /api/v1/performers/{id}/erase/": may("cam", "cora pat uma bea"),
    "GET /api/v1/consents/": may(ALL, listed=READERS),
    "POST /api/v1/consents/": may(EDITORS, creates=True),
    "GET /api/v1/consents/{id}/": may(READERS),
    "PATCH /api/v1/consents/{id}/": may(EDITORS, "cora uma"),
    "GET /api/v1/clearances/": may(ALL, listed=READERS),
    "POST /api/v1/clearances/": may(EDITORS, creates=True),
    "GET /api/v1/clearances/{id}/": may(READERS),
    "PATCH /api/v1/clearances/{id}/": may(EDITORS, "cora uma"),
    "GET /api/v1/usage-entries/": may(ALL, listed=READERS),
    "POST /api/v1/usage-entries/": may(LOGGERS, creates=True),
    "GET /api/v1/usage-entries/{id}/": may(READERS),
    "PATCH /api/v1/usage-entries/{id}/": may(LOGGERS, "uma"),
    "DELETE /api/v1/usage-entries/{id}/": may(LOGGERS, "uma"),
    "GET /api/v1/reports/": may(ALL, listed=READERS),
    "POST /api/v1/reports/": may("pat", creates=True),
    "GET /api/v1/reports/{id}/": may(READERS),
    "POST /api/v1/reports/{id}/retry/": may("pat", "cora cam uma"),
    "POST /api/v1/reports/{id}/submit/": may("pat", "cora cam uma"),
    "POST /api/v1/reports/{id}/approve/": may("cam", "cora pat uma"),
    "POST /api/v1/reports/{id}/request-changes/": may("cam", "cora pat uma"),
    "GET /api/v1/reports/{id}/findings/": may(READERS),
    "GET /api/v1/reports/{id}/decisions/": may(READERS),
    "GET /api/v1/reports/review-queue/": may(ALL, listed="cam"),
    "GET /api/v1/reports/{id}/download/": may(READERS),
    "GET /api/v1/reports/{id}/audit-findings/": may(READERS, listed=READERS),
    "POST /api/v1/reports/{id}/audit-findings/": may("uma", "cora pat cam"),
    "GET /api/v1/reports/{id}/audit-findings/{fid}/": may(READERS),
    "PATCH /api/v1/reports/{id}/audit-findings/{fid}/": may("pat", "cora cam uma"),
    "GET /api/v1/credits/": may(ALL, listed=MEMBERS_A),
    "GET /api/v1/credits/{id}/": may(MEMBERS_A),
    "GET /api/v1/credits/{id}/download/": may(MEMBERS_A),
    "POST /api/v1/credits/verify/": matrix.PUBLIC,
    "GET /api/v1/audit-events/": may(ALL, listed=LOGGERS),
}

# API routes outside the schema (the schema leaves out its own pages and the router's root).
API_PAGES: dict[str, dict[str, dict]] = {
    "api-root": {"GET": matrix.SIGNED_IN},
    # Generating the schema takes seconds: asking nobody and one signed-in person is enough.
    "api-schema": {"GET": {"anonymous": matrix.OK, "cam": matrix.OK}},
    "api-docs": {"GET": matrix.PUBLIC},
    "api-redoc": {"GET": matrix.PUBLIC},
}

# The Django admin: staff only. Every one of its routes answers the admin's login page to
# anyone else, the compliance admin included; the index opens for a staff superuser.
ADMIN_PREFIX = "admin:"


def objects_by_segment(world, person: str) -> dict:
    """What each path segment's parameter names, for this person: ugo is asked about production
    B's objects (where B has no object of that kind, A's), everyone else about A's."""
    here = world.b if person == "ugo" else world.a
    return {
        "productions": here.production.pk,
        "episodes": here.episode.pk,
        "sequences": here.sequence.pk,
        "shots": here.shot.pk,
        "uses": here.entry.pk,
        "usage-entries": here.entry.pk,
        "consents": here.consent.pk,
        "clearances": here.clearance.pk,
        "reports": here.report.pk,
        "review-queue": here.report.pk,
        "imports": here.import_record.pk,
        "members": here.membership.pk,
        "memberships": here.membership.pk,
        "organizations": world.cast.northlight.pk,
        "performers": world.performer.pk,
        "tools": world.tool.pk,
        "credits": world.credit_report.pk,
        # A person none of the asking people is (so nobody finds themselves): dan.
        "people": world.dan.pk,
        "users": world.dan.pk,
        "audit-findings": world.audit_finding.pk,
        "suggestions": 0,
        "diff": world.approved.pk,
        "tokens": world.token.pk,
        "audit-events": world.audit_event.pk,
    }


DOWNLOAD_FORMATS = {
    "reports:download": "csv",
    "credits:download": "tsv",
    "GET /api/v1/reports/{id}/download/": "csv",
    "GET /api/v1/credits/{id}/download/": "tsv",
}


def page_body(world, person: str, key: str) -> dict:
    """A body that passes the form where an empty one would stop before the permission check."""
    if key == "reports:rule_sets":
        return {"rule_set": RuleSet.objects.order_by("pk").first().pk, "choice": "automatic"}
    if key == "reports:audit_update":  # the producer answers; the union rep closes
        return {"status": "resolved"} if person == "uma" else {"response": "Consent on file."}
    return {}


def api_body(world, person: str, key: str) -> dict | None:
    """A valid body for creates (so the allowed get a 201), the fields a write needs otherwise."""
    here = world.b if person == "ugo" else world.a
    production, org = here.production.pk, world.cast.northlight.pk
    bodies = {
        "POST /api/v1/organizations/": {"name": "Another Studio", "slug": "another-studio"},
        "POST /api/v1/users/": {
            "email": "newcomer@example.com",
            "organization": org,
            "password": "a-long-pass-phrase-2026",
        },
        "POST /api/v1/memberships/": {
            "user": world.bea.pk,
            "production": production,
            "role": "coordinator",
        },
        "POST /api/v1/productions/": {"organization": org, "title": "New Film", "kind": "feature"},
        "POST /api/v1/episodes/": {"production": production, "code": "EP999"},
        "POST /api/v1/sequences/": {
            "production": production,
            "episode": here.episode.pk,
            "code": "SQ999",
        },
        "POST /api/v1/shots/": {"production": production, "code": "LN_SQ999_SH9999"},
        "POST /api/v1/tools/": {
            "organization": org,
            "name": "New Tool",
            "vendor": "Newco",
            "modalities": ["video"],
            "kind": "generative",
        },
        "POST /api/v1/performers/": {
            "organization": org,
            "legal_name": "Josephine Bloggs",
            "professional_name": "Jo Bloggs",
            "category": "principal",
        },
        "POST /api/v1/consents/": {
            "performer": world.performer.pk,
            "production": production,
            "consent_type": "ebdr_use",
            "use_description": "Digital de-ageing of her face in the flashback scenes",
            "signed_at": "2024-12-01",
            "valid_from": "2025-01-01",
        },
        "POST /api/v1/clearances/": {
            "production": production,
            "kind": "union_notice",
            "party": "SAG-AFTRA",
            "date": "2025-02-01",
        },
        "POST /api/v1/usage-entries/": {
            "production": production,
            "shot": here.shot.pk,
            "department": "vfx",
            "category": "deaging",
            "modality": "video",
            "tool": world.tool.pk,
            "disposition": "final_key",
            "used_on": "2025-03-01",
        },
        "POST /api/v1/reports/": {"production": production},
        "POST /api/v1/reports/{id}/approve/": {"override_reason": "Checked by legal."},
        "POST /api/v1/reports/{id}/request-changes/": {"comment": "Add the missing consent."},
        "POST /api/v1/reports/{id}/audit-findings/": {
            "category": "missing_consent",
            "severity": "blocking",
            "description": "No signed consent on file for the replica.",
            "rule": "E01",
        },
        "PATCH /api/v1/reports/{id}/audit-findings/{fid}/": {"response": "Consent now on file."},
        "POST /api/v1/credits/verify/": {"digest": "sha256:" + "0" * 64},
    }
    if key.startswith("DELETE "):
        return None
    return bodies.get(key, {})


def is_list(path: str) -> bool:
    return not path.rstrip("/").endswith("}")


def failure_report(missing: list[str], wrong: list[matrix.Probe]) -> str:
    lines = [f"route not in the permission table: {key}" for key in missing]
    lines += [probe.describe() for probe in wrong]
    return f"{len(lines)} problem(s):\n" + "\n".join(lines)


class PermissionMatrix(TestCase):
    """One world per class (built once); each request's writes are rolled back."""

    @classmethod
    def setUpClass(cls):
        # Uploaded documents, reports and credit files of the world go to a folder of its own.
        media_root = tempfile.mkdtemp(prefix="matrix-media-")
        cls.addClassCleanup(shutil.rmtree, media_root, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=media_root)
        media.enable()
        cls.addClassCleanup(media.disable)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def setUp(self):
        world = self.world
        users = {**world.cast.users(), "bea": world.bea, "deactivated": world.dan}
        self.clients = matrix.clients_for(users)

    # --- pages ---------------------------------------------------------------------------

    def page_url(self, route, person: str) -> str:
        segments = matrix.segments_before_params(route.pattern)
        by_segment = objects_by_segment(self.world, person)
        kwargs = {}
        for param in route.params:
            if param in ("uidb64", "token"):
                kwargs.update(matrix.password_reset_kwargs(self.world.cast.pat))
            elif param == "fmt":
                kwargs[param] = DOWNLOAD_FORMATS[route.key]
            elif segments.get(param) in by_segment:
                kwargs[param] = by_segment[segments[param]]
            else:
                raise LookupError(
                    f"{route.key}: no object for parameter {param!r} (after "
                    f"{segments.get(param)!r}); teach objects_by_segment what it names"
                )
        return matrix.url_for(route, kwargs)

    def check_pages(self, table: dict, only=None) -> tuple[list[str], list[matrix.Probe]]:
        """Routes missing from the table, and the probes answered otherwise than it says
        (``only``: probe just these routes, still listing every missing one)."""
        missing, probes = [], []
        for route in matrix.walk():
            if route.is_api or route.is_admin:
                continue
            if route.key not in table:
                missing.append(route.key)
                continue
            if only is not None and route.key not in only:
                continue
            for method, expected in table[route.key].items():
                for person in matrix.EVERYONE:
                    probes.append(self.page_probe(route, method, person, expected[person]))
        return missing, matrix.run(probes)

    def page_probe(self, route, method: str, person: str, expected):
        try:
            url = self.page_url(route, person)
        except LookupError as error:
            url = ""
            problem = str(error)
        else:
            problem = ""
        probe = matrix.Probe(route.key, method, person, url, expected)
        client = self.clients[person]
        body = page_body(self.world, person, route.key)

        def send():
            if problem:
                raise LookupError(problem)
            response = matrix.ask(client, method, url, body=body, content_type="multipart")
            location = response.get("Location", "")
            return response, matrix.outcome_matches(
                expected, response.status_code, location, is_api=False
            )

        return probe, send

    def test_every_page_route_answers_each_person_as_the_table_says(self):
        started = time.monotonic()
        missing, wrong = self.check_pages(PAGES)
        print(f"pages checked in {time.monotonic() - started:.1f} s")
        assert not (missing or wrong), failure_report(missing, wrong)

    # --- API -----------------------------------------------------------------------------

    def api_url(self, key: str, path: str, person: str) -> str:
        by_segment = objects_by_segment(self.world, person)
        url = path
        for param, segment in matrix.segments_before_params(path).items():
            if segment not in by_segment:
                raise LookupError(f"{key}: no object for parameter {param!r} (after {segment!r})")
            url = url.replace("{" + param + "}", str(by_segment[segment]))
        if key in DOWNLOAD_FORMATS:
            url += "?format=" + DOWNLOAD_FORMATS[key]
        return url

    def api_probe(self, key: str, path: str, method: str, operation: dict, person: str, expected):
        url = self.api_url(key, path, person)
        probe = matrix.Probe(key, method, person, url, expected)
        client = self.clients[person]
        content = operation.get("requestBody", {}).get("content", {})
        multipart = bool(content) and "application/json" not in content
        body = api_body(self.world, person, key)
        last_segment = path.rstrip("/").rsplit("/", 1)[-1]
        listed_pk = objects_by_segment(self.world, person).get(last_segment)

        def send():
            response = matrix.ask(
                client, method, url, body=body, content_type="multipart" if multipart else "json"
            )
            data = None
            if expected in (matrix.LISTED, matrix.UNLISTED) and response.status_code == 200:
                data = response.json()
            return response, matrix.outcome_matches(
                expected,
                response.status_code,
                response.get("Location", ""),
                is_api=True,
                body=data,
                pk=listed_pk,
            )

        return probe, send

    def test_every_api_operation_answers_each_person_as_the_table_says(self):
        started = time.monotonic()
        missing, probes, seen = [], [], set()
        for path, operations in matrix.api_operations().items():
            for method, operation in operations.items():
                key = f"{method} {path}"
                seen.add(key)
                if key not in API:
                    missing.append(key)
                    continue
                for person in matrix.EVERYONE:
                    probes.append(
                        self.api_probe(key, path, method, operation, person, API[key][person])
                    )
        wrong = matrix.run(probes)
        # A row whose operation left the schema is stale: the table must describe the API.
        stale = sorted(set(API) - seen)
        print(f"API operations checked in {time.monotonic() - started:.1f} s")
        assert not (missing or wrong or stale), failure_report(
            missing + [f"{key} (no longer in the schema)" for key in stale], wrong
        )

    def test_every_api_route_is_in_the_schema_or_the_table(self):
        """Routes the schema leaves out would escape the operation matrix: they must be few and
        named in API_PAGES, and answer as it says."""
        served = {matrix.route_of_schema_path(path) for path in matrix.api_operations()}
        missing, probes = [], []
        for route in matrix.walk():
            if not route.is_api or route.key in served:
                continue
            if route.key not in API_PAGES:
                missing.append(route.key)
                continue
            for method, expected in API_PAGES[route.key].items():
                for person in expected:
                    url = matrix.url_for(route, {})
                    probe = matrix.Probe(route.key, method, person, url, expected[person])

                    def send(
                        client=self.clients[person],
                        url=url,
                        expected=expected[person],
                        method=method,
                    ):
                        response = matrix.ask(client, method, url)
                        return response, matrix.outcome_matches(
                            expected, response.status_code, "", is_api=True
                        )

                    probes.append((probe, send))
        wrong = matrix.run(probes)
        assert not (missing or wrong), failure_report(missing, wrong)

    # --- the Django admin ----------------------------------------------------------------

    def test_the_admin_is_for_staff_only(self):
        """Every admin route (one per registered model and action) sends everyone but staff to
        the admin's login page, the organisation's compliance admin included."""
        superuser = get_user_model().objects.create_superuser(
            "root", "root@example.com", "root-pass-phrase-1"
        )
        routes = [route for route in matrix.walk() if route.is_admin]
        assert len(routes) > 20  # every registered model's pages, not just the index
        probes = []
        for route in routes:
            kwargs = {param: ADMIN_PARAMS.get(param, "1") for param in route.params}
            url = matrix.url_for(route, kwargs) if route.name else "/admin/anything/"
            # Its own login page is public, and logging out of it sends you back to it.
            expected = matrix.OK if route.key in ADMIN_PUBLIC else matrix.ADMIN_LOGIN
            for person in ("anonymous", "deactivated", "cam", "pat"):
                probe = matrix.Probe(route.key, "GET", person, url, expected)

                def send(client=self.clients[person], url=url, expected=expected):
                    response = matrix.ask(client, "GET", url)
                    return response, matrix.outcome_matches(
                        expected,
                        response.status_code,
                        response.get("Location", ""),
                        is_api=False,
                    )

                probes.append((probe, send))
        wrong = matrix.run(probes)
        assert not wrong, failure_report([], wrong)
        staff = Client()
        staff.force_login(superuser)
        assert staff.get("/admin/").status_code == 200

    @override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
    def test_static_files_are_public(self):
        """Static files are served by WhiteNoise, outside the URL resolver (so no row of the
        table applies): public, by design, and never behind a session. (The finders stand in for
        collectstatic here.)"""
        for path in ("/static/css/app.css", "/static/img/favicon.svg"):
            response = Client().get(path)
            assert response.status_code == 200, path
            assert "Set-Cookie" not in response  # no session is started for them

    # --- the matrix itself ---------------------------------------------------------------

    @override_settings(ROOT_URLCONF="tests.security.unprotected_urls")
    def test_an_unprotected_route_fails_the_matrix(self):
        """A route added without a row fails, naming itself; given a row that says what it
        should do, a view that checks nothing fails for everyone it lets in by mistake."""
        missing, _wrong = self.check_pages(PAGES, only=())
        assert missing == ["leaky_production_title"]
        claimed = {**PAGES, "leaky_production_title": {"GET": may(MEMBERS_A + " ugo")}}
        missing, wrong = self.check_pages(claimed, only={"leaky_production_title"})
        assert not missing
        leaked_to = sorted(probe.person for probe in wrong)
        assert leaked_to == ["anonymous", "bea", "deactivated", "olga"], failure_report([], wrong)


ADMIN_PUBLIC = ("admin:login", "admin:logout")
ADMIN_PARAMS = {"app_label": "auth", "content_type_id": "1", "object_id": "1"}
