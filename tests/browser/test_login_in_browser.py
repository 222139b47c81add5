from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_investigator_logs_in_and_sees_name_and_agency_in_the_header(login_page, investigator):
    page = login_page(investigator)
    header = page.get_by_role("banner")
    assert "Dana Whitfield" in header.inner_text()
    assert "Riverbend Metropolitan Police Department" in header.inner_text()
    assert page.url.endswith("/cases/")


def test_wrong_password_shows_a_message_in_the_browser(login_page, investigator):
    page = login_page(investigator, password="not the password")
    assert "Please enter a correct username and password" in page.content()
    assert page.get_by_label("Username").input_value() == investigator.username
