"""The meeting's page: its agenda, read-only for partners and editable by coordinators (build,
reorder, add, remove, free text, freeze), in the meeting the outcomes, action items (on an item
or for the whole meeting), attendance and "held", and afterwards corrections to the outcomes.

Every POST works without JavaScript (redirect with a message, or the page again with the form's
errors); with htmx the agenda region is swapped in place. Edits post the agenda version they
were made on, and a stale one is refused with the fresh agenda.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import audit
from accounts.models import Agency, User
from cases.display import url_for_each
from cases.people import risk

from ..access import access_action_target, access_meeting, can_run_meetings
from ..agenda import services
from ..agenda.forms import (
    PAGE_FORM,
    PRESENTER_LIST,
    ActionItemForm,
    AddCaseForm,
    BuildForm,
    FreezeForm,
    RecordForm,
    RemoveForm,
    TextItemForm,
    TimePlanForm,
    UnfreezeForm,
    VersionedForm,
)
from ..agenda.item_html import BoundForms, Mode, render_items
from ..agenda.presentation import agenda_view, day
from ..agenda.time_plan import person_label, presenters
from ..models import ActionItem, Meeting
from ..tasks import prepare_soon, remind_soon

PAGE = "meetings/agenda.html"


def _url_or_none(name: str, *args) -> str | None:
    # Pages other parts of the app add (the cover, the PDF) are linked once they exist.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


ITEM_URLS = {
    "move": "meetings:agenda_move",
    "remove": "meetings:agenda_remove",
    "record": "meetings:agenda_record",
    "action": "meetings:agenda_action",
    "plan": "meetings:agenda_plan",
}


def _people_choices() -> list[tuple[int, str]]:
    users = User.objects.filter(is_active=True, is_integration=False, agency__isnull=False).select_related("agency")
    return [(u.pk, f"{u.get_full_name() or u.username} ({u.agency.code})") for u in users]


def _attendance_rows(meeting: Meeting, bound: dict | None = None) -> list[dict]:
    """Invited agencies (all agencies when none were invited), each with its people and what was
    recorded. Queries: invited agencies, attendance with people, the agencies' users."""
    agencies = list(meeting.invited_agencies.all()) or list(Agency.objects.all())
    recorded = {a.agency_id: a for a in meeting.attendance.prefetch_related("people")}
    known = {a.pk for a in agencies}
    agencies += [a.agency for a in recorded.values() if a.agency_id not in known]
    members: dict[int, list[User]] = {}
    for user in User.objects.filter(agency__in=agencies, is_active=True, is_integration=False).order_by(
        "last_name", "first_name"
    ):
        members.setdefault(user.agency_id, []).append(user)
    rows = []
    for agency in agencies:
        row = recorded.get(agency.pk)
        chosen = {p.pk for p in row.people.all()} if row else set()
        present = row.present if row else False
        others = row.others if row else ""
        if bound is not None:
            present = bound.get(f"present_{agency.pk}") == "on"
            chosen = {int(v) for v in bound.getlist(f"people_{agency.pk}") if v.isdigit()}
            others = bound.get(f"others_{agency.pk}", "")
        rows.append(
            {
                "agency": agency,
                "present": present,
                "people": [(u, u.pk in chosen) for u in members.get(agency.pk, [])],
                "others": others,
                "recorded": row is not None,
            }
        )
    return rows


