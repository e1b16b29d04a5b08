"""The compliance checks of a disclosure report (DOMAIN.md part E), one small function each.

``run_rules(snapshot)`` reads the frozen snapshot the compiler made (plain dicts, dates as ISO
strings) and returns the findings as JSON-safe dicts in a fixed order. No database, no clock: the
same snapshot always gives the same findings.

Each check is registered with its metadata (``Rule``) and answers for one item: a usage entry, a
consent, or the production. It yields ``(message, evidence)`` pairs; ``run_rules`` adds the rule's
metadata, the governing rule set and the severity. A check runs only where the production has a
rule set of one of its families, and for guild families only where that set is in force on the
entry's ``used_on`` (DESIGN.md "Rules"). Consent questions go through ``coverage_gaps`` and
``accepted_consent_types``, so the report and the pages agree on what a consent covers.

Severity is part E's, except that a check from a source not verified (``S``/``U``) only warns and
says "(wording unconfirmed)"; the 2026 SAG-AFTRA and WGA sets keep E01-E12 and E17 verified and
blocking, because they carry the 2023 duties over (``rulesets.CARRIED_FROM_2023``).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from studio_tracker.usage.choices import (
    FINAL_DISPOSITIONS,
    Category,
    ConsentType,
    Disposition,
    GenerationKind,
    GrantedBy,
    ReplicaKind,
)
from studio_tracker.usage.coverage import accepted_consent_types, coverage_gaps, medium_of

from . import rulesets
from .rulesets import DGA, EU_AI_ACT, NETFLIX, SAG_AFTRA, USCO, WGA, parse_date

BLOCKING = "blocking"
WARNING = "warning"
INFO = "info"
UNCONFIRMED = " (wording unconfirmed)"

Hit = tuple[str, dict]


@dataclass(frozen=True)
class Rule:
    """A part E check: where it comes from, how severe it is, and the function that runs it.

    ``scope`` says what the function is asked about (``entry``, ``consent``); ``only_in`` limits a
    check to named rule sets (a 2026 provision); no ``families`` means it applies everywhere;
    ``asks`` names the consent question a check reads (``*``: any), so entries asking none skip it.
    """

    check_id: str
    trigger: str
    clause: str
    families: tuple[str, ...]
    severity: str
    verified: bool
    title: str
    scope: str = "entry"
    only_in: tuple[str, ...] = ()
    asks: str | None = None
    func: Callable | None = field(default=None, compare=False, repr=False)


REGISTRY: list[Rule] = []


def rule(**meta) -> Callable:
    """Register the decorated function as the check described by ``meta`` (see ``Rule``)."""

    def register(func: Callable) -> Callable:
        REGISTRY.append(Rule(func=func, **meta))
        return func

    return register


def rules_by_id() -> dict[str, Rule]:
    """The registered checks by id (a check answering for entries and consents appears once)."""
    return {r.check_id: r for r in sorted(REGISTRY, key=lambda r: r.check_id)}


# ---------------------------------------------------------------------------------------------
# Reading the snapshot


@lru_cache(maxsize=4096)
def parse_datetime(value) -> datetime | None:
    """An ISO datetime (or a date at midnight) as an aware datetime; naive values count as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


CATEGORY_LABELS = {value: str(label) for value, label in Category.choices}
REPLICA_CONSENT_TYPES = frozenset(
    {
        ConsentType.EBDR_CREATE,
        ConsentType.EBDR_USE,
        ConsentType.EBDR_OTHER_PROJECT,
        ConsentType.ICDR,
        ConsentType.BG_REPLICA_OTHER_USE,
        ConsentType.SYNTH_FEATURE_USE,
        ConsentType.VOICE_CLONE,
        ConsentType.DUB_LANGUAGE,
        ConsentType.MARKETING_COMMERCIAL_RIDER,
    }
)
# Which check answers "no consent on file" for a use, by the use's replica kind.
MISSING_CONSENT_CHECK = {
    ReplicaKind.EBDR: "E01",
    ReplicaKind.ICDR: "E06",
    ReplicaKind.DECEASED_REPLICA: "E06",
    ReplicaKind.BACKGROUND_REPLICA: "E07",
    ReplicaKind.DIGITAL_ALTERATION: "E10",
    ReplicaKind.SYNTHETIC_WITH_RECOGNIZABLE_FEATURE: "E12",
}
# Uses of a person that a consent question cannot skip by linking nobody.
PERSON_BOUND = frozenset(MISSING_CONSENT_CHECK) | {Category.PERFORMER_SCAN}
ESTATE_GRANTORS = frozenset({GrantedBy.ESTATE_REP, GrantedBy.UNION})
SYNTHETIC_KINDS = frozenset(
    {ReplicaKind.SYNTHETIC_PERFORMER, ReplicaKind.SYNTHETIC_WITH_RECOGNIZABLE_FEATURE}
)
CREATIVE_ELEMENTS = frozenset(
    {
        Category.PREVIS,
        Category.STORYBOARD,
        Category.ANIMATIC,
        Category.KEY_ART,
        Category.TRAILER_GEN,
        Category.SHOT_GENERATION,
        Category.PLATE_GENERATION,
        Category.PERFORMANCE_EDIT,
        Category.SET_EXTENSION,
        Category.MATTE_PAINTING,
        Category.ENVIRONMENT_GEN,
        Category.VIRTUAL_PRODUCTION_BACKGROUND,
    }
)
NETFLIX_APPROVAL_DISPOSITIONS = FINAL_DISPOSITIONS | {Disposition.MARKETING}
# Input copyright statuses that are plainly the production's own; anything else may be
# third-party IP (Netflix asks for written approval when unsure).
OWNED_INPUTS = frozenset({"owned", "production_owned", "original", "public_domain", "cc0"})
GENERIC_DESCRIPTIONS = (
    "any and all",
    "all uses",
    "any use",
    "any purpose",
    "all purposes",
    "all media now known",
    "hereafter devised",
    "without limitation",
)
MIN_DESCRIPTION_LENGTH = 25


