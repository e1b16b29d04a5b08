"""Domain errors every app may raise, and how the API turns them into JSON."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
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
    """DRF's handler, plus domain errors: Django validation → 400, StateConflict → 409.

    Every error body is an object: ``{"detail": "…"}``, or messages per field."""
    if isinstance(exc, FileTooLarge):
        exc = PayloadTooLarge(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # `raise ValidationError("…")` in a view gives a bare list of messages.
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


# Django's own error views, for what never reaches DRF (an URL no route matches, a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under the API, the site's pages elsewhere.
API_PREFIX = "/api/"


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": "The request body is too large."}, status=413)
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)
