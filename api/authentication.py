"""Who is calling: a bearer token (a person's own or an integration account's), or a signed-in
session (the browsable API and its documentation), which keeps every rule of sign-in security:
the middleware's idle and absolute timeouts and second factor run before any API view."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import audit, tokens
from accounts.models import AuditEvent


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer sr_…`. A missing header leaves the call to session authentication;
    a token that does not let anyone in answers 401, the same for every reason (the audit trail
    keeps the reason)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1", errors="replace")
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        raw = raw.strip()
        try:
            token = tokens.check_token(raw)
        except tokens.TokenRefused as refused:
            audit.record(
                "api.token.refused",
                request=request._request,
                actor=refused.token.user if refused.token else None,
                object_type="api_token",
                object_id=refused.token.pk if refused.token else "",
                outcome=AuditEvent.Outcome.FAILURE,
                detail={"token": tokens.prefix_of(raw), "reason": refused.reason, "path": request.path[:200]},
            )
            raise exceptions.AuthenticationFailed(
                "The token is not valid: it may be unknown, expired or revoked."
            ) from None
        # The audit middleware names the token on the call's row.
        request._request.api_token = token
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class SignedInSession(authentication.SessionAuthentication):
    """Django's session, with CSRF on every unsafe call. Never for an integration account (which
    has no session) and never once the session middleware has ended the session."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None or getattr(found[0], "is_integration", False):
            return None
        return found


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token (made on your profile) or an integration account's token.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SignedInSession"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
