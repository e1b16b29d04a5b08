"""The machinery of the permission matrix: enumerate every route and API operation, fill in their
parameters with real objects, ask as each person, and compare the answers with a table.

Routes come from the URL resolver and operations from the drf-spectacular schema, so a route
added anywhere is checked without anyone listing it here — and fails until the table says who may
use it. ``tests/security/test_permission_matrix.py`` holds the table and the tests.
"""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

# The people asked, in the order the tables list them. Each logged-in name is a user of the
# world (tests/security/world.py); the two visitors are nobody and a deactivated account.
PEOPLE = ("cora", "pat", "cam", "uma", "ugo", "dina", "bea", "olga")
VISITORS = ("anonymous", "deactivated")
EVERYONE = VISITORS + PEOPLE

OK = "ok"  # the permission gate let it through (any answer but 401/403/404/405/500 or a login)
LISTED = "listed"  # API list: 200, and the object of the route's kind is among the results
UNLISTED = "unlisted"  # API list: 200, and it is not
LOGIN = "login"  # pages: a redirect to the login page; API: 401 or 403
ADMIN_LOGIN = "admin-login"  # the Django admin's own login page
CREATED = "created"  # API create with a valid body: 201 (or 202 for a queued compile)
REFUSED = "refused"  # API create naming a production the person may not write to: 400/403/404

# Statuses that mean "the gate was passed" for a write with a minimal body: the form or
# serializer refused the empty body (400), the object's state refused it (409), or the upload
# was not a file we accept (413/415).
PASSED = {200, 201, 202, 204, 301, 302, 303, 400, 409, 413, 415}


def may(
    ok: str = "",
    forbidden: str = "",
    *,
    public: bool = False,
    listed: str | None = None,
    creates: bool = False,
):
    """Expected answers per person: ``ok`` names pass, ``forbidden`` names get 403, everyone else
    a 404 (they may not read it: DESIGN.md's rule). Visitors get the login unless ``public``.

    ``listed`` (API lists only) names who finds the object in the list; everyone else who passes
    gets the list without it. ``creates`` (API creates with a valid body): ``ok`` names get a
    201, everyone else signed in is refused (400 naming the field, 403 or 404).
    """
    allowed, refused = ok.split(), forbidden.split()
    unknown = set(allowed + refused) - set(PEOPLE)
    if unknown:
        raise ValueError(f"unknown people in the table: {sorted(unknown)}")
    expected = {name: (OK if public else LOGIN) for name in VISITORS}
    for name in PEOPLE:
        expected[name] = OK if name in allowed else 403 if name in refused else 404
    if creates:
        for name in PEOPLE:
            expected[name] = CREATED if name in allowed else REFUSED
    if listed is not None:
        finders = set(listed.split())
        for name in EVERYONE:
            if expected[name] == OK:
                expected[name] = LISTED if name in finders else UNLISTED
    return expected


PUBLIC = may(" ".join(PEOPLE), public=True)
SIGNED_IN = may(" ".join(PEOPLE))


@dataclass
class Route:
    """One URL pattern of the site."""

    key: str  # "namespace:name", or the pattern itself when it has no name
    name: str | None
    pattern: str
    params: tuple[str, ...]
    default_kwargs: dict
    is_api: bool = False
    is_admin: bool = False
    methods: set[str] = field(default_factory=set)  # API: the schema's methods for it


def _param_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def walk(patterns=None, *, prefix: str = "", namespace: str = "", params=()) -> list[Route]:
    """Every URL pattern under ``patterns`` (the whole site by default), includes followed."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    routes = []
    for entry in patterns:
        here = prefix + str(entry.pattern)
        names = tuple(params) + tuple(_param_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            routes += walk(entry.url_patterns, prefix=here, namespace=inner, params=names)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}{entry.name}" if entry.name else here
            clean = here.replace("^", "").replace("$", "")
            routes.append(
                Route(
                    key=key,
                    name=f"{namespace}{entry.name}" if entry.name else None,
                    pattern=clean,
                    params=names,
                    default_kwargs=dict(entry.default_args),
                    is_api=clean.startswith("api/"),
                    is_admin=clean.startswith("admin/"),
                )
            )
    return routes


@functools.cache
def api_operations() -> dict[str, dict[str, dict]]:
    """The schema's operations: {path template: {METHOD: operation}}."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {method.upper(): op for method, op in ops.items() if method != "parameters"}
        for path, ops in schema["paths"].items()
    }


