"""Cases: the list (the case list's filters and search, cases.search) and one case with what the
caller may see of its victims, notes, links and leads (cases.detail.case_view, the case page's
own view object); the prosecution follow-through fields, changed through cases.services."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.audit import annotate, showed_cases
from cases import access, detail, search, services
from cases.forms import CaseFilterForm, ProsecutionForm
from cases.list_rows import FLAGS, list_values
from cases.models import LeadAssignment, Shooting, Victim
from cases.prosecution import PROSECUTION_FIELDS

from .. import serializers as s
from ..errors import Conflict, InvalidInput
from ..inputs import body, form_data, query, valid_form
from .base import READ_ERRORS, WRITE_ERRORS, ApiView, django_request
from .notes import note_json

PER_PAGE = 50
FILTERS = frozenset(CaseFilterForm.base_fields)


def _person(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def victim_json(victim: Victim) -> dict:
    return {
        "id": victim.pk,
        "name": victim.name,
        "age": victim.age_display,
        "sex": victim.get_sex_display(),
        "injury": victim.injury,
        "died_on": victim.died_on,
        "referral_status": victim.referral_status,
    }


def _victims_by_case(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    rows = Victim.objects.filter(shooting_id__in=ids).order_by("id")
    for shooting_id, name, age, is_juvenile in rows.values_list("shooting_id", "name", "age", "is_juvenile"):
        found[shooting_id].append({"name": name, "age": Victim.age_words(age, is_juvenile)})
    return found


def _row_json(row: dict, victims: dict[int, list[dict]]) -> dict:
    lead = None
    if row["lead_investigator__username"]:
        full = f"{row['lead_investigator__first_name']} {row['lead_investigator__last_name']}".strip()
        lead = full or row["lead_investigator__username"]
    return {
        "id": row["id"],
        "report_number": row["report_number"],
        "occurred_from": row["occurred_from"],
        "kind": row["kind"],
        "address": row["address"],
        "division": row["division"],
        "status": row["status"],
        "lead_investigator": lead,
        "flags": [name for name, _label, _css in FLAGS if row[name]],
        "victims": victims.get(row["id"], []),
        "url": reverse("api:case_detail", args=[row["id"]]),
    }


def prosecution_json(shooting: Shooting) -> dict:
    return {**{name: getattr(shooting, name) for name in PROSECUTION_FIELDS}, "version": shooting.version}


class CaseList(ApiView):
    @extend_schema(
        operation_id="cases_list",
        summary="Cases, searched and filtered like the case list",
        parameters=[
            OpenApiParameter(
                "q", str, description="Report number, address, victim's name (and a suspect's, for law enforcement)."
            ),
            OpenApiParameter("status", str, enum=[c[0] for c in CaseFilterForm.base_fields["status"].choices if c[0]]),
            OpenApiParameter("kind", str, enum=Shooting.Kind.values),
            OpenApiParameter("division", str),
            OpenApiParameter("occurred_after", str, description="A date, YYYY-MM-DD (inclusive)."),
            OpenApiParameter("occurred_before", str, description="A date, YYYY-MM-DD (inclusive)."),
            OpenApiParameter("flag", str, many=True, enum=list(search.FLAGS)),
            OpenApiParameter("updated", str, enum=[search.UPDATED_SINCE_MEETING, search.UPDATED_SINCE_DATE]),
            OpenApiParameter("updated_since", str, description="A date, YYYY-MM-DD."),
            OpenApiParameter("sort", str, enum=[key for name in search.SORTS for key in (name, f"-{name}")]),
            OpenApiParameter("page", int),
        ],
        responses={200: s.CasePageSerializer, 400: s.InputErrorSerializer, **READ_ERRORS},
    )
    def get(self, request):
        """Queries: the page with its count (or a count of its own), the page's victims."""
        data = query(request, FILTERS, multi=frozenset({"flag"}))
        form = valid_form(CaseFilterForm, data)
        q = form.to_query()
        shootings = list_values(search.find_cases(request.user, q))
        page = search.page_of(
            shootings, request.query_params.get("page"), PER_PAGE, with_total=search.counts_with_its_page(q)
        )
        rows = list(page.object_list)
        showed_cases(django_request(request), [row["id"] for row in rows])
        victims = _victims_by_case([row["id"] for row in rows])

        def link(number: int) -> str:
            params = request.query_params.copy()
            params["page"] = str(number)
            return f"{reverse('api:case_list')}?{params.urlencode()}"

        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "next": link(page.next_page_number()) if page.has_next() else None,
                "previous": link(page.previous_page_number()) if page.has_previous() else None,
                "results": [_row_json(row, victims) for row in rows],
            }
        )


