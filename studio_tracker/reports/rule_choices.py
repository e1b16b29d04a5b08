"""A compliance admin adds a rule set to a production, or takes one out, with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction

from studio_tracker.audit import trail
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Production

from . import rulesets
from .models import ProductionRuleSet, RuleSet


def current_rule_sets(production: Production, facts: dict) -> list[dict]:
    """The rule sets a report of this production compiles under: the automatic ones (guilds,
    territories, commissioner) with the compliance admins' choices applied."""
    choices = {
        choice.rule_set.code: (choice.include, choice.reason)
        for choice in ProductionRuleSet.objects.filter(production=production).select_related(
            "rule_set"
        )
    }
    return rulesets.with_choices(rulesets.applicable_rule_sets(facts), choices)


@transaction.atomic
def choose(
    production: Production, *, actor, rule_set: RuleSet, include: bool | None, reason: str = ""
) -> ProductionRuleSet | None:
    """Add (include=True) or take out (False) a rule set, or return it to automatic (None).

    A choice needs a reason: it changes which obligations the reports check. Reports compiled
    before it are stale afterwards."""
    existing = ProductionRuleSet.objects.filter(production=production, rule_set=rule_set).first()
    if include is None:
        if existing is None:
            return None
        existing.delete()
        choice, action = None, "rule_set.automatic"
    else:
        if not reason.strip():
            raise ValidationError({"reason": "Say why: reviewers and union reps will read it."})
        choice = existing or ProductionRuleSet(production=production, rule_set=rule_set)
        choice.include, choice.reason, choice.decided_by = include, reason.strip(), actor
        choice.save()
        action = "rule_set.added" if include else "rule_set.removed"
    bump_change_counter(production.pk)
    trail.record(
        actor=actor,
        action=action,
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="rule_set",
        target_id=str(rule_set.pk),
        target_label=rule_set.code,
        changes={"reason": reason.strip()} if include is not None else {},
    )
    return choice
