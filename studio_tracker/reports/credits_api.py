"""REST endpoints for credit packages (read and download, each download recorded) and the
public verify endpoint (a file or a digest; no login)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from studio_tracker.lib import uploads
from studio_tracker.productions.api import ScopedViewSet
from studio_tracker.productions.filters import IdFilter

from . import credits
from .api import download_responses
from .models import CreditFile, Report


class CreditFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditFile
        fields = ["format", "sha256", "size"]


class CreditPackageSerializer(serializers.ModelSerializer):
    """An approved report's credit package; ``id`` and ``report`` are the report's id."""

    report = serializers.IntegerField(source="pk", read_only=True)
    formats = CreditFileSerializer(source="credit_files", many=True, read_only=True)

    class Meta:
        model = Report
        fields = ["id", "report", "production", "digest", "formats"]
        read_only_fields = fields


class CreditFilterSet(django_filters.FilterSet):
    production = IdFilter()

    class Meta:
        model = Report
        fields = ["production"]


class CreditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Credit packages of approved reports the user may read (distributors: of productions
    shared with them)."""

    model = Report
    serializer_class = CreditPackageSerializer
    filterset_class = CreditFilterSet

    def get_queryset(self):
        return credits.packages_visible_to(self.request.user).prefetch_related("credit_files")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=["txt", "tsv", "json", "pdf"], description="default txt"
            )
        ],
        responses=download_responses(credits.CONTENT_TYPES),
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """One stored credit file, byte for byte; the download is recorded."""
        report = self.get_object()
        wanted = request.query_params.get("format", "txt")
        if wanted not in credits.CONTENT_TYPES:
            return Response({"detail": "format must be txt, tsv, json or pdf."}, status=400)
        credit = CreditFile.objects.filter(report=report, format=wanted).first()
        if credit is None:
            return Response({"detail": "This package has no such file."}, status=404)
        credit.report = report
        return credits.download_response(credit, user=request.user, via="api")


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    digest = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("digest"):
            raise serializers.ValidationError("Send a file or a digest.")
        upload = attrs.get("file")
        if upload is None and credits.normalize_digest(attrs["digest"]) is None:
            raise serializers.ValidationError(
                {"digest": "A digest is 64 hexadecimal characters, optionally after sha256:."}
            )
        return attrs


class VerifyResultSerializer(serializers.Serializer):
    matches = serializers.BooleanField()
    production = serializers.CharField(allow_null=True)
    report = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    file = serializers.CharField(allow_null=True)
    sha256 = serializers.CharField()


class VerifyView(APIView):
    """Which production, report version and file an upload (or a digest) is; public."""

    authentication_classes = []  # public: a signed-in browser posts without a CSRF token too
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": VerifyRequestSerializer},
        responses={
            200: VerifyResultSerializer,
            400: OpenApiResponse(description="Neither a file nor a well-formed digest."),
            413: OpenApiResponse(description="The file is over VERIFY_MAX_BYTES."),
        },
    )
    def post(self, request):
        if "file" in request.FILES:
            # Before anything else reads it: the file is only hashed, never stored.
            uploads.check_size(request.FILES["file"], uploads.verify_max_bytes())
        form = VerifyRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data.get("file")
        if upload is not None:
            result = credits.verify(digest=credits.hash_chunks(upload.chunks()))
        else:
            result = credits.verify(digest=form.validated_data["digest"])
        return Response(VerifyResultSerializer(result).data)
