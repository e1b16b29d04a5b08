from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import tokens, two_factor


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`) with our expiring, hashed tokens."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from error
        user = tokens.user_for_key(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if two_factor.needs_enrolment(user):
            # A token issued before the organisation required two factors stops working until
            # the user sets up an authenticator app.
            raise exceptions.AuthenticationFailed(
                "Your organisation requires two-factor sign-in: set up an authenticator app "
                "on the website first."
            )
        return (user, None)
