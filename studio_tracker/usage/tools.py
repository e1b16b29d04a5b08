"""The organisation's tool registry: compliance admins add tools and set their status."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from studio_tracker.audit import trail
from studio_tracker.productions.models import Organization

from .choices import Modality
from .models import Tool

TOOL_FIELDS = (
    "name",
    "vendor",
    "modalities",
    "kind",
    "training_data_claim",
    "indemnity",
    "trains_on_inputs",
    "emits_c2pa",
    "consent_features",
    "known_litigation",
    "evidence_label",
    "status",
    "status_reason",
)


def _validate(tool: Tool) -> None:
    unknown = set(tool.modalities or []) - set(Modality.values)
    if not isinstance(tool.modalities, list) or unknown:
        raise ValidationError({"modalities": f"Unknown modalities: {', '.join(sorted(unknown))}"})
    if tool.status != Tool.Status.APPROVED and not tool.status_reason.strip():
        raise ValidationError(
            {"status_reason": "Say why, so whoever picks the tool knows what to do."}
        )
    tool.full_clean()


def _record(tool: Tool, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=f"tool.{action}",
        organization_id=tool.organization_id,
        target_type="tool",
        target_id=str(tool.pk),
        target_label=tool.name[:200],
        changes=changes,
    )


@transaction.atomic
def add_tool(*, actor, organization: Organization, **data: Any) -> Tool:
    tool = Tool(organization=organization)
    for name, value in data.items():
        setattr(tool, name, value)
    _validate(tool)
    tool.save()
    _record(
        tool,
        actor=actor,
        action="created",
        changes=trail.field_changes({}, model_to_dict(tool, fields=TOOL_FIELDS)),
    )
    return tool


@transaction.atomic
def update_tool(tool: Tool, *, actor, **data: Any) -> Tool:
    """Edit a registry entry, its status included (approved, restricted, banned)."""
    unknown = set(data) - set(TOOL_FIELDS)
    if unknown:
        raise TypeError(f"Not a tool field: {', '.join(sorted(unknown))}")
    before = model_to_dict(tool, fields=TOOL_FIELDS)
    for name, value in data.items():
        setattr(tool, name, value)
    _validate(tool)
    changes = trail.field_changes(before, model_to_dict(tool, fields=TOOL_FIELDS))
    if changes:
        tool.save()
        _record(tool, actor=actor, action="updated", changes=changes)
    return tool
