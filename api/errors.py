"""Every error of the API is JSON: `{"detail": "…"}`, with `errors` (field → messages) for bad
input and `current` (the object as it is now) for a stale write. Nothing refused says whether
the object exists: a refusal is the same 404 as a missing object (accounts.audit.refuse)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

NON_FIELD = "non_field_errors"


class InvalidInput(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request has errors: see `errors`."

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        super().__init__(detail or self.default_detail)
        self.errors = errors


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else changed this after the version you sent. `current` is how it is now."

    def __init__(self, current: dict):
        super().__init__(self.default_detail)
        self.current = current


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as field → messages, the form-wide ones under `non_field_errors`."""
    return {
        (NON_FIELD if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


def handle(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, InvalidInput):
        response.data = {"detail": str(exc.detail), "errors": exc.errors}
    elif isinstance(exc, Conflict):
        response.data = {"detail": str(exc.detail), "current": exc.current}
    elif isinstance(exc, exceptions.ValidationError):
        # DRF's own parsing of a field (a query parameter, a serializer): the same shape as ours.
        errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        response.data = {
            "detail": InvalidInput.default_detail,
            "errors": {key: [str(m) for m in (v if isinstance(v, list) else [v])] for key, v in errors.items()},
        }
    elif isinstance(exc, exceptions.Throttled):
        response.data = {"detail": "Too many requests for this token: wait and try again.", "retry_after": exc.wait}
    else:
        response.data = {"detail": str(getattr(exc, "detail", "")) or "The request failed."}
    return response


def json_error(status_code: int, detail: str) -> Response:
    return Response({"detail": detail}, status=status_code)


API_PREFIX = settings.API_PATH_PREFIX
# The documentation is a page of the app, with the app's own error pages.
DOCS = API_PREFIX + "docs/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX) and not request.path.startswith(DOCS)


def not_found(request, exception=None):
    """The project's 404 (handler404): JSON under the API (a path that names nothing), the app's
    own page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The project's 500 (handler500): JSON under the API, the app's own page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            {"detail": "The server failed to answer. The failure is logged; try again later."}, status=500
        )
    return defaults.server_error(request)
