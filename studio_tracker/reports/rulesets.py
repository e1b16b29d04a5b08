"""The versioned rule sets a production answers to, and which one governs a use (DOMAIN.md 0.2, A).

Pure data and pure functions over plain dicts: the compiler freezes ``applicable_rule_sets`` into
the report's snapshot, and ``findings.run_rules`` reads it back with ``rule_set_for_use``. Guild
agreements are versioned by date, and the date that decides which agreement governs a use is the
entry's ``used_on`` (DESIGN.md "Rules").
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from studio_tracker.productions.models import EU_MEMBER_STATES

# Rule-set families. Guild agreements follow one another in time, so a use is judged under the
# version in force on its date; the others apply to the whole production once they apply at all.
SAG_AFTRA = "sag_aftra"
WGA = "wga"
DGA = "dga"
EU_AI_ACT = "eu_ai_act"
NETFLIX = "netflix"
USCO = "usco"
DATED_FAMILIES = frozenset({SAG_AFTRA, WGA, DGA})

EU_AI_ACT_APPLIES_FROM = date(2026, 8, 2)

# DESIGN.md "Rules": the 2026 SAG-AFTRA and WGA agreements keep the 2023 consent and disclosure
# duties, so these checks stay verified (through the 2023 text) and blocking under them.
CARRIED_FROM_2023 = frozenset({f"E{n:02d}" for n in range(1, 13)} | {"E17"})


@dataclass(frozen=True)
class RuleSetSpec:
    """One versioned source of rules, with its evidence label (DOMAIN.md 0.1: V, S or U)."""

    code: str
    name: str
    issuer: str
    effective_from: date
    effective_to: date | None
    evidence: str
    source: str
    applies_when: str
    family: str
    carries: frozenset[str] = frozenset()

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


RULE_SETS: tuple[RuleSetSpec, ...] = (
    RuleSetSpec(
        code="SAG_AFTRA_TVTH_2023",
        name="SAG-AFTRA TV/Theatrical Agreement 2023",
        issuer="SAG-AFTRA / AMPTP",
        effective_from=date(2023, 11, 9),
        effective_to=date(2026, 6, 30),
        evidence="V",
        source="thewrap.com/sag-aftra-summary-agreement-ai-protections; 'Digital Replicas 101'",
        applies_when="Signatory to SAG-AFTRA; uses dated 9 Nov 2023 to 30 Jun 2026.",
        family=SAG_AFTRA,
    ),
    RuleSetSpec(
        code="SAG_AFTRA_TVTH_2026",
        name="SAG-AFTRA TV/Theatrical Agreement 2026",
        issuer="SAG-AFTRA / AMPTP",
        effective_from=date(2026, 7, 1),
        effective_to=date(2030, 6, 30),
        evidence="S",
        source="joinauraprotocol.com (citing SAG-AFTRA); thewrap.com; timewarnerent.com",
        applies_when="Signatory to SAG-AFTRA; uses dated 1 Jul 2026 to 30 Jun 2030.",
        family=SAG_AFTRA,
        carries=CARRIED_FROM_2023,
    ),
    RuleSetSpec(
        code="WGA_MBA_2023",
        name="WGA Theatrical and Television Basic Agreement 2023, Article 72",
        issuer="WGA / AMPTP",
        effective_from=date(2023, 9, 25),
        effective_to=date(2026, 5, 1),
        evidence="V",
        source="lawinsider.com/clause/generative-artificial-intelligence/_7; animationmagazine.net",
        applies_when="Signatory to the WGA; uses dated 25 Sep 2023 to 1 May 2026.",
        family=WGA,
    ),
    RuleSetSpec(
        code="WGA_MBA_2026",
        name="WGA Theatrical and Television Basic Agreement 2026",
        issuer="WGA / AMPTP",
        effective_from=date(2026, 5, 2),
        effective_to=None,
        evidence="S",
        source="marsmag.com; letsdatascience.com",
        applies_when="Signatory to the WGA; uses dated from 2 May 2026.",
        family=WGA,
        carries=CARRIED_FROM_2023,
    ),
    RuleSetSpec(
        code="DGA_BA_2023",
        name="DGA Basic Agreement 2023",
        issuer="DGA / AMPTP",
        effective_from=date(2023, 7, 1),
        effective_to=date(2026, 6, 30),
        evidence="V",
        source="thewrap.com/dga-amptp-contract-details; axios.com",
        applies_when="Signatory to the DGA; uses dated 1 Jul 2023 to 30 Jun 2026.",
        family=DGA,
    ),
    RuleSetSpec(
        code="DGA_BA_2026",
        name="DGA Basic Agreement 2026",
        issuer="DGA / AMPTP",
        effective_from=date(2026, 7, 1),
        effective_to=None,
        evidence="U",
        source="studio.aifilms.ai; theentertainmentglobe.com",
        applies_when="Signatory to the DGA; uses dated from 1 Jul 2026.",
        family=DGA,
    ),
    RuleSetSpec(
        code="EU_AIA_ART50",
        name="EU AI Act, Article 50 (Regulation (EU) 2024/1689)",
        issuer="European Union",
        effective_from=EU_AI_ACT_APPLIES_FROM,
        effective_to=None,
        evidence="V",
        source="Regulation (EU) 2024/1689 Art. 50 and Recital 134; cepis.org",
        applies_when="Released in the EU or a member state from 2 Aug 2026, or not yet dated.",
        family=EU_AI_ACT,
    ),
    RuleSetSpec(
        code="NFLX_GENAI_2025",
        name="Netflix: Using Generative AI in Content Production",
        issuer="Netflix",
        effective_from=date(2025, 8, 1),
        effective_to=None,
        evidence="V",
        source="partnerhelp.netflixstudios.com/hc/en-us/articles/43393929218323",
        applies_when="Netflix commissions or distributes the production.",
        family=NETFLIX,
    ),
    RuleSetSpec(
        code="USCO_2023",
        name="US Copyright Office registration guidance (88 FR 16190)",
        issuer="US Copyright Office",
        effective_from=date(2023, 3, 16),
        effective_to=None,
        evidence="V",
        source="govinfo.gov/content/pkg/FR-2023-03-16/html/2023-05321.htm",
        applies_when="Always: registering the work means disclosing and disclaiming AI material.",
        family=USCO,
    ),
)
RULE_SET_BY_CODE: dict[str, RuleSetSpec] = {spec.code: spec for spec in RULE_SETS}


@lru_cache(maxsize=4096)
def parse_date(value) -> date | None:
    """An ISO date (or a date, or None) as a date; cached, since snapshots repeat a few dates."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def family_of(rule_set: Mapping) -> str | None:
    """The family of a rule-set dict: its own ``family`` key, else the known set of that code."""
    if rule_set.get("family"):
        return rule_set["family"]
    spec = RULE_SET_BY_CODE.get(rule_set.get("code", ""))
    return spec.family if spec else None


