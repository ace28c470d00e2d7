"""API views of the project package: token issue."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.idempotency import ErrorOutputSerializer
from crm.api.throttling import ScopedRateThrottle
from crm.lockout import LOCKED_CODE
from crm.services import api_token_issue


class TokenRequestInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=80, required=False, allow_blank=True)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class AccountLocked(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    # The same words whether the account or the client address reached its limit, and
    # whether or not the account exists (crm.lockout).
    default_detail = _("Too many failed sign-ins. Try again later.")
    default_code = LOCKED_CODE


class TokenObtainView(APIView):
    """Exchange a username and password for an API token (shown once)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request):
        # No authentication runs here, but a failed sign-in is still a 401 challenge.
        return "Token"

    @extend_schema(
        request=TokenRequestInputSerializer,
        responses={
            201: TokenOutputSerializer,
            400: OpenApiResponse(ErrorOutputSerializer, description=_("Invalid fields.")),
            401: OpenApiResponse(ErrorOutputSerializer, description=_("Wrong username or password.")),
            403: OpenApiResponse(ErrorOutputSerializer, description=_(
                "Locked after too many failed sign-ins, for the account or for the client address "
                "(code `account_locked`).")),
            429: OpenApiResponse(ErrorOutputSerializer, description=_(
                "Too many requests from this client address (code `throttled`); see Retry-After.")),
        },
    )
    def post(self, request):
        data = TokenRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except AxesBackendPermissionDenied as exc:
            raise AccountLocked() from exc
        if getattr(request._request, "axes_locked_out", False):
            raise AccountLocked()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Unable to sign in with these credentials."))
        token, raw = api_token_issue(user=user, name=data.validated_data.get("name", ""))
        # Issuing a token is a sign-in: the audit chain and last_login follow Django's signal.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            TokenOutputSerializer({"token": raw, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )
