"""Checks for uploads: the type is read from the bytes, never from the name, and the size is
checked before anything is read.

Every upload of the product, and what checks it (tests/usage/test_uploads.py keeps this list
true by finding every file field and every read of ``request.FILES``):
- consent and clearance documents: ``check_evidence_file`` (PDF or image by magic bytes,
  ``EVIDENCE_MAX_BYTES``), stored under random names in PrivateStorage("evidence");
- shot-list and usage imports: ``IMPORT_MAX_BYTES``, then parsed by ``imports.readers`` (text
  only, no NUL or control bytes; each format's own parser); never stored as files;
- credit verification: ``check_size`` with ``VERIFY_MAX_BYTES``; only hashed, never stored.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError

# (magic bytes at offset 0, what to call it)
_SIGNATURES = [
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
]


class FileTooLarge(ValidationError):
    """An upload over its size limit (the API answers 413)."""


DEFAULT_VERIFY_MAX_BYTES = 200 * 1024 * 1024


def verify_max_bytes() -> int:
    """The largest file the public verify endpoint hashes."""
    return getattr(settings, "VERIFY_MAX_BYTES", DEFAULT_VERIFY_MAX_BYTES)


def check_size(upload, limit: int, field: str = "file") -> None:
    """Refuse an upload over ``limit`` bytes (FileTooLarge: the API answers 413)."""
    if upload.size > limit:
        raise FileTooLarge(
            {field: f"The file is too large ({upload.size:,} bytes; the limit is {limit:,})."}
        )


def sniff_document_type(head: bytes) -> str | None:
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP image"
    return None


def check_evidence_file(upload) -> str:
    """Refuse an empty, oversized or non-PDF/image file with a clear message; return its SHA-256.

    ``upload`` is a Django UploadedFile (or any file object with ``size`` and ``chunks``).
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if not upload.size:
        raise ValidationError({"document": "The file is empty."})
    if upload.size > limit:
        raise FileTooLarge(
            {"document": f"The file is too large ({upload.size:,} bytes; the limit is {limit:,})."}
        )
    upload.seek(0)
    head = upload.read(16)
    if sniff_document_type(head) is None:
        raise ValidationError(
            {"document": "Upload a PDF or an image (PNG, JPEG, GIF, WebP); this file is neither."}
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