class _Consent(dict):
    """A snapshot consent with its dates parsed, shaped as ``coverage`` documents."""


def _prepare_consent(raw: Mapping) -> _Consent:
    return _Consent(
        raw,
        valid_from=parse_date(raw.get("valid_from")),
        valid_until=parse_date(raw.get("valid_until")),
        revoked_at=parse_datetime(raw.get("revoked_at")),
        episode_ids=list(raw.get("episode_ids") or []),
        media=list(raw.get("media") or []),
        territories=list(raw.get("territories") or []),
        languages=list(raw.get("languages") or []),
    )


@dataclass(slots=True)
class Verdict:
    """What the consents on file say about one performer for one use."""

    performer_id: int | None
    covering: list = field(default_factory=list)  # consents that cover the use
    out_of_scope: list = field(default_factory=list)  # (consent, gaps): right type and production
    elsewhere: list = field(default_factory=list)  # right type, given for another production


class Context:
    """The snapshot's lookups, built once, and the per-date rule selection, cached."""

    def __init__(self, snapshot: Mapping):
        self.production = snapshot["production"]
        self.production_id = self.production["id"]
        self.territories = list(self.production.get("territories") or [])
        self.is_factual = bool(self.production.get("is_factual"))
        self.rule_sets = list(snapshot.get("rule_sets") or [])
        self.shots = {s["id"]: s for s in snapshot.get("shots") or []}
        self.performers = {p["id"]: p for p in snapshot.get("performers") or []}
        self.consents: dict[int, _Consent] = {}
        self.consents_of: dict[int, list[_Consent]] = defaultdict(list)
        for raw in snapshot.get("consents") or []:
            consent = _prepare_consent(raw)
            self.consents[consent["id"]] = consent
            self.consents_of[consent["performer_id"]].append(consent)
        # kind -> entry id -> clearance dates; kind -> dates of clearances naming no entry
        # (those speak for the whole production).
        self.cleared: dict[str, dict[int, list[date]]] = {}
        self.cleared_generally: dict[str, list[date]] = {}
        for clearance in snapshot.get("clearances") or []:
            day = parse_date(clearance.get("date"))
            ids = clearance.get("usage_entry_ids") or []
            for entry_id in ids:
                self.cleared.setdefault(clearance["kind"], {}).setdefault(entry_id, []).append(day)
            if not ids:
                self.cleared_generally.setdefault(clearance["kind"], []).append(day)
        self.union_notice_notes = _union_notice_notes(snapshot)
        self.undated = {}
        for rule_set in self.rule_sets:
            family = rulesets.family_of(rule_set)
            if family and family not in rulesets.DATED_FAMILIES:
                self.undated.setdefault(family, rule_set)
        self._active_by_day: dict[date | None, tuple[list, list]] = {}
        self._verdicts: dict[tuple, Verdict] = {}
        self._candidate_ids: dict[tuple, tuple[int, ...]] = {}
        self._combined: dict[tuple, list] = {}
        self._severity: dict[tuple, tuple[str, str]] = {}
        self.unconfirmed = 0

    # Rule selection

    def rule_set(self, r: Rule, day: date | None) -> Mapping | bool | None:
        """The rule set under which ``r`` applies on ``day``; None if it needs none; False if
        it does not apply."""
        if not r.families:
            return None
        for family in r.families:
            if family in rulesets.DATED_FAMILIES:
                found = rulesets.rule_set_for_use(self.rule_sets, family, day)
            else:
                found = self.undated.get(family)
            if found is not None and (not r.only_in or found.get("code") in r.only_in):
                return found
        return False

    def nearest_rule_set(self, r: Rule, day: date | None) -> Mapping | bool | None:
        """Like ``rule_set``, but a consent dated outside every version (or undated) is judged
        under the nearest one: its duties hold whenever the consent is relied on."""
        found = self.rule_set(r, day)
        if found is not False or not r.families:
            return found
        candidates = [
            rs
            for rs in self.rule_sets
            if rulesets.family_of(rs) in r.families
            and (not r.only_in or rs.get("code") in r.only_in)
        ]
        if not candidates:
            return False
        if day is None:
            return candidates[0]
        return min(candidates, key=lambda rs: _distance(rs, day))

    def active_entry_rules(self, day: date | None) -> tuple[list, list]:
        """The entry checks that apply on ``day`` with their rule sets: those that read no
        consent question, and those that do."""
        active = self._active_by_day.get(day)
        if active is None:
            active = ([], [])
            for r in ENTRY_RULES:
                found = self.rule_set(r, day)
                if found is not False:
                    active[r.asks is not None].append((r, found))
            self._active_by_day[day] = active
        return active

    def entry_rules(self, day: date | None, asked: tuple[str, ...]) -> list:
        """The checks to run on an entry of ``day`` that asks the consent questions ``asked``."""
        key = (day, asked)
        found = self._combined.get(key)
        if found is None:
            plain, asking = self.active_entry_rules(day)
            found = plain + [
                pair for pair in asking if asked and (pair[0].asks == "*" or pair[0].asks in asked)
            ]
            self._combined[key] = found
        return found

    def severity(self, r: Rule, rule_set: Mapping | None) -> tuple[str, str]:
        key = (r.check_id, r.only_in, rule_set.get("code") if rule_set else None)
        if key not in self._severity:
            confirmed = r.verified and (
                rule_set is None
                or rule_set.get("evidence") == "V"
                or r.check_id in rulesets.carries(rule_set)
            )
            if confirmed:
                self._severity[key] = (r.severity, "")
            else:
                self._severity[key] = (INFO if r.severity == INFO else WARNING, UNCONFIRMED)
        return self._severity[key]

    # Facts

    def name_of(self, performer_id) -> str:
        performer = self.performers.get(performer_id)
        return performer["professional_name"] if performer else f"performer #{performer_id}"

    def has_clearance(self, kind: str, entry_id: int, on_or_before: date | None = None) -> bool:
        general = self.cleared_generally.get(kind, ())
        specific = self.cleared.get(kind, {}).get(entry_id, ())
        if on_or_before is None:
            return bool(general or specific)
        return any(
            day is not None and day <= on_or_before for days in (general, specific) for day in days
        )

    def verdict(self, use: dict, link: Mapping) -> Verdict:
        """Which consents on file cover ``use`` for the linked performer: the one linked and any
        other of that performer in the snapshot. Cached: many entries ask the same question."""
        performer_id = link.get("performer_id")
        candidates = self._candidates(performer_id, link.get("consent_id"))
        if not candidates:
            return Verdict(performer_id)
        key = (
            candidates,
            use["episode_id"],
            use["category"],
            use["replica_kind"],
            use["medium"],
            use["language"],
            use["used_on"],
        )
        found = self._verdicts.get(key)
        if found is not None:
            return found
        accepted = _accepted_types(use["replica_kind"], use["category"], use["medium"])
        found = Verdict(performer_id)
        for consent_id in candidates:
            consent = self.consents[consent_id]
            if consent["consent_type"] not in accepted:
                continue
            gaps = coverage_gaps(consent, use)
            if not gaps:
                found.covering.append(consent)
            elif consent["production_id"] != use["production_id"]:
                found.elsewhere.append(consent)
            else:
                found.out_of_scope.append((consent, gaps))
        self._verdicts[key] = found
        return found

    def _candidates(self, performer_id, linked_id) -> tuple[int, ...]:
        """Ids of the consents to weigh for a performer link, in id order."""
        key = (performer_id, linked_id)
        found = self._candidate_ids.get(key)
        if found is None:
            ids = {c["id"] for c in self.consents_of.get(performer_id, ())}
            if linked_id in self.consents:
                ids.add(linked_id)
            found = self._candidate_ids[key] = tuple(sorted(ids))
        return found


