"""My items: a person's open action items (overdue marked), closed with a note; coordinators
also see everyone's open items by agency or assignee, and close them there. Each item also has a
page of its own, where the mail about it leads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from cases.access import shootings_visible_to
from cases.focus import focus_first_error, status_region

from .. import services
from ..access import access_action_item, access_meetings, can_complete_action_item, can_run_meetings
from ..forms import ActionItemFilterForm, DoneForm
from ..models import ActionItem
from .minutes import render_minutes

DONE_SHOWN = 20
ALL_PER_PAGE = 50


# Where a "done" form was posted from, so that an error comes back on that page, next to the
# field, and success returns there.
FROM_MINE, FROM_EVERYONE, FROM_MINUTES, FROM_ITEM = "", "all", "minutes", "item"


def _done_form(item: ActionItem, back: str, data=None) -> DoneForm:
    # My item can be listed twice on a coordinator's page (mine, and everyone's): ids stay unique.
    auto_id = f"id_all_done_{item.pk}_%s" if back == FROM_EVERYONE else None
    return DoneForm(data, item_id=item.pk, **({"auto_id": auto_id} if auto_id else {}))


def _with_forms(items: list[ActionItem], bound: DoneForm | None = None, bound_pk: int | None = None):
    for item in items:
        item.done_form = bound if item.pk == bound_pk else DoneForm(item_id=item.pk)
    return items


def _closable(items: list[ActionItem], user, bound: DoneForm | None, bound_pk: int | None) -> None:
    """Marks the items `user` may close (meetings.access decides); the form that came back with
    an error goes with its item, the others are plain HTML in the template."""
    for item in items:
        item.can_close = can_complete_action_item(user, item)
        item.close_form = bound if item.pk == bound_pk else None


def _page_context(
    request: HttpRequest, bound: DoneForm | None = None, bound_pk: int | None = None, back: str = FROM_MINE
) -> dict:
    user = request.user
    related = ("meeting", "shooting", "agency")
    mine = ActionItem.objects.filter(assignee=user).select_related(*related)
    open_items = _with_forms(list(mine.open().order_by("due_on", "id")), bound if back == FROM_MINE else None, bound_pk)
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
        page.object_list = list(page.object_list)
        _closable(page.object_list, user, bound if back == FROM_EVERYONE else None, bound_pk)
        # The page links keep the filters, and only them.
        filter_query = urlencode({name: request.GET[name] for name in ("agency", "assignee") if request.GET.get(name)})
        context.update(filters=filters, all_page=page, query=request.GET.urlencode(), filter_query=filter_query)
        shown = shown + page.object_list
    ids = {item.shooting_id for item in shown if item.shooting_id}
    context["visible_case_ids"] = (
        set(shootings_visible_to(user).filter(pk__in=ids).order_by().values_list("pk", flat=True)) if ids else set()
    )
    # The action items of these cases are on the page: each case goes on the request's audit row.
    audit.showed_cases(request, context["visible_case_ids"])
    return context


def my_items(request: HttpRequest) -> HttpResponse:
    access_meetings(request.user, request, page="action items")
    return render(request, "meetings/my_items.html", _page_context(request))


@require_POST
def action_item_done(request: HttpRequest, action_pk: int) -> HttpResponse:
    """Close an item with a note, from My items, everyone's open items (the query string keeps
    their filters and page) or a meeting's minutes (`back`)."""
    item = access_action_item(request.user, action_pk, request)
    back = request.POST.get("back", FROM_MINE)
    if back not in {FROM_EVERYONE, FROM_MINUTES, FROM_ITEM} or (back == FROM_MINUTES and not item.meeting_id):
        back = FROM_MINE
    form = _done_form(item, back, request.POST)
    if form.is_valid():
        try:
            item = services.complete_action_item(item, request.user, form.cleaned_data["note"])
        except services.AlreadyDone:
            item.refresh_from_db()
            messages.info(request, "That item was already done.")
        else:
            messages.success(request, f"Done: {item.description}")
        if request.htmx:
            # The item takes the focus its form had; the message is announced by the status region.
            html = render_to_string("meetings/my_items.html#done_item", {"item": item, "just_done": True}, request)
            return HttpResponse(html + status_region(request))
        if back == FROM_MINUTES:
            return redirect(reverse("meetings:minutes", args=[item.meeting_id]) + f"#minutes-action-{item.pk}")
        if back == FROM_ITEM:
            return redirect("meetings:action_item", item.pk)
        if back == FROM_EVERYONE:
            query = request.GET.urlencode()
            return redirect(reverse("meetings:my_items") + (f"?{query}" if query else "") + "#all-heading")
        return redirect("meetings:my_items")
    if request.htmx:
        item.done_form = focus_first_error(form)
        context = {"item": item, "today": timezone.localdate(), "visible_case_ids": _visible(request.user, item)}
        return render(request, "meetings/my_items.html#open_item", context)
    if back == FROM_MINUTES:
        return render_minutes(request, item.meeting, bound=form, bound_pk=item.pk)
    if back == FROM_ITEM:
        return _render_item(request, item, form)
    return render(request, "meetings/my_items.html", _page_context(request, bound=form, bound_pk=item.pk, back=back))


@require_GET
def action_item(request: HttpRequest, action_pk: int) -> HttpResponse:
    """One action item, for its assignee (or a coordinator): where the mail about it leads after
    signing in. Reading it changes nothing; its form marks the item done (action_item_done)."""
    item = access_action_item(request.user, action_pk, request)
    return _render_item(request, item, None)


def _render_item(request: HttpRequest, item: ActionItem, form: DoneForm | None) -> HttpResponse:
    visible = _visible(request.user, item)
    audit.showed_cases(request, visible)
    context = {
        "nav": "my_items",
        "item": item,
        "form": form or DoneForm(item_id=item.pk),
        "today": timezone.localdate(),
        "visible_case_ids": visible,
        "back": FROM_ITEM,
    }
    return render(request, "meetings/action_item.html", context)


def _visible(user, item: ActionItem) -> set[int]:
    if not item.shooting_id:
        return set()
    return set(shootings_visible_to(user).filter(pk=item.shooting_id).values_list("pk", flat=True))
