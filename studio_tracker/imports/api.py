"""REST endpoints: ``productions/{id}/imports/`` (list, upload) and ``imports/{id}/`` (read,
apply, decide a suggestion). Imports are read by whoever may read the production's structure;
shot lists are imported by those who edit the structure, usage CSVs by those who log usage."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from studio_tracker.lib.errors import PayloadTooLarge
from studio_tracker.productions import access
from studio_tracker.productions.api import ScopedViewSet
from studio_tracker.usage.models import Tool

from . import flow
from .models import Import
from .serializers import (
    ApplySerializer,
    ImportSerializer,
    ImportUploadSerializer,
    SuggestionDecisionSerializer,
)

# Multipart framing around the file: a body this much over the limit cannot hold a file under it.
MULTIPART_SLACK = 64 * 1024


def _truthy(value) -> bool:
    return str(value).strip().lower() not in ("false", "0", "no", "off")


def may_import(rights: access.ProductionRights, kind: str) -> bool:
    return rights.edit_usage if kind == Import.Kind.USAGE else rights.edit_structure


def production_for_imports(user, pk):
    """The production, when the user may read its structure (else 404), and the rights."""
    production, rights = access.get_production_for_user(user, pk)
    if not rights.read_structure:
        raise NotFound()
    return production, rights


class ProductionImportViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The imports of one production; POST a file to preview it (``dry_run=false`` applies)."""

    model = Import
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Import.objects.none()
        production, _rights = production_for_imports(
            self.request.user, self.kwargs["production_pk"]
        )
        return (
            Import.objects.visible_to(self.request.user)
            .filter(production=production)
            .select_related("created_by")
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            production, rights = production_for_imports(request.user, kwargs["production_pk"])
            kind = request.query_params.get("kind") or "shots"
            if not (rights.edit_structure or rights.edit_usage):
                access.require(False, "You may not import into this production.")
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > flow.max_bytes() + MULTIPART_SLACK:
                limit = flow.max_bytes()
                message = f"The upload is too large ({length:,} bytes; the limit is {limit:,})."
                Import.objects.create(
                    production=production,
                    kind=kind if kind in Import.Kind.values else "shots",
                    created_by=request.user,
                    file_name="(not read)",
                    file_size=length,
                    status=Import.Status.FAILED,
                    failure=message,
                )
                raise PayloadTooLarge(message)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportSerializer,
            400: OpenApiResponse(ImportSerializer, description="The file was refused (failed)."),
            403: OpenApiResponse(description="You may not import here."),
            404: OpenApiResponse(description="No such production."),
            413: OpenApiResponse(description="The file is over the limit."),
        },
    )
    def create(self, request, production_pk=None):
        production, rights = production_for_imports(request.user, production_pk)
        upload_serializer = ImportUploadSerializer(data=request.data)
        upload_serializer.is_valid(raise_exception=True)
        data = upload_serializer.validated_data
        kind = (data.get("kind") or "shots").strip().lower()
        if kind not in Import.Kind.values:
            raise ValidationError({"kind": "Use shots or usage."})
        access.require(
            may_import(rights, kind),
            "You may not import usage entries here."
            if kind == Import.Kind.USAGE
            else "You may not import shot lists here.",
        )
        fmt = (data.get("format") or "").strip().lower()
        if fmt and fmt not in Import.Format.values:
            if fmt == "fcpxml":
                raise ValidationError({"format": flow.readers.FCPX_MESSAGE})
            raise ValidationError({"format": "Use csv, edl, fcp7xml or otio."})
        try:
            record = flow.start(
                actor=request.user,
                production=production,
                upload=data["file"],
                kind=kind,
                fmt=fmt,
                dry_run=_truthy(request.data.get("dry_run", "true")),
            )
        except flow.TooLarge as error:
            raise PayloadTooLarge(str(error)) from None
        body = ImportSerializer(record, context={"request": request}).data
        if record.status == Import.Status.FAILED:
            return Response({**body, "detail": record.failure}, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED)


class ImportViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """One import; ``apply/`` applies its preview; ``suggestions/{n}/`` confirms or dismisses."""

    model = Import
    serializer_class = ImportSerializer

    def get_queryset(self):
        return Import.objects.visible_to(self.request.user).select_related(
            "production", "created_by"
        )

    @extend_schema(
        request=ApplySerializer,
        responses={200: ImportSerializer, 403: None, 404: None, 409: None},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        record = self.get_object()
        access.require(
            may_import(self.rights(record.production), record.kind),
            "You may not apply this import.",
        )
        record = flow.apply(record, actor=request.user)
        return Response(ImportSerializer(record, context={"request": request}).data)

    @extend_schema(
        request=SuggestionDecisionSerializer,
        responses={200: ImportSerializer, 400: None, 403: None, 404: None, 409: None},
    )
    @action(detail=True, methods=["post"], url_path=r"suggestions/(?P<number>\d+)")
    def suggestion(self, request, pk=None, number=None):
        record = self.get_object()
        access.require(
            self.rights(record.production).edit_usage, "You may not log usage in this production."
        )
        serializer = SuggestionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        decision = data.pop("decision")
        if decision == "dismiss":
            record = flow.dismiss_suggestion(record, int(number), actor=request.user)
        elif decision == "confirm":
            missing = [
                f
                for f in ("tool", "category", "department", "modality", "disposition", "used_on")
                if f not in data
            ]
            if missing:
                raise ValidationError(
                    {name: "This field is required to confirm." for name in missing}
                )
            data["tool"] = get_object_or_404(
                Tool, pk=data["tool"], organization=record.production.organization_id
            )
            record = flow.confirm_suggestion(record, int(number), actor=request.user, **data)
        else:
            raise ValidationError({"decision": "Use confirm or dismiss."})
        return Response(ImportSerializer(record, context={"request": request}).data)
