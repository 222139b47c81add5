"""New case and edit case: plain POST forms; saving goes through cases.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone

from accounts.audit import annotate

from .. import access, services
from ..forms import ShootingForm, VictimFormSet
from ..models import Shooting


def _add_service_errors(form: ShootingForm, error: ValidationError) -> None:
    """A rule the model checks again at save time (say, a report number taken a moment ago)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def case_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.access_new_shooting(user, request)
    adding_row = False
    if request.method == "POST":
        form = ShootingForm(request.POST)
        victims = VictimFormSet(request.POST, prefix="victims")
        if "add_victim" in request.POST:
            victims, adding_row = victims.with_another_row(), True
        elif form.is_valid() & victims.is_valid():  # both, so every error shows at once
            try:
                shooting = services.create_shooting(
                    user,
                    form.shooting_data(),
                    victims=victims.victims(),
                    partner_agencies=form.cleaned_data["partner_agencies"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            except IntegrityError:
                # Two people saved the same report number at the same instant; the loser is told.
                if not Shooting.objects.filter(report_number=form.cleaned_data["report_number"]).exists():
                    raise
                form.add_error("report_number", "Another case was just saved with this report number.")
            else:
                annotate(request, object_type="shooting", object_id=shooting.pk, case_id=shooting.pk)
                messages.success(request, f"Case {shooting.report_number} was created.")
                return redirect(shooting)
    else:
        form = ShootingForm()
        victims = VictimFormSet(prefix="victims")
    return render(
        request,
        "cases/case_form.html",
        {"nav": "cases", "form": form, "victims": victims, "quiet": adding_row, "shooting": None},
    )


def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shooting = access.access_shooting_to_edit(user, pk, request)
    # The form writes what was typed onto its instance while validating; the heading keeps the saved number.
    report_number = shooting.report_number
    if request.method == "POST":
        form = ShootingForm(request.POST, instance=shooting)
        if form.is_valid():
            try:
                updated = services.update_shooting(
                    shooting,
                    user,
                    form.shooting_data(),
                    expected_version=form.cleaned_data["version"],
                    partner_agencies=form.cleaned_data["partner_agencies"],
                )
            except services.EditConflict as conflict:
                last = conflict.current.changes.first()
                saved_by = (
                    f"{last.changed_by_name} at {formats.date_format(timezone.localtime(last.changed_at), 'Y-m-d H:i')}"
                    if last
                    else ""
                )
                form.show_conflict(conflict.current, saved_by)
                annotate(request, detail={"edit_conflict": True})
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"Case {updated.report_number} was saved.")
                return redirect(updated)
    else:
        form = ShootingForm(instance=shooting, initial={"version": shooting.version})
    return render(
        request,
        "cases/case_form.html",
        {
            "nav": "cases",
            "form": form,
            "victims": None,
            "quiet": False,
            "shooting": shooting,
            "report_number": report_number,
        },
    )