def _context(
    request: HttpRequest, meeting: Meeting, *, bound: dict | None = None, error: str = "", notice: str = ""
) -> dict:
    """Everything the page shows. Queries: the items, the window, the snapshot queries of a live
    agenda, the meeting's action items (those of no item are the whole meeting's); for
    coordinators the people and agencies of the forms and, on a frozen agenda, the attendance.
    Once the meeting is held coordinators may still correct outcomes."""
    bound = bound or {}
    user = request.user
    editor = can_run_meetings(user)
    view = agenda_view(meeting, user)
    version = {"version": meeting.agenda_version}
    editable = editor and meeting.status == Meeting.Status.SCHEDULED
    in_meeting = editor and meeting.status == Meeting.Status.FROZEN
    correcting = editor and meeting.status == Meeting.Status.HELD

    recorded_actions: dict[int | None, list[ActionItem]] = {}
    for action in meeting.action_items.select_related("assignee", "agency"):
        recorded_actions.setdefault(action.agenda_item_id, []).append(action)

    # Per-item URLs from one reverse() each: a long agenda has hundreds of items.
    urls = {name: url_for_each(url, meeting.pk) for name, url in ITEM_URLS.items()} if editor else {}
    for item in view.items:
        item.recorded_actions = [
            (a.description, str(a.assignee), a.agency.code, day(a.due_on)) for a in recorded_actions.get(item.pk, ())
        ]
        item.urls = {name: make(item.pk) for name, make in urls.items()}
    # Forms are built only where they come back with errors or typed text; the others are plain
    # HTML in the template (hundreds of Django forms would make the page slow).
    forms_back = {
        item.pk: BoundForms(
            remove=bound.get(("remove", item.pk)),
            record=bound.get(("record", item.pk)),
            action=bound.get(("action", item.pk)),
            plan=bound.get(("plan", item.pk)),
        )
        for item in view.items
    }
    items_html = render_items(
        view.items,
        Mode(editable=editable, in_meeting=in_meeting, correcting=correcting),
        bound={pk: forms for pk, forms in forms_back.items() if forms},
    )

    return {
        "nav": "meetings",
        "meeting": meeting,
        "agenda": view,
        "items_html": items_html,
        "page_form": PAGE_FORM,
        "can_edit": editor,
        "editable": editable,
        "in_meeting": in_meeting,
        "correcting": correcting,
        "meeting_actions": recorded_actions.get(None, []),
        "meeting_action_form": bound.get(("action", None)),
        "meeting_action_url": reverse("meetings:agenda_meeting_action", args=[meeting.pk]),
        "error": error,
        "notice": notice,
        "build_form": BuildForm(initial=version),
        "add_case_form": bound.get(("add_case", None)) or AddCaseForm(initial=version),
        "text_form": bound.get(("text", None)) or TextItemForm(initial=version),
        "freeze_form": bound.get(("freeze", None)) or FreezeForm(initial=version),
        "unfreeze_form": bound.get(("unfreeze", None)) or UnfreezeForm(),
        "attendance": _attendance_rows(meeting, bound.get(("attendance", None))) if in_meeting else [],
        "attendance_error": error if ("attendance", None) in bound else "",
        "events": list(meeting.events.all()[:5]) if editor else [],
        "cover_url": _url_or_none("meetings:cover", meeting.pk),
        # The section "People at risk with no contact yet", for those who may see the follow-up.
        "risk_url": reverse("meetings:people_at_risk", args=[meeting.pk]) if risk.sees_follow_up(user) else None,
        # The people the items' presenter fields offer (one list for the whole page).
        "presenter_list": PRESENTER_LIST,
        "presenter_choices": [person_label(user) for user in presenters()] if editable else [],
    }


def _render(
    request: HttpRequest,
    meeting: Meeting,
    *,
    bound: dict | None = None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(request, meeting, bound=bound, error=error, notice=notice)
    # The page and every fragment show the cases on the agenda: each goes on the audit row.
    audit.showed_cases(request, [item.case.id for item in context["agenda"].items if item.is_case])
    if request.htmx:
        # htmx swaps only successful responses; the message travels in the fragment, out of band
        # into the status region, with the meeting's header (a freeze changes its status).
        return render(request, f"{PAGE}#agenda", {**context, "oob": True})
    return render(request, PAGE, context, status=status)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, request)
    return _render(request, meeting)


def _for_coordinators(request: HttpRequest, pk: int) -> Meeting:
    """Partners who may see the meeting are told they may not change it (403); anyone else
    learns nothing (404)."""
    meeting = access_meeting(request.user, pk, request)
    if not can_run_meetings(request.user):
        raise PermissionDenied("Only coordinators change agendas and record meetings.")
    return meeting