def _distance(rule_set: Mapping, day: date) -> int:
    start = parse_date(rule_set.get("effective_from")) or date.min
    end = parse_date(rule_set.get("effective_to")) or date.max
    if day < start:
        return (start - day).days
    if day > end:
        return (day - end).days
    return 0


class Entry:
    """One snapshot entry, with what several checks need worked out once."""

    __slots__ = ("_where", "asked", "ctx", "d", "id", "used_on")

    def __init__(self, d: Mapping, ctx: Context):
        self.d = d
        self.ctx = ctx
        self.id = d["id"]
        self.used_on = parse_date(d.get("used_on"))
        self._where = None
        # check id -> the use it asks the consents about; most entries ask nothing.
        self.asked: dict[str, dict] = _consent_questions(self)

    @property
    def where(self) -> str:
        if self._where is None:
            shot = self.ctx.shots.get(self.d.get("shot_id"))
            if shot is not None:
                self._where = shot["code"]
            else:
                category = self.d.get("category")
                self._where = f"entry #{self.id} ({CATEGORY_LABELS.get(category, category)})"
        return self._where

    @property
    def episode_id(self):
        if self.d.get("episode_id") is not None:
            return self.d["episode_id"]
        shot = self.ctx.shots.get(self.d.get("shot_id"))
        return shot.get("episode_id") if shot else None

    def use(self, replica_kind: str, category: str) -> dict:
        """The use facts ``coverage`` expects, for this entry asked as ``replica_kind``."""
        return {
            "production_id": self.ctx.production_id,
            "episode_id": self.episode_id,
            "category": category,
            "replica_kind": replica_kind,
            "medium": medium_of(self.d.get("category")),
            "territories": self.ctx.territories,
            "language": self.d.get("language") or "",
            "used_on": self.used_on,
        }

    def evidence(self, **extra) -> dict:
        return {
            "shot_id": self.d.get("shot_id"),
            "where": self.where,
            "category": self.d.get("category"),
            "used_on": self.d.get("used_on"),
            **extra,
        }

    def verdicts(self, check_id: str) -> list[tuple[Mapping | None, Verdict | None]]:
        """For the question ``check_id`` answers: each performer link with its verdict, or one
        (None, None) when a use of a person links nobody."""
        use = self.asked.get(check_id)
        if use is None:
            return []
        links = self.d.get("performers") or []
        if not links:
            person_bound = use["replica_kind"] in PERSON_BOUND or use["category"] in PERSON_BOUND
            return [(None, None)] if person_bound else []
        return [(link, self.ctx.verdict(use, link)) for link in links]


