"""API tokens: obtain one with a username and password (and a two-factor code), list mine, revoke
one.

Sign-in failures here count toward the same lockout as the login page (django-axes sees the
Django request); a locked-out client gets 429 with a ``detail`` saying when to try again.
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, AuthenticationFailed, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import lockout, tokens, two_factor
from .models import ApiToken


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class ObtainTokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)  # the user model's own limit
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="The current code of the user's authenticator app, when they have one.",
    )


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
    """Exchange a username and password (and, for users with an authenticator app, its current
    code in ``otp``) for an expiring token.

    401: wrong password, inactive account, or wrong code (which counts toward the lockout);
    400: a code is needed and ``otp`` is missing; 403: the organisation requires two factors and
    the user has not set up an authenticator app yet; 429: locked out after repeated failures.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    serializer_class = ObtainTokenRequestSerializer

    def get_authenticate_header(self, request):
        # Without one DRF turns 401 into 403; wrong credentials are a 401 (DESIGN's status list).
        return 'Token realm="api"'

    @extend_schema(
        request=ObtainTokenRequestSerializer,
        responses={
            201: ObtainTokenResponseSerializer,
            400: OpenApiResponse(description="Invalid input, or a two-factor code is needed."),
            401: OpenApiResponse(description="Wrong username, password or code."),
            403: OpenApiResponse(description="Two-factor sign-in must be set up first."),
            429: OpenApiResponse(description="Locked out after repeated failures."),
        },
    )
    def post(self, request):
        form = ObtainTokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username = form.validated_data["username"]
        # django-axes reads and flags the Django request, not DRF's wrapper.
        django_request = request._request
        user = authenticate(
            django_request, username=username, password=form.validated_data["password"]
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(lockout.lockout_message(django_request))
            raise AuthenticationFailed("Wrong username or password, or the account is inactive.")
        self._check_second_factor(django_request, user, form.validated_data.get("otp", ""))
        token, key = tokens.issue_token(user, name=form.validated_data.get("name", ""))
        body = {"id": token.pk, "token": key, "expires": token.expires_at}
        return Response(ObtainTokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _check_second_factor(django_request, user, code: str) -> None:
        device = two_factor.confirmed_device(user)
        if device is None:
            if user.must_use_two_factor:
                raise PermissionDenied(
                    "Your organisation requires two-factor sign-in: log in on the website and "
                    "set up an authenticator app before asking for a token."
                )
            return
        if not code.strip():
            raise serializers.ValidationError(
                {"otp": ["This account uses two-factor sign-in: send the current code as `otp`."]}
            )
        if not two_factor.verify_code(device, code):
            lockout.record_failed_code(django_request, user.get_username())
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(lockout.lockout_message(django_request))
            raise AuthenticationFailed("Wrong or expired two-factor code.")


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """My live tokens; DELETE revokes one."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return tokens.live_tokens(self.request.user)