def _done(request: HttpRequest, meeting: Meeting, message: str, anchor: str = "") -> HttpResponse:
    if request.htmx:
        meeting.refresh_from_db()
        response = _render(request, meeting, notice=message)
        response["HX-Trigger"] = "agendaChanged"
        return response
    messages.success(request, message)
    return redirect(meeting.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _refused(
    request: HttpRequest, meeting: Meeting, exc: services.AgendaError, key: tuple, form: forms.Form | None
) -> HttpResponse:
    """The page again, fresh, with the message; the form keeps what was typed, the message next
    to its field. A conflict shows the fresh agenda and a form ready to send again."""
    meeting.refresh_from_db()
    bound = {}
    if form is not None:
        if isinstance(exc, services.AgendaConflict) or exc.field is None:
            form = _fresh_copy(form, meeting)
        else:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        bound[key] = form
    status = 409 if isinstance(exc, services.AgendaConflict | services.AgendaLocked) else 400
    return _render(request, meeting, bound=bound, error=exc.message, status=status)


def _fresh_copy(form: forms.Form, meeting: Meeting) -> forms.Form:
    """An unbound form with what the user typed and the current agenda version."""
    initial = {name: form.data.get(form.add_prefix(name)) for name in form.fields}
    if "version" in form.fields:
        initial["version"] = meeting.agenda_version
    kwargs = {"prefix": form.prefix, "initial": initial}
    if isinstance(form, ActionItemForm):
        kwargs.update(people=form.fields["assignee"].choices[1:], agencies=form.fields["agency"].choices[1:])
    return type(form)(**kwargs)


def _invalid(request: HttpRequest, meeting: Meeting, key: tuple, form: forms.Form) -> HttpResponse:
    if "version" in form.errors:
        return _refused(request, meeting, services.AgendaConflict(meeting), key, form)
    return _render(request, meeting, bound={key: form}, error="Please correct the marked field.", status=400)


# --- Editing ----------------------------------------------------------------------------------


@require_POST
def build(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = BuildForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("build", None), form)
    try:
        result = services.build_agenda(meeting, request.user, expected_version=form.cleaned_data["version"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("build", None), None)
    prepare_soon(meeting, request.user)
    return _done(
        request, meeting, f"Agenda built: {result.total} items, {len(result.added)} added by the rules.", "agenda"
    )


@require_POST
def reorder(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = VersionedForm(request.POST)
    raw = request.POST.get("order", "")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    order = [int(part) for part in raw.split(",") if part.strip().isdecimal()]
    if not form.is_valid():
        return _invalid(request, meeting, ("reorder", None), form)
    try:
        services.reorder_items(meeting, request.user, order, expected_version=form.cleaned_data["version"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("reorder", None), None)
    return _done(request, meeting, "New order saved.", "agenda")


@require_POST
def move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("move", item_pk), form)
    direction = request.POST.get("direction", "")
    try:
        services.move_item(meeting, request.user, item_pk, direction, expected_version=form.cleaned_data["version"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("move", item_pk), None)
    return _done(request, meeting, f"Item moved {direction}.", f"item-{item_pk}")


@require_POST
def add_case(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = AddCaseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("add_case", None), form)
    try:
        item = services.add_case(
            meeting, request.user, form.cleaned_data["report_number"], expected_version=form.cleaned_data["version"]
        )
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("add_case", None), form)
    return _done(request, meeting, f"{item.shooting.report_number} added to the agenda.", f"item-{item.pk}")


@require_POST
def add_text(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = TextItemForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("text", None), form)
    try:
        item = services.add_text_item(
            meeting,
            request.user,
            form.cleaned_data["title"],
            form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
        )
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("text", None), form)
    return _done(request, meeting, f"“{item.title}” added to the agenda.", f"item-{item.pk}")


def _edit_item(
    request: HttpRequest,
    meeting: Meeting,
    item_pk: int,
    action: str,
    form_class: type[forms.Form],
    change: Callable[[dict, int], object],
    message: str,
    anchor: str,
) -> HttpResponse:
    """One item's edit from its own prefixed fields of the page's one form, whose version guards
    the whole agenda: a stale version is refused before the item's fields are judged, and the
    item's errors stand beside its fields. `change` gets the cleaned fields and the version."""
    key = (action, item_pk)
    version = VersionedForm(request.POST)
    form = form_class(request.POST, prefix=f"{action}-{item_pk}")
    if not version.is_valid():
        return _refused(request, meeting, services.AgendaConflict(meeting), key, form)
    if not form.is_valid():
        return _invalid(request, meeting, key, form)
    try:
        change(form.cleaned_data, version.cleaned_data["version"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, key, form)
    return _done(request, meeting, message, anchor)


@require_POST
def remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    return _edit_item(
        request,
        meeting,
        item_pk,
        "remove",
        RemoveForm,
        lambda fields, version: services.remove_item(
            meeting, request.user, item_pk, fields["reason"], expected_version=version
        ),
        "Item removed; it is listed under “Removed items”.",
        "removed",
    )


@require_POST
def plan(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """An item's presenter and time box, from its fields of the page's one form."""
    meeting = _for_coordinators(request, pk)
    return _edit_item(
        request,
        meeting,
        item_pk,
        "plan",
        TimePlanForm,
        lambda fields, version: services.plan_item(
            meeting,
            request.user,
            item_pk,
            presenter=fields["presenter"],
            time_box=fields["time_box"],
            expected_version=version,
        ),
        "Presenter and time box saved.",
        f"item-{item_pk}",
    )


@require_POST
def restore(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("restore", item_pk), form)
    try:
        services.restore_item(meeting, request.user, item_pk, expected_version=form.cleaned_data["version"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("restore", item_pk), None)
    return _done(request, meeting, "Item back on the agenda, at the end.", f"item-{item_pk}")


@require_POST
def freeze(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = FreezeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("freeze", None), form)
    try:
        services.freeze(
            meeting,
            request.user,
            expected_version=form.cleaned_data["version"],
            confirm_empty=form.cleaned_data["confirm_empty"],
        )
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("freeze", None), form)
    prepare_soon(meeting, request.user)
    return _done(request, meeting, "Agenda frozen: it will not change until someone unfreezes it.")


@require_POST
def unfreeze(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    form = UnfreezeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("unfreeze", None), form)
    try:
        services.unfreeze(meeting, request.user, form.cleaned_data["reason"])
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("unfreeze", None), form)
    return _done(request, meeting, "Agenda unfrozen; the unfreezing is on record.")


# --- In the meeting ---------------------------------------------------------------------------


@require_POST
def record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    held = meeting.status == Meeting.Status.HELD
    return _edit_item(
        request,
        meeting,
        item_pk,
        "record",
        RecordForm,
        lambda fields, version: services.record_item(
            meeting, request.user, item_pk, **fields, expected_version=version
        ),
        "Correction saved; the minutes list it." if held else "Recorded.",
        f"item-{item_pk}",
    )


def _action_form(request: HttpRequest, item_pk: int | None, data=None) -> ActionItemForm:
    return ActionItemForm(
        data,
        prefix=f"action-{'meeting' if item_pk is None else item_pk}",
        people=_people_choices(),
        agencies=[(a.pk, a.code) for a in Agency.objects.all()],
    )


@require_http_methods(["GET", "POST"])
def add_action(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """GET: the form (loaded when the coordinator opens it, or as a page without JavaScript);
    POST: the new action item."""
    return _add_action(request, pk, item_pk)


@require_http_methods(["GET", "POST"])
def add_meeting_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The same for an action item of the whole meeting, tied to no agenda item or case."""
    return _add_action(request, pk, None)


def _add_action(request: HttpRequest, pk: int, item_pk: int | None) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    whole_meeting = item_pk is None
    anchor = "meeting-actions" if whole_meeting else f"item-{item_pk}"
    if request.method == "GET":
        item = access_action_target(request.user, meeting, item_pk, request)
        context = {
            "nav": "meetings",
            "meeting": meeting,
            "item": item,
            "number": (
                meeting.items.filter(removed_at__isnull=True, position__lt=item.position).count() + 1 if item else None
            ),
            "title": str(item) if item else "",
            "anchor": anchor,
            "form": _action_form(request, item_pk),
            "action_url": request.path,
            "fragment": bool(request.htmx),
        }
        if item is not None:
            audit.showed_cases(request, [item.shooting_id])
        template = "meetings/agenda_action_item.html"
        return render(request, f"{template}#form" if request.htmx else template, context)
    form = _action_form(request, item_pk, request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, ("action", item_pk), form)
    data = form.cleaned_data
    assignee = User.objects.select_related("agency").get(pk=data["assignee"])
    agency = Agency.objects.get(pk=data["agency"]) if data["agency"] else None
    try:
        action = services.create_action_item(
            meeting,
            request.user,
            item_id=item_pk,
            description=data["description"],
            assignee=assignee,
            agency=agency,
            due_on=data["due_on"],
        )
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("action", item_pk), form)
    remind_soon()  # the assignee is mailed the new item
    return _done(request, meeting, f"Action item for {action.assignee} added.", anchor)


@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    rows = []
    agencies = {a.pk: a for a in Agency.objects.all()}
    chosen_ids = {
        int(v) for key in request.POST if key.startswith("people_") for v in request.POST.getlist(key) if v.isdecimal()
    }
    people = User.objects.in_bulk(chosen_ids)
    for agency_pk in {int(k.split("_", 1)[1]) for k in request.POST if k.split("_", 1)[-1].isdecimal()}:
        agency = agencies.get(agency_pk)
        if agency is None:
            continue
        rows.append(
            services.AttendanceRow(
                agency=agency,
                present=request.POST.get(f"present_{agency_pk}") == "on",
                people=[
                    people[int(v)]
                    for v in request.POST.getlist(f"people_{agency_pk}")
                    if v.isdecimal() and int(v) in people
                ],
                others=request.POST.get(f"others_{agency_pk}", ""),
            )
        )
    try:
        services.record_attendance(meeting, request.user, rows)
    except services.AgendaError as exc:
        meeting.refresh_from_db()
        return _render(request, meeting, bound={("attendance", None): request.POST}, error=exc.message, status=400)
    return _done(request, meeting, "Attendance recorded.", "attendance")


@require_POST
def mark_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _for_coordinators(request, pk)
    try:
        services.mark_held(meeting, request.user)
    except services.AgendaError as exc:
        return _refused(request, meeting, exc, ("held", None), None)
    remind_soon()  # everyone invited is mailed the minutes
    return _done(request, meeting, "Meeting marked as held.")