def _alteration_needs_consent(d: Mapping) -> bool:
    """SAG-AFTRA 2023 S7: an alteration needs consent unless it is within an exception."""
    if not (
        d.get("performance_altered") or d.get("replica_kind") == ReplicaKind.DIGITAL_ALTERATION
    ):
        return False
    purpose = d.get("alteration_purpose") or ""
    if purpose in ("", "not_excepted"):
        return True
    return purpose == "other_similar" and not (d.get("description") or "").strip()


def _draws_on_a_performer(d: Mapping) -> bool:
    synthetic = (
        d.get("replica_kind") in SYNTHETIC_KINDS
        or d.get("category") == Category.SYNTHETIC_CHARACTER_HUMAN
    )
    return synthetic and bool(
        d.get("prompt_names_performer") or d.get("prompt_uses_facial_feature")
    )


@lru_cache(maxsize=1024)
def _accepted_types(replica_kind: str, category: str, medium: str) -> frozenset:
    """``coverage.accepted_consent_types``, cached: a snapshot has few kinds of use."""
    use = {"replica_kind": replica_kind, "category": category, "medium": medium}
    return accepted_consent_types(use)


def _accepted(replica_kind: str, category: str) -> bool:
    return bool(_accepted_types(replica_kind, category, medium_of(category)))


def _consent_questions(entry: Entry) -> dict[str, dict]:
    """The consent questions an entry raises, by the check that answers "none on file": the use
    as recorded, a digital alteration outside the exceptions, a synthetic drawing on a performer."""
    d = entry.d
    category = d.get("category") or ""
    replica_kind = d.get("replica_kind") or ReplicaKind.NONE
    alteration = _alteration_needs_consent(d)
    if replica_kind == ReplicaKind.DIGITAL_ALTERATION and not alteration:
        replica_kind = ReplicaKind.NONE  # within an S7 exception: no consent needed
    questions = {}
    if _accepted(replica_kind, category):
        check = MISSING_CONSENT_CHECK.get(replica_kind)
        if check is None:
            check = "E04" if category == Category.PERFORMER_SCAN else "E01"
        questions[check] = entry.use(replica_kind, category)
    if alteration and replica_kind != ReplicaKind.DIGITAL_ALTERATION:
        questions["E10"] = entry.use(ReplicaKind.DIGITAL_ALTERATION, "")
    if _draws_on_a_performer(d) and replica_kind != ReplicaKind.SYNTHETIC_WITH_RECOGNIZABLE_FEATURE:
        questions["E12"] = entry.use(ReplicaKind.SYNTHETIC_WITH_RECOGNIZABLE_FEATURE, "")
    return questions


def _missing(entry: Entry, check_id: str, what: str, *, count_elsewhere: bool) -> Iterator[Hit]:
    """ "{what} of X used on Y without consent on file", per performer with no consent at all.

    Consents of the right type that fall short on scope or dates are E36's; with
    ``count_elsewhere`` false, a consent given for another production is E05's.
    """
    ctx = entry.ctx
    for link, verdict in entry.verdicts(check_id):
        if verdict is None:
            yield (
                f"{what} used on {entry.where} with no performer linked, so no consent on file",
                entry.evidence(performer_id=None),
            )
            continue
        if verdict.covering or verdict.out_of_scope:
            continue
        if verdict.elsewhere and not count_elsewhere:
            continue
        name = ctx.name_of(link["performer_id"])
        note = " (only a consent for another production)" if verdict.elsewhere else ""
        yield (
            f"{what} of {name} used on {entry.where} without consent on file{note}",
            entry.evidence(
                performer_id=link["performer_id"],
                consent_id=link.get("consent_id"),
                other_production_consent_ids=[c["id"] for c in verdict.elsewhere],
            ),
        )


