"""My items: a person's open action items (overdue marked), closed with a note; coordinators
also see everyone's open items by agency or assignee."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.access import refuse
from cases.models import Shooting

from .. import services
from ..access import access_action_item, can_run_meetings, can_view_meetings
from ..forms import ActionItemFilterForm, DoneForm
from ..models import ActionItem

DONE_SHOWN = 20
ALL_PER_PAGE = 50


def _with_forms(items: list[ActionItem], bound: DoneForm | None = None, bound_pk: int | None = None):
    for item in items:
        item.done_form = bound if item.pk == bound_pk else DoneForm(item_id=item.pk)
    return items


def _page_context(request: HttpRequest, bound: DoneForm | None = None, bound_pk: int | None = None) -> dict:
    user = request.user
    related = ("meeting", "shooting", "agency")
    mine = ActionItem.objects.filter(assignee=user).select_related(*related)
    open_items = _with_forms(list(mine.open().order_by("due_on", "id")), bound, bound_pk)
    done_items = list(mine.filter(status=ActionItem.Status.DONE).order_by("-done_at", "-id")[:DONE_SHOWN])
    context = {
        "nav": "my_items",
        "open_items": open_items,
        "done_items": done_items,
        "today": timezone.localdate(),
        "can_run": can_run_meetings(user),
    }
    shown = open_items + done_items
    if context["can_run"]:
        filters = ActionItemFilterForm(request.GET or None)
        everyone = ActionItem.objects.open().select_related("assignee", *related).order_by("due_on", "id")
        if filters.is_valid():
            if filters.cleaned_data["agency"]:
                everyone = everyone.filter(agency=filters.cleaned_data["agency"])
            if filters.cleaned_data["assignee"]:
                everyone = everyone.filter(assignee=filters.cleaned_data["assignee"])
        page = Paginator(everyone, ALL_PER_PAGE).get_page(request.GET.get("page"))
        context.update(filters=filters, all_page=page)
        shown = shown + list(page.object_list)
    ids = {item.shooting_id for item in shown if item.shooting_id}
    context["visible_case_ids"] = (
        set(Shooting.objects.visible_to(user).filter(pk__in=ids).order_by().values_list("pk", flat=True))
        if ids
        else set()
    )
    return context


def my_items(request: HttpRequest) -> HttpResponse:
    if not can_view_meetings(request.user):
        refuse(request.user, "action items", "-", request)
    return render(request, "meetings/my_items.html", _page_context(request))


@require_POST
def action_item_done(request: HttpRequest, action_pk: int) -> HttpResponse:
    item = access_action_item(request.user, action_pk, request)
    form = DoneForm(request.POST, item_id=item.pk)
    if form.is_valid():
        try:
            item = services.complete_action_item(item, request.user, form.cleaned_data["note"])
        except services.AlreadyDone:
            item.refresh_from_db()
            messages.info(request, "That item was already done.")
        if request.htmx:
            return render(request, "meetings/my_items.html#done_item", {"item": item, "just_done": True})
        messages.success(request, f"Done: {item.description}")
        return redirect("meetings:my_items")
    if request.htmx:
        item.done_form = form
        context = {"item": item, "today": timezone.localdate(), "visible_case_ids": _visible(request.user, item)}
        return render(request, "meetings/my_items.html#open_item", context)
    return render(request, "meetings/my_items.html", _page_context(request, bound=form, bound_pk=item.pk))


def _visible(user, item: ActionItem) -> set[int]:
    if not item.shooting_id:
        return set()
    return set(Shooting.objects.visible_to(user).filter(pk=item.shooting_id).values_list("pk", flat=True))
