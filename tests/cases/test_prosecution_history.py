"""The history of a case's prosecution fields starts when the case is entered: a referral or
charges entered with a new case are recorded with the day they were entered, as later changes
are, so the agenda and the cover read prosecution follow-through from one history."""

from __future__ import annotations

import pytest

from cases.models import Shooting, ShootingChange

from .test_case_forms import new_case_data

pytestmark = pytest.mark.django_db


def test_a_case_entered_with_a_referral_and_charges_starts_its_history_with_them(client_for, investigator):
    data = new_case_data(referred_to="state", charges_filed="Assault in the first degree", custody_status="in_custody")

    client_for(investigator).post("/cases/new/", data)

    shooting = Shooting.objects.get(report_number="RB25-004101")
    [change] = ShootingChange.objects.filter(shooting=shooting)
    assert change.changes == {
        "referred_to": ["", "State prosecutor"],
        "charges_filed": ["", "Assault in the first degree"],
        "custody_status": ["", "In custody"],
    }
    assert (change.changed_by, change.reason) == (investigator, "Entered with the case")
    html = client_for(investigator).get(f"/cases/{shooting.pk}/").content.decode()
    assert "Entered with the case" in html


def test_a_case_entered_without_prosecution_has_no_history_yet(client_for, investigator):
    client_for(investigator).post("/cases/new/", new_case_data())

    assert Shooting.objects.filter(report_number="RB25-004101").exists()
    assert not ShootingChange.objects.exists()