# ---------------------------------------------------------------------------------------------
# SAG-AFTRA TV/Theatrical (2023, carried into 2026): consent for replicas and alterations

SAG23 = "SAG-AFTRA 2023 TV/Th"


@rule(
    check_id="E01",
    trigger="SAG23_EBDR_USE_CONSENT",
    clause=f"{SAG23} S3",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Digital replica used without consent on file",
    asks="E01",
)
def replica_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    return _missing(entry, "E01", "Digital replica", count_elsewhere=False)


@rule(
    check_id="E02",
    trigger="SAG23_CONSENT_CLEAR_CONSPICUOUS",
    clause=f"{SAG23} S2; SAG-AFTRA Commercials 2025",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Replica consent not clear and conspicuous",
    scope="consent",
)
def consent_not_conspicuous(consent: Mapping, ctx: Context) -> Iterable[Hit]:
    if consent["consent_type"] not in REPLICA_CONSENT_TYPES:
        return ()
    name = ctx.name_of(consent["performer_id"])
    if consent.get("in_standard_terms"):
        problem = "is buried in the standard terms"
    elif not consent.get("is_separate_document") and not consent.get(
        "clear_and_conspicuous_attested"
    ):
        problem = "is not a separate document and is not attested clear and conspicuous"
    else:
        return ()
    return [
        (
            f"Consent #{consent['id']} of {name} ({consent['consent_type']}) {problem}",
            _consent_evidence(
                consent,
                in_standard_terms=bool(consent.get("in_standard_terms")),
                is_separate_document=bool(consent.get("is_separate_document")),
                clear_and_conspicuous_attested=bool(consent.get("clear_and_conspicuous_attested")),
            ),
        )
    ]


@rule(
    check_id="E03",
    trigger="SAG23_CONSENT_CLEAR_CONSPICUOUS",
    clause=f"{SAG23} S2; CA AB 2602",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Not a reasonably specific description",
    scope="consent",
)
def consent_not_specific(consent: Mapping, ctx: Context) -> Iterable[Hit]:
    if consent["consent_type"] not in REPLICA_CONSENT_TYPES:
        return ()
    text = " ".join((consent.get("use_description") or "").split())
    lowered = text.lower()
    generic = next((phrase for phrase in GENERIC_DESCRIPTIONS if phrase in lowered), None)
    if len(text) >= MIN_DESCRIPTION_LENGTH and generic is None:
        return ()
    why = f'generic ("{generic}")' if generic else f"{len(text)} characters"
    name = ctx.name_of(consent["performer_id"])
    return [
        (
            f"Consent #{consent['id']} of {name} is not a reasonably specific description "
            f"of the use: {why}",
            _consent_evidence(consent, description_length=len(text), generic_phrase=generic),
        )
    ]


@rule(
    check_id="E04",
    trigger="SAG23_EBDR_CREATE_NOTICE_48H",
    clause=f"{SAG23} S1; SAG-AFTRA Commercials 2025",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Scan without 48 hours' notice",
    scope="consent",
)
def scan_notice_too_late(consent: Mapping, ctx: Context) -> Iterable[Hit]:
    if consent["consent_type"] != ConsentType.EBDR_CREATE or consent.get("engaged_less_than_48h"):
        return ()
    services = parse_datetime(consent.get("services_at"))
    if services is None:
        return ()
    notice = parse_datetime(consent.get("notice_given_at"))
    name = ctx.name_of(consent["performer_id"])
    if notice is None:
        message = f"Scan of {name} on {services.date().isoformat()}: no notice time recorded"
        hours = None
    else:
        hours = (services - notice).total_seconds() / 3600
        if hours >= 48:
            return ()
        message = (
            f"Scan of {name} on {services.date().isoformat()}: notice given {hours:.1f} hours "
            "before the services (48 required)"
        )
    return [(message, _consent_evidence(consent, notice_hours=hours))]


@rule(
    check_id="E04",
    trigger="SAG23_EBDR_CREATE_NOTICE_48H",
    clause=f"{SAG23} S1",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Scan without 48 hours' notice",
    asks="E04",
)
def scan_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    for message, evidence in _missing(entry, "E04", "Scan", count_elsewhere=True):
        yield (
            message.replace("without consent on file", "without a scan consent and notice on file"),
            evidence,
        )


@rule(
    check_id="E05",
    trigger="SAG23_EBDR_OTHER_PROJECT_CONSENT",
    clause=f"{SAG23} S4",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Replica used in another project without separate consent",
    asks="E01",
)
def replica_from_another_project(entry: Entry, ctx: Context) -> Iterable[Hit]:
    for link, verdict in entry.verdicts("E01"):
        if verdict is None or verdict.covering or verdict.out_of_scope or not verdict.elsewhere:
            continue
        consent = verdict.elsewhere[0]
        yield (
            f"Replica of {ctx.name_of(link['performer_id'])} used on {entry.where} in another "
            f"project without separate consent (consent #{consent['id']} is for production "
            f"#{consent['production_id']})",
            entry.evidence(
                performer_id=link["performer_id"],
                consent_id=consent["id"],
                consent_production_id=consent["production_id"],
            ),
        )


