"""API tokens: obtain one with a username and password, list mine, revoke one."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import tokens
from .models import ApiToken


class ObtainTokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ObtainTokenResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="Shown once: only its hash is stored.")
    expires = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    expires = serializers.DateTimeField(source="expires_at", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires", "last_used_at"]
        read_only_fields = fields


class ObtainTokenView(APIView):
    """Exchange a username and password for an expiring token."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    serializer_class = ObtainTokenRequestSerializer

    @extend_schema(
        request=ObtainTokenRequestSerializer, responses={201: ObtainTokenResponseSerializer}
    )
    def post(self, request):
        form = ObtainTokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed("Wrong username or password, or the account is inactive.")
        token, key = tokens.issue_token(user, name=form.validated_data.get("name", ""))
        body = {"id": token.pk, "token": key, "expires": token.expires_at}
        return Response(ObtainTokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """My live tokens; DELETE revokes one."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return tokens.live_tokens(self.request.user)
