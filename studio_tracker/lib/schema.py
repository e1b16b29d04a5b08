"""The OpenAPI schema's shared parts: the error responses every operation can give, added once.

``ErrorAwareAutoSchema`` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) documents, per operation, the
error statuses DESIGN.md lists (400 bad input, 401 no or a dead token, 403 an action the user may
not take, 404 an object they may not read, 409 a state that forbids the action, 413 an upload
over the limit, 415 a body type the endpoint does not read, 429 throttled) with the JSON bodies
``errors.api_exception_handler`` gives them. Responses an endpoint documents itself win.

Serializers may say two more things about their schema, in ``Meta``:
``omitted_for_some_readers``: fields left out for some readers (prompts, pay, documents): not
required; ``closed_schema = True``: no other properties (a distributor's title-only production,
told apart from the full one).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """What every refusal carries: a sentence saying why."""

    detail = serializers.CharField()


@extend_schema_serializer(component_name="ValidationError")
class ValidationErrorSerializer(serializers.Serializer):
    """Bad input: a list of messages per field (nested like the body), ``non_field_errors`` for
    the body as a whole, or ``detail`` for the request as a whole."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERROR_DESCRIPTIONS = {
    "400": "Bad input: the messages say what to fix.",
    "401": "No valid token or session (missing, expired or revoked).",
    "403": "You may read this, but not do that.",
    "404": "No such object, or not one you may read.",
    "409": "The object's state does not allow that.",
    "413": "The upload, or the body, is over the limit.",
    "415": "The body is not of a type this endpoint reads.",
    "429": "Too many requests: wait and try again.",
}

BODY_METHODS = ("POST", "PATCH", "PUT")


class ErrorAwareAutoSchema(AutoSchema):
    def error_statuses(self) -> list[str]:
        """The error statuses this operation can answer, from its method and its view."""
        method = self.method.upper()
        public = any(
            permission is AllowAny for permission in getattr(self.view, "permission_classes", [])
        )
        statuses = ["429"]
        if not public:
            statuses.append("401")
        if "{" in self.path:
            statuses.append("404")  # an object one may not read, or none at all
        if method == "GET":
            if getattr(self.view, "action", None) != "retrieve":
                statuses += ["400", "404"]  # a bad filter, page, cursor or query parameter
        else:
            # Public endpoints answer 403 to a wrong password (no authenticator to ask for one).
            statuses += ["403", "409"] if not public else ["403"]
            if method in BODY_METHODS:
                # 413: an upload over its limit, or any body over DATA_UPLOAD_MAX_MEMORY_SIZE.
                statuses += ["400", "413", "415"]
        return sorted(set(statuses))

    def _error_response(self, status: str) -> dict:
        serializer = ValidationErrorSerializer if status == "400" else ErrorSerializer
        component = self.resolve_serializer(serializer, "response")
        return {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": component.ref}},
        }

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # An endpoint's own refusals documented without a body get the error body too.
        bare = {code for code, response in responses.items() if code in ERROR_DESCRIPTIONS}
        for status in sorted(set(self.error_statuses()) | bare):
            documented = responses.get(status)
            if documented is None or "content" not in documented:
                responses[status] = self._error_response(status)
            elif status == "400":
                # An endpoint's own 400 body (a failed import, say) or a validation error.
                error = self._error_response(status)["content"]["application/json"]["schema"]
                for media in documented["content"].values():
                    if "schema" in media and media["schema"] != error:
                        media["schema"] = {"anyOf": [media["schema"], error]}
        return dict(sorted(responses.items()))

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        meta = getattr(serializer, "Meta", None)
        omitted = set(getattr(meta, "omitted_for_some_readers", ()))
        if omitted and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in omitted]
            if not schema["required"]:
                del schema["required"]
        if getattr(meta, "closed_schema", False):
            schema["additionalProperties"] = False
        return schema