@rule(
    check_id="E06",
    trigger="SAG23_ICDR_CONSENT",
    clause=f"{SAG23} S5; CA AB 1836; TN ELVIS Act",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Independently created replica without consent",
    asks="E06",
)
def icdr_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    yield from _missing(entry, "E06", "Independently created replica", count_elsewhere=True)
    for link, verdict in entry.verdicts("E06"):
        if verdict is None or not verdict.covering:
            continue
        performer = ctx.performers.get(link["performer_id"]) or {}
        if not performer.get("is_deceased"):
            continue
        if any(c.get("granted_by") in ESTATE_GRANTORS for c in verdict.covering):
            continue
        yield (
            f"Replica of the late {ctx.name_of(link['performer_id'])} used on {entry.where} "
            "without consent from the estate's representative or the union",
            entry.evidence(
                performer_id=link["performer_id"],
                consent_ids=[c["id"] for c in verdict.covering],
                granted_by=sorted({c.get("granted_by") or "" for c in verdict.covering}),
            ),
        )


@rule(
    check_id="E07",
    trigger="SAG23_BG_REPLICA_SCOPE",
    clause=f"{SAG23} S6",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Background replica without consent",
    asks="E07",
)
def background_replica_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    return _missing(entry, "E07", "Background replica", count_elsewhere=True)


@rule(
    check_id="E10",
    trigger="SAG23_DIGITAL_ALTERATION",
    clause=f"{SAG23} S7",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Performance altered outside the exceptions without consent",
    asks="E10",
)
def alteration_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    for message, evidence in _missing(entry, "E10", "Digital alteration", count_elsewhere=True):
        evidence["alteration_purpose"] = entry.d.get("alteration_purpose") or ""
        yield message, evidence


