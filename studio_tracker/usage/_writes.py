"""Helpers shared by the evidence modules."""

from typing import Any

from studio_tracker.lib.uploads import check_evidence_file


def apply_fields(instance, fields: tuple[str, ...], data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)


def attach_document(instance, document) -> None:
    if document is not None:
        instance.document_sha256 = check_evidence_file(document)
        instance.document = document
