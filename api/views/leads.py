"""NIBIN leads: the list and one lead with its cases (as cases.access shows them), the examiner's
answer and the times (a hit, an exclusion), the priority, and the work on each case. Through the
pages' forms (cases.lead_forms) and services (cases.services, cases.lead_work), each refusing a
stale version with 409."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.audit import annotate, showed_cases
from cases import access, detail, lead_work, services
from cases.lead_forms import LEAD_TIMES, LeadForm, TriageForm, WorkForm
from cases.models import NibinLead

from .. import serializers as s
from ..errors import Conflict, InvalidInput
from ..inputs import body, form_data, valid_form
from .base import READ_ERRORS, WRITE_ERRORS, ApiView, django_request, paginate
from .cases import lead_json, work_json

PER_PAGE = 50
VERSION = (("version", serializers.IntegerField(min_value=1, help_text="The version you read.")),)


def _lead_with_cases(lead: NibinLead, request) -> dict:
    """Queries: the lead's visible cases, and for those who may see it the work on them."""
    user = request.user
    shootings = access.lead_shootings(lead, user)
    showed_cases(django_request(request), [shooting.pk for shooting in shootings])
    work = access.lead_work_visible_to(user).filter(lead=lead).select_related("investigator")
    data = lead_json(lead, user, with_work=[work_json(w) for w in work.order_by("shooting__report_number", "pk")])
    data["cases"] = [{"id": sh.pk, "report_number": sh.report_number} for sh in shootings]
    return data


def _version(sent: dict) -> int:
    value = sent.get("version")
    if isinstance(value, bool) or not str(value or "").isdigit() or len(str(value)) > 9:
        raise InvalidInput({"version": ["Send the version you read (a whole number)."]})
    return int(value)


class LeadList(ApiView):
    @extend_schema(
        operation_id="leads_list",
        summary="NIBIN leads you may see",
        parameters=[OpenApiParameter("status", str, enum=NibinLead.Status.values), OpenApiParameter("page", int)],
        responses={200: s.LeadPageSerializer, 400: s.InputErrorSerializer, **READ_ERRORS},
    )
    def get(self, request):
        """Queries: the count and the page of leads, the report numbers of their cases."""
        user = request.user
        leads = access.access_lead_list(user, django_request(request))
        unknown = set(request.query_params) - {"status", "page", "format"}
        if unknown:
            raise InvalidInput({name[:100]: ["Unknown parameter."] for name in unknown})
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in NibinLead.Status.values:
                raise InvalidInput({"status": [f"Choose one of: {', '.join(NibinLead.Status.values)}."]})
            leads = leads.filter(status=wanted)
        page, numbers = paginate(leads.order_by("-created_at", "-id"), request, PER_PAGE)
        cases = access.lead_case_numbers([lead.number for lead in page], user)
        showed_cases(django_request(request), [pk for found in cases.values() for pk, _number in found])
        results = []
        for lead in page:
            data = lead_json(lead, user)
            data["cases"] = [{"id": pk, "report_number": number} for pk, number in cases[lead.number]]
            results.append(data)
        return Response({**numbers, "results": results})


LeadBody = s.serializer_for_form(LeadForm, "LeadChange", extra=VERSION)
TriageBody = s.serializer_for_form(TriageForm, "LeadTriage", extra=VERSION)
WorkBody = s.serializer_for_form(
    WorkForm,
    "LeadWorkChange",
    extra=(
        *VERSION,
        ("investigator", serializers.IntegerField(allow_null=True, required=False, help_text="A user's id.")),
    ),
)


class LeadDetail(ApiView):
    @extend_schema(summary="One NIBIN lead with its cases", responses={200: s.LeadSerializer, **READ_ERRORS})
    def get(self, request, lead_pk: int):
        return Response(_lead_with_cases(access.access_lead(request.user, lead_pk, django_request(request)), request))

    @extend_schema(
        summary="Record the examiner's answer (hit, excluded) and the lead's times",
        description="For investigators, agents, coordinators and supervisors. Send `version` and the fields "
        "to change; the times must follow each other (recovered → entered → lead received → notified).",
        request=LeadBody,
        responses={200: s.LeadSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, lead_pk: int):
        user = request.user
        lead = access.access_lead(user, lead_pk, django_request(request))
        if not access.can_manage_nibin(user):
            raise PermissionDenied("Only investigators, agents, coordinators and supervisors manage NIBIN leads.")
        sent = form_data(body(request), frozenset({*LeadForm.base_fields, "version"}))
        expected = _version(sent)
        sent.pop("version")
        # A field not sent keeps its value: the form is filled with the lead as it is, then what was sent.
        current = {name: getattr(lead, name) for name in ("status", "examiner", *LEAD_TIMES)}
        form = valid_form(LeadForm, {**{k: v or "" for k, v in current.items()}, **sent})
        try:
            lead = services.change_lead_by_hand(lead, user, form.cleaned_data, version=expected)
        except lead_work.LeadConflict as conflict:
            annotate(django_request(request), detail={"edit_conflict": True})
            raise Conflict(_lead_with_cases(conflict.current, request)) from None
        return Response(_lead_with_cases(lead, request))


class LeadTriage(ApiView):
    @extend_schema(
        summary="Set a lead's priority and the reason for it",
        request=TriageBody,
        responses={200: s.LeadSerializer, **WRITE_ERRORS},
    )
    def post(self, request, lead_pk: int):
        user = request.user
        lead = access.access_lead_to_triage(user, lead_pk, django_request(request))
        form = valid_form(TriageForm, form_data(body(request), frozenset(TriageForm.base_fields)))
        try:
            lead = lead_work.triage(
                lead,
                user,
                priority=form.cleaned_data["priority"],
                reason=form.cleaned_data["priority_reason"],
                version=form.cleaned_data["version"],
            )
        except lead_work.LeadConflict:
            annotate(django_request(request), detail={"edit_conflict": True})
            lead.refresh_from_db()
            raise Conflict(_lead_with_cases(lead, request)) from None
        return Response(_lead_with_cases(lead, request))


class LeadWork(ApiView):
    @extend_schema(
        summary="Assign, move on or conclude the work on a lead in one case",
        description="`investigator` is a user's id (one who may lead cases). Choosing an `outcome` records it "
        "(the state becomes done). A change made since your `version` answers 409.",
        request=WorkBody,
        responses={200: s.LeadWorkSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, lead_pk: int, work_pk: int):
        user = request.user
        work = access.access_lead_work(user, lead_pk, work_pk, django_request(request))
        people = detail.assignable_people([work.investigator_id])
        sent = form_data(body(request), frozenset(WorkForm.base_fields))
        current = {
            "investigator": str(work.investigator_id or ""),
            "state": work.state,
            "outcome": work.outcome,
            "outcome_note": work.outcome_note,
        }
        form = valid_form(WorkForm, {**current, **sent}, people=people)
        data = form.cleaned_data
        try:
            work = lead_work.change_work(
                work,
                user,
                investigator=form.people.get(data["investigator"]),
                state=data["state"],
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
                version=data["version"],
            )
        except lead_work.LeadConflict:
            annotate(django_request(request), detail={"edit_conflict": True})
            work.refresh_from_db()
            raise Conflict(work_json(work)) from None
        except ValueError as error:
            raise InvalidInput({"non_field_errors": [str(error)]}) from None
        annotate(
            django_request(request), case_id=work.shooting_id, detail={"state": work.state, "outcome": work.outcome}
        )
        return Response(work_json(work))