@rule(
    check_id="E11",
    trigger="SAG23_SYNTH_UNION_NOTICE",
    clause=f"{SAG23} S8",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Synthetic performer in a human role without union notice",
)
def synthetic_without_union_notice(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    if not d.get("synthetic_replaces_performer"):
        return ()
    if ctx.has_clearance("union_notice", entry.id, on_or_before=entry.used_on):
        return ()
    return [
        (
            f"Synthetic performer in a human role on {entry.where} without a union notice sent "
            f"by {d.get('used_on')}",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E12",
    trigger="SAG23_SYNTH_RECOGNIZABLE_FEATURE",
    clause=f"{SAG23} S9",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Synthetic performer drawing on a performer without their consent",
    asks="E12",
)
def synthetic_feature_without_consent(entry: Entry, ctx: Context) -> Iterable[Hit]:
    for message, evidence in _missing(
        entry, "E12", "Synthetic performer drawing on a performer", count_elsewhere=True
    ):
        evidence["prompt_names_performer"] = bool(entry.d.get("prompt_names_performer"))
        evidence["prompt_uses_facial_feature"] = bool(entry.d.get("prompt_uses_facial_feature"))
        yield message, evidence


# SAG-AFTRA 2026: new provisions, read only in summaries, so they warn.


@rule(
    check_id="E13",
    trigger="SAG26_SIGNIFICANT_VALUE",
    clause="SAG-AFTRA 2026 TV/Th §39 (reported)",
    families=(SAG_AFTRA,),
    severity=WARNING,
    verified=False,
    title="Synthetic in a human role without a 'significant additional value' reason",
    only_in=("SAG_AFTRA_TVTH_2026",),
)
def synthetic_without_value_reason(entry: Entry, ctx: Context) -> Iterable[Hit]:
    # The reason is recorded as the note of the union notice covering the entry.
    if not entry.d.get("synthetic_replaces_performer"):
        return ()
    notes = ctx.union_notice_notes.get(entry.id) or ctx.union_notice_notes.get(None)
    if notes:
        return ()
    return [
        (
            f"Synthetic in a human role on {entry.where} without a recorded 'significant "
            "additional value' reason (the union notice's note)",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E14",
    trigger="SAG26_ARTICULABLE_REASON_SCAN",
    clause="SAG-AFTRA 2026 TV/Th §39 (reported)",
    families=(SAG_AFTRA,),
    severity=WARNING,
    verified=False,
    title="Scan without an articulable business reason",
    only_in=("SAG_AFTRA_TVTH_2026",),
)
def scan_without_business_reason(entry: Entry, ctx: Context) -> Iterable[Hit]:
    # The reason is recorded in the scan entry's description.
    if (
        entry.d.get("category") != Category.PERFORMER_SCAN
        or (entry.d.get("description") or "").strip()
    ):
        return ()
    return [
        (
            f"Scan on {entry.where} without a recorded articulable business reason "
            "(the entry's description is empty)",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E36",
    trigger="SAG23_CONSENT_SCOPE",
    clause=f"{SAG23} S2/S4",
    families=(SAG_AFTRA,),
    severity=BLOCKING,
    verified=True,
    title="Consent revoked, expired or out of scope",
    asks="*",
)
def consent_out_of_scope(entry: Entry, ctx: Context) -> Iterable[Hit]:
    for asked_by in entry.asked:
        for link, verdict in entry.verdicts(asked_by):
            if verdict is None or verdict.covering or not verdict.out_of_scope:
                continue
            # Prefer the consent the link relies on, when it is one of them.
            consent, gaps = next(
                (pair for pair in verdict.out_of_scope if pair[0]["id"] == link.get("consent_id")),
                verdict.out_of_scope[0],
            )
            yield (
                f"Consent #{consent['id']} of {ctx.name_of(link['performer_id'])} does not "
                f"cover {entry.where}: {'; '.join(gaps)}",
                entry.evidence(
                    performer_id=link["performer_id"],
                    consent_id=consent["id"],
                    consent_type=consent["consent_type"],
                    gaps=gaps,
                    checked_for=asked_by,
                ),
            )


# ---------------------------------------------------------------------------------------------
# WGA, DGA, Netflix, EU AI Act, Copyright Office, record keeping


@rule(
    check_id="E17",
    trigger="WGA23_DISCLOSE_GAI_MATERIAL",
    clause="WGA 2023 MBA Art. 72.C.1",
    families=(WGA,),
    severity=BLOCKING,
    verified=True,
    title="AI material given to a writer without disclosure",
)
def writer_not_told(entry: Entry, ctx: Context) -> Iterable[Hit]:
    if entry.d.get("category") != Category.WRITING_GAI_MATERIAL_TO_WRITER:
        return ()
    if ctx.has_clearance("writer_disclosure", entry.id):
        return ()
    return [
        (
            f"AI-generated material handed to a writer on {entry.where} without a disclosure "
            "to the writer on file",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E20",
    trigger="DGA23_CREATIVE_CONSULT",
    clause="DGA 2023 BA (GAI side letter); Creative Rights §7-202",
    families=(DGA,),
    severity=WARNING,
    verified=True,
    title="Generative AI in a creative element without director consultation",
)
def director_not_consulted(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    if d.get("generation_kind") != GenerationKind.GENERATIVE:
        return ()
    if d.get("category") not in CREATIVE_ELEMENTS:
        return ()
    if ctx.has_clearance("director_consultation", entry.id):
        return ()
    label = CATEGORY_LABELS.get(d["category"], d["category"]).lower()
    return [
        (
            f"Generative AI used in a creative element ({label}) on {entry.where} without a "
            "director consultation on file",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E23",
    trigger="NFLX_WRITTEN_APPROVAL",
    clause="Netflix GenAI guidance: written approval",
    families=(NETFLIX,),
    severity=BLOCKING,
    verified=True,
    title="Netflix written approval missing",
)
def netflix_approval_missing(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    reasons = []
    if d.get("disposition") in NETFLIX_APPROVAL_DISPOSITIONS:
        reasons.append("a final deliverable" if d["disposition"] != "marketing" else "marketing")
    if (
        d.get("performers")
        or d.get("depicts_real_person")
        or (d.get("replica_kind") or "none") not in ("none", ReplicaKind.SYNTHETIC_PERFORMER)
    ):
        reasons.append("talent likeness")
    if any(
        (str(source.get("copyright_status") or "")).strip().lower() not in OWNED_INPUTS
        for source in d.get("input_sources") or []
        if isinstance(source, Mapping)
    ):
        reasons.append("third-party material as input")
    if not reasons or ctx.has_clearance("commissioner_approval", entry.id):
        return ()
    return [
        (
            f"Netflix written approval missing for {', '.join(reasons)} on {entry.where}",
            entry.evidence(reasons=reasons),
        )
    ]


@rule(
    check_id="E28",
    trigger="EU50_4_DEEPFAKE_DISCLOSURE",
    clause="EU AI Act Art. 50(4); Recital 134",
    families=(EU_AI_ACT,),
    severity=BLOCKING,
    verified=True,
    title="Deep fake without EU AI Act disclosure",
)
def eu_deep_fake(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    if d.get("realism") != "photoreal":
        return ()
    what = [
        label
        for flag, label in (
            ("depicts_real_person", "real person"),
            ("depicts_real_place_or_event", "real place or event"),
        )
        if d.get(flag)
    ]
    if not what or ctx.has_clearance("on_screen_label", entry.id):
        return ()
    evidence = entry.evidence(depicts=what, factual=ctx.is_factual)
    if ctx.is_factual:
        message = (
            f"Photoreal {' and '.join(what)} on {entry.where} in a factual production "
            "without an on-screen AI label"
        )
        return [(message, evidence)]
    # Fiction: the artistic carve-out limits the duty to a notice, which the credit package
    # carries; the warning asks to confirm where it goes.
    message = (
        f"Photoreal {' and '.join(what)} on {entry.where}: the EU AI Act notice goes in the "
        "credits; confirm placement"
    )
    return [(message, {**evidence, "severity_override": WARNING})]


@rule(
    check_id="E31",
    trigger="USCO_DISCLOSE_DISCLAIM",
    clause="USCO registration guidance, 88 FR 16190",
    families=(USCO,),
    severity=WARNING,
    verified=True,
    title="No human contribution recorded for generative material in the final",
)
def human_contribution_missing(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    if d.get("disposition") not in FINAL_DISPOSITIONS:
        return ()
    if d.get("generation_kind") != GenerationKind.GENERATIVE:
        return ()
    if (d.get("human_contribution") or "").strip():
        return ()
    return [
        (
            f"Generative AI in the final picture on {entry.where} with no description of the "
            "human contribution",
            entry.evidence(),
        )
    ]


@rule(
    check_id="E37",
    trigger="APA_CUE_SHEET",
    clause="APA GenAI cue-sheet fields; chain-of-title practice",
    families=(),
    severity=WARNING,
    verified=True,
    title="Usage entry incomplete for the cue sheet",
)
def entry_incomplete(entry: Entry, ctx: Context) -> Iterable[Hit]:
    d = entry.d
    missing = []
    if not (d.get("tool_version") or "").strip():
        missing.append("tool version")
    if not (d.get("operator") or "").strip():
        missing.append("operator")
    if d.get("generation_kind") == GenerationKind.GENERATIVE and not d.get("has_prompt"):
        missing.append("prompt log")
    if any(
        not isinstance(source, Mapping) or not str(source.get("copyright_status") or "").strip()
        for source in d.get("input_sources") or []
    ):
        missing.append("input source copyright status")
    if not missing:
        return ()
    return [
        (
            f"Entry on {entry.where} is missing {', '.join(missing)}",
            entry.evidence(missing=missing),
        )
    ]


def _consent_evidence(consent: Mapping, **extra) -> dict:
    return {
        "performer_id": consent["performer_id"],
        "consent_type": consent["consent_type"],
        "signed_at": consent.get("signed_at"),
        **extra,
    }


def _consent_day(consent: Mapping) -> date | None:
    services = parse_datetime(consent.get("services_at"))
    return (
        parse_date(consent.get("signed_at"))
        or parse_date(consent.get("valid_from"))
        or (services.date() if services else None)
    )


ENTRY_RULES = [r for r in REGISTRY if r.scope == "entry"]
CONSENT_RULES = [r for r in REGISTRY if r.scope == "consent"]
E42 = Rule(
    check_id="E42",
    trigger="META_UNCONFIRMED_WORDING",
    clause="DOMAIN.md 0.1 evidence labels",
    families=(),
    severity=INFO,
    verified=True,
    title="Findings from rules whose wording is unconfirmed",
    scope="production",
)
RULES = rules_by_id() | {"E42": E42}


def _finding(ctx: Context, r: Rule, rule_set, entity_type, entity_id, message, evidence) -> dict:
    severity, suffix = ctx.severity(r, rule_set)
    override = evidence.pop("severity_override", None)
    if override is not None and severity == BLOCKING:
        severity = override
    if suffix:
        ctx.unconfirmed += 1
    return {
        "rule": r.check_id,
        "trigger": r.trigger,
        "clause": r.clause,
        "rule_set": rule_set.get("code") if rule_set else None,
        "severity": severity,
        "message": message + suffix,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "evidence": evidence,
    }


def run_rules(snapshot: Mapping) -> list[dict]:
    """Every finding of the snapshot, ordered by rule, then entity, then message."""
    ctx = Context(snapshot)
    found = []
    for d in snapshot.get("entries") or []:
        entry = Entry(d, ctx)
        for r, rule_set in ctx.entry_rules(entry.used_on, tuple(entry.asked)):
            hits = r.func(entry, ctx)
            if hits:
                for message, evidence in hits:
                    found.append(
                        _finding(ctx, r, rule_set, "usage_entry", d["id"], message, evidence)
                    )
    for consent in ctx.consents.values():
        if consent["production_id"] != ctx.production_id:
            continue  # consents of other productions are on file only as evidence
        day = _consent_day(consent)
        for r in CONSENT_RULES:
            rule_set = ctx.nearest_rule_set(r, day)
            if rule_set is False:
                continue
            for message, evidence in r.func(consent, ctx):
                found.append(
                    _finding(ctx, r, rule_set, "consent", consent["id"], message, evidence)
                )
    if ctx.unconfirmed:
        found.append(
            _finding(
                ctx,
                E42,
                None,
                "production",
                ctx.production_id,
                f"{ctx.unconfirmed} finding(s) come from rules whose wording is unconfirmed: "
                "they warn until counsel confirms the clause text",
                {"count": ctx.unconfirmed},
            )
        )
    found.sort(
        key=lambda f: (
            f["rule"],
            f["entity_type"],
            -1 if f["entity_id"] is None else f["entity_id"],
            f["message"],
        )
    )
    return found


def _union_notice_notes(snapshot: Mapping) -> dict:
    """Entry id (None: the whole production) -> whether a union notice with a note covers it."""
    notes: dict = {}
    for clearance in snapshot.get("clearances") or []:
        if clearance.get("kind") != "union_notice" or not (clearance.get("note") or "").strip():
            continue
        for entry_id in clearance.get("usage_entry_ids") or [None]:
            notes[entry_id] = True
    return notes
