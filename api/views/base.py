"""What every API view shares: who may call (a token or a signed-in session), JSON first, the
request Django's middleware sees (for the audit row and refusals), and the schema's common answers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse
from rest_framework.views import APIView

from ..serializers import ConflictSerializer, ErrorSerializer, InputErrorSerializer

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see (the same answer).")
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="No token, or one that is unknown, expired or revoked.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You may see this but not change it.")
BAD_INPUT = OpenApiResponse(InputErrorSerializer, description="The input has errors; `errors` names each field.")
CONFLICT = OpenApiResponse(ConflictSerializer, description="Stale version: `current` is the object as it is now.")
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Rate limit of the token reached; see Retry-After.")
READ_ERRORS = {401: UNAUTHORIZED, 404: NOT_FOUND, 429: TOO_MANY}
WRITE_ERRORS = {**READ_ERRORS, 400: BAD_INPUT, 403: FORBIDDEN, 409: CONFLICT}


class ApiView(APIView):
    """A view of the API. Authentication, permission (signed in), throttling and rendering come
    from REST_FRAMEWORK in the settings; need-to-know from cases.access in each view."""


def django_request(request) -> HttpRequest:
    """The HttpRequest under DRF's request: what accounts.audit and the access lookups annotate,
    and what the audit middleware reads after the view."""
    return getattr(request, "_request", request)


def paginate(items, request, per_page: int):
    """A page of `items` (Paginator.get_page: a page number that is not one gives the first page,
    one out of range the last) and the page's numbers."""
    page = Paginator(items, per_page).get_page(request.query_params.get("page"))
    return page, {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages}
