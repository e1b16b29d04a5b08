"""Domain errors every app may raise, and how the API turns them into JSON."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from studio_tracker.lib.uploads import FileTooLarge


class StateConflict(Exception):
    """The object's state forbids the action (submitting twice, approving with blockers)."""


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow that."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def api_exception_handler(exc, context):
    """DRF's handler, plus domain errors: Django validation → 400, StateConflict → 409."""
    if isinstance(exc, FileTooLarge):
        exc = PayloadTooLarge(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)