_SCHEMA_PARAM = re.compile(r"\{(\w+)\}")


def route_of_schema_path(path: str) -> str:
    """The URL name serving a schema path (parameters filled with digits so it resolves)."""
    match = resolve(_SCHEMA_PARAM.sub("1", path))
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def segments_before_params(template: str) -> dict[str, str]:
    """{parameter: the path segment just before it}: what kind of object it names."""
    found = {}
    previous = ""
    for segment in template.strip("/").split("/"):
        name = re.fullmatch(r"<(?:\w+:)?(\w+)>|\{(\w+)\}|\(\?P<(\w+)>[^)]*\)", segment)
        if name:
            found[next(g for g in name.groups() if g)] = previous
        previous = segment
    return found


@dataclass
class Probe:
    """One request of the matrix: who, how, where; and what came back."""

    route: str
    method: str
    person: str
    url: str
    expected: object
    status: int | None = None
    location: str = ""
    error: str = ""
    detail: str = ""

    def describe(self) -> str:
        got = self.error or f"{self.status}" + (f" → {self.location}" if self.location else "")
        return (
            f"{self.route} {self.method} as {self.person}: expected {self.expected}, got {got}"
            f" ({self.url})" + (f" {self.detail}" if self.detail else "")
        )


def outcome_matches(expected, status: int, location: str, *, is_api: bool, body=None, pk=None):
    login_url = resolve_url(settings.LOGIN_URL)
    if expected == LOGIN:
        if is_api:
            return status in (401, 403)
        return status == 302 and location.startswith(login_url)
    if expected == CREATED:
        return status in (201, 202)
    if expected == REFUSED:
        return status in (400, 403, 404)
    if expected == ADMIN_LOGIN:
        return status == 302 and "/admin/login/" in location
    if expected in (LISTED, UNLISTED):
        if status != 200 or body is None:
            return False
        rows = body.get("results", []) if isinstance(body, dict) else body
        ids = {row.get("id") for row in rows if isinstance(row, dict)}
        return (pk in ids) == (expected == LISTED)
    if expected == OK:
        redirected_to_login = status == 302 and location.startswith((login_url, "/admin/login/"))
        return status in PASSED and not redirected_to_login
    return status == expected


def ask(client: Client, method: str, url: str, *, body=None, content_type=None):
    """One request whose writes are rolled back, so every person meets the same world (the
    session cookie too: logging out or changing a password must not end the person's session)."""
    cookies = client.cookies
    client.cookies = cookies.__class__()
    client.cookies.update(cookies)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif content_type == "multipart":
            response = client.generic(
                method,
                url,
                **_multipart(body or {}),
            )
        else:
            response = client.generic(
                method,
                url,
                data=b"" if body is None else _json(body),
                content_type="application/json" if content_type else "",
            )
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _json(body) -> bytes:
    import json

    return json.dumps(body).encode()


def _multipart(body: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, body), "content_type": MULTIPART_CONTENT}


def clients_for(users: dict) -> dict[str, Client]:
    """A logged-in browser session per person; visitors get none (or a dead one)."""
    clients = {}
    for person in EVERYONE:
        client = Client()
        user = users.get(person)
        if user is not None:
            client.force_login(user)
        clients[person] = client
    return clients


def run(probes: Iterable[tuple[Probe, Callable]], *, fresh_counters: bool = True) -> list[Probe]:
    """Send each probe, keep the ones whose answer differs from the table."""
    wrong = []
    for probe, send in probes:
        if fresh_counters:
            cache.clear()  # throttle counters: the matrix is not a load test
        try:
            response, matches = send()
        except Exception as error:  # a 500 is a wrong answer like any other
            probe.error = f"raised {type(error).__name__}: {error}"
            wrong.append(probe)
            continue
        probe.status = response.status_code
        probe.location = response.get("Location", "") if response.status_code in (301, 302) else ""
        if not matches:
            if response.status_code == 400:
                probe.detail = response.content[:300].decode(errors="replace")
            wrong.append(probe)
    return wrong


def password_reset_kwargs(user) -> dict:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def url_for(route: Route, kwargs: dict) -> str:
    if route.name is None:
        raise LookupError(f"route {route.pattern!r} has no name")
    return reverse(route.name, kwargs={**kwargs})