def carries(rule_set: Mapping) -> frozenset[str]:
    """The check ids a rule set keeps, verified and unchanged, from its predecessor."""
    spec = RULE_SET_BY_CODE.get(rule_set.get("code", ""))
    return spec.carries if spec else frozenset()


def _as_dict(spec: RuleSetSpec, reason: str) -> dict:
    return {
        "code": spec.code,
        "name": spec.name,
        "effective_from": spec.effective_from.isoformat(),
        "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
        "evidence": spec.evidence,
        "source": spec.source,
        "reason": reason,
    }


def _released_in_eu(territories: Iterable[str]) -> bool:
    return any(t == "EU" or t in EU_MEMBER_STATES for t in territories)


def applicable_rule_sets(production: Mapping) -> list[dict]:
    """The rule sets a production answers to, as JSON-safe dicts in ``RULE_SETS`` order.

    Guilds bring every version of their agreement (each use is judged by the version in force on
    its date); EU release brings the AI Act when the release is on or after 2 Aug 2026 or not yet
    dated; Netflix as commissioner brings its GenAI guidance; the Copyright Office always applies.
    """
    guilds = set(production.get("guilds") or [])
    commissioner = (production.get("commissioner") or "").strip().lower()
    release = parse_date(production.get("release_date"))
    in_eu = _released_in_eu(production.get("territories") or []) and (
        release is None or release >= EU_AI_ACT_APPLIES_FROM
    )
    reasons = {
        SAG_AFTRA: "signatory" if SAG_AFTRA in guilds else None,
        WGA: "signatory" if WGA in guilds else None,
        DGA: "signatory" if DGA in guilds else None,
        EU_AI_ACT: "territory" if in_eu else None,
        NETFLIX: "commissioner" if commissioner == "netflix" else None,
        USCO: "always",
    }
    return [_as_dict(spec, reasons[spec.family]) for spec in RULE_SETS if reasons.get(spec.family)]


def rule_set_for_use(rule_sets: Iterable[Mapping], family: str, used_on) -> Mapping | None:
    """The rule set of ``family`` whose date range contains ``used_on`` (a date or ISO string).

    None when the production has no set of that family in force on that day, so the family's
    rules do not apply to the use.
    """
    day = parse_date(used_on)
    if day is None:
        return None
    for rule_set in rule_sets:
        if family_of(rule_set) != family:
            continue
        start = parse_date(rule_set.get("effective_from"))
        end = parse_date(rule_set.get("effective_to"))
        if (start is None or start <= day) and (end is None or day <= end):
            return rule_set
    return None


def with_choices(rule_sets: list[dict], choices: Mapping[str, tuple[bool, str]]) -> list[dict]:
    """Apply a compliance admin's choices ``{code: (include, reason)}`` to the automatic list:
    take out the sets chosen out, add the ones chosen in, in ``RULE_SETS`` order."""
    chosen_out = {code for code, (include, _) in choices.items() if not include}
    result = {rs["code"]: rs for rs in rule_sets if rs["code"] not in chosen_out}
    for code, (include, reason) in choices.items():
        if include and code not in result and code in RULE_SET_BY_CODE:
            result[code] = _as_dict(RULE_SET_BY_CODE[code], f"added: {reason}")
    order = {spec.code: position for position, spec in enumerate(RULE_SETS)}
    return sorted(result.values(), key=lambda rs: order.get(rs["code"], len(order)))