def lead_json(lead, user, *, with_work: list | None = None) -> dict:
    """A lead as the NIBIN pages show it: advocates read its number only (and its cases)."""
    if access.is_advocate(user):
        return {"id": lead.pk, "number": lead.number}
    data = {
        "id": lead.pk,
        "number": lead.number,
        "status": lead.status,
        "evidence_recovered_at": lead.evidence_recovered_at,
        "entered_at": lead.entered_at,
        "lead_received_at": lead.lead_received_at,
        "notified_at": lead.notified_at,
        "turnaround_hours": lead.turnaround_hours,
        "version": lead.version,
    }
    if access.sees_investigative_detail(user):
        data["priority"] = lead.priority
        data["priority_reason"] = lead.priority_reason
        if with_work is not None:
            data["work"] = with_work
    return data


def work_json(work: LeadAssignment) -> dict:
    return {
        "id": work.pk,
        "lead": work.lead_id,
        "case": work.shooting_id,
        "investigator": _person(work.investigator),
        "investigator_id": work.investigator_id,
        "state": work.state,
        "outcome": work.outcome,
        "outcome_note": work.outcome_note,
        "joined_at": work.joined_at,
        "version": work.version,
    }


def case_json(shooting: Shooting, user) -> dict:
    """The case as the case page shows it to `user` (cases.detail.case_view), every note included.

    Queries: case_view's (see there), the note views' authors, and the lead work on the case."""
    case = detail.case_view(shooting, user, show_all=True)
    work_by_lead: dict[int, list[dict]] = defaultdict(list)
    for work in access.lead_work_visible_to(user).filter(shooting=shooting).select_related("investigator"):
        work_by_lead[work.lead_id].append(work_json(work))
    return {
        "id": shooting.pk,
        "report_number": shooting.report_number,
        "kind": shooting.kind,
        "occurred_from": shooting.occurred_from,
        "occurred_to": shooting.occurred_to,
        "reported_at": shooting.reported_at,
        "address": shooting.address,
        "division": shooting.division,
        "beat": shooting.beat,
        "status": shooting.status,
        "cleared_on": shooting.cleared_on,
        "counting": shooting.counting,
        "lead_investigator": _person(shooting.lead_investigator),
        "flags": [name for name, _label, _css in FLAGS if getattr(shooting, name)],
        "summary": shooting.summary,
        "prosecution": prosecution_json(shooting),
        "version": shooting.version,
        "victims": [victim_json(v) for v in case.victims],
        "notes": [note_json(note, user) for note in case.shown],
        "linked_cases": [
            {
                "id": item.shooting.pk,
                "report_number": item.shooting.report_number,
                "reasons": item.reasons,
                "direct": item.direct,
            }
            for item in case.linked
        ],
        "manual_links": [
            {"id": link.pk, "from_case": link.from_shooting_id, "to_case": link.to_shooting_id, "reason": link.reason}
            for link in case.manual_links
        ]
        if access.sees_investigative_detail(user)
        else [],
        "leads": [lead_json(lead, user, with_work=work_by_lead.get(lead.pk, [])) for lead, _timing in case.leads],
    }


def _case(request, shooting_pk: int) -> Shooting:
    queryset = Shooting.objects.select_related("lead_investigator")
    return access.access_shooting(request.user, shooting_pk, django_request(request), queryset=queryset)


class CaseDetail(ApiView):
    @extend_schema(summary="One case, as you may see it", responses={200: s.CaseDetailSerializer, **READ_ERRORS})
    def get(self, request, shooting_pk: int):
        return Response(case_json(_case(request, shooting_pk), request.user))


ProsecutionBody = s.serializer_for_form(
    ProsecutionForm, "ProsecutionChange", extra=(("version", s.serializers.IntegerField(min_value=1)),)
)


class CaseProsecution(ApiView):
    @extend_schema(
        summary="Change the prosecution follow-through (referral, charges, custody / bail, disposition)",
        description="Send `version` (the case's, from the case or from this answer) and the fields to change. "
        "A case changed since answers 409 with the current values.",
        request=ProsecutionBody,
        responses={200: s.ProsecutionSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, shooting_pk: int):
        user = request.user
        shooting = access.access_shooting_to_edit(user, shooting_pk, django_request(request))
        sent = form_data(body(request), frozenset(ProsecutionForm.base_fields))
        if "version" not in sent:
            raise InvalidInput({"version": ["Send the version of the case you read."]})
        data = {**prosecution_json(shooting), **sent}
        form = valid_form(ProsecutionForm, data, instance=shooting)
        try:
            updated = services.update_shooting(
                Shooting.objects.get(pk=shooting.pk),
                user,
                {name: form.cleaned_data[name] for name in PROSECUTION_FIELDS},
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as conflict:
            annotate(django_request(request), detail={"edit_conflict": True})
            raise Conflict(prosecution_json(conflict.current)) from None
        except ValidationError as error:
            raise InvalidInput(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from None
        return Response(prosecution_json(updated))
