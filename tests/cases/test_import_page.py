"""The upload page: who may use it, preview → confirm, import at once, errors, limits, cost."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.importers.common import MAX_UPLOAD_BYTES
from cases.models import Shooting, ShootingChange

pytestmark = pytest.mark.django_db

URL = "/cases/import/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEMPLATE_HEADER = "report_number,kind,occurred_from,address,summary,victim_name"


def upload(content: bytes | str, name: str = "week.csv") -> SimpleUploadedFile:
    raw = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def post(client, action: str, content: bytes | str, fmt: str = "auto", **extra):
    return client.post(URL, {"action": action, "format": fmt, "file": upload(content)}, **extra)


def confirm_token(html: str) -> str:
    return re.search(r'name="payload" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("persona", ["coordinator", "supervisor"])
def test_coordinators_and_supervisors_get_the_upload_page(client_for, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "Preview (dry run)" in html and ">Import</button>" in html
    assert "at most 5 MB" in html
    assert 'href="/static/samples/shootings-template.csv"' in html
    # Every column of both formats is documented on the page.
    for column in ["report_number", "victim_injury", "flags", "Firearm Used Flag", "Invl_No", "DVFlag", "Location"]:
        assert f"<code>{column}</code>" in html


@pytest.mark.parametrize("persona", ["investigator", "advocate", "atf_agent", "prosecutor", "outsider"])
def test_everyone_else_gets_not_found_and_cannot_post_either(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 404
    assert post(client, "import", (FIXTURES / "kcpd_2019.csv").read_bytes()).status_code == 404
    assert not Shooting.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_upload_page_costs_a_fixed_number_of_queries(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    # session, user, agency (header and can_import), the audit row (last hash, insert)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_preview_cost_does_not_grow_with_the_number_of_reports(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    lines = [TEMPLATE_HEADER] + [f"RB{n:04d},nonfatal,2026-09-01 20:00,{n} Elm St,,Avery Stroud {n}" for n in range(40)]
    post(client, "import", "\n".join(lines))
    changed = "\n".join(line.replace("Elm St", "Elm Street") for line in lines)

    # session, user, savepoint, agency, the existing shootings by report number, their victims,
    # the audit row (insert; on SQLite the last hash first), release savepoint
    with django_assert_max_num_queries(10):
        response = post(client, "preview", changed)
    assert response.content.decode().count("updated: fields address") == 40


def test_preview_shows_what_would_happen_writes_nothing_and_confirm_imports_it(client_for, coordinator):
    client = client_for(coordinator)

    preview = post(client, "preview", (FIXTURES / "kcpd_2019.csv").read_bytes())

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview of week.csv: nothing has been written yet" in html
    assert "Read as KCPD open data: 11 rows." in html
    assert "<li>3 created</li>" in html and "<li>2 skipped</li>" in html
    assert "skipped: not a firearm 09A/13A row (IBRS 120)" in html
    assert "Columns not used: computed_region_9t2m_phkm." in html
    assert not Shooting.objects.exists()

    done = client.post(URL, {"action": "confirm", "payload": confirm_token(html)})

    assert done.status_code == 200
    assert "Imported week.csv" in done.content.decode()
    assert Shooting.objects.count() == 3
    homicide = Shooting.objects.get(report_number="KC19000102")
    assert homicide.created_by == coordinator
    assert f'href="/cases/{homicide.pk}/">KC19000102</a>' in done.content.decode()


def test_a_tampered_confirmation_is_refused_and_imports_nothing(client_for, coordinator):
    client = client_for(coordinator)
    token = confirm_token(post(client, "preview", (FIXTURES / "kcpd_2019.csv").read_bytes()).content.decode())
    tampered = token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8)

    response = client.post(URL, {"action": "confirm", "payload": tampered})

    assert response.status_code == 400
    assert "This confirmation was altered or is more than an hour old, so nothing was imported." in (
        response.content.decode()
    )
    assert not Shooting.objects.exists()


def test_a_confirmation_made_for_someone_else_is_refused(client_for, coordinator, supervisor):
    token = confirm_token(
        post(client_for(supervisor), "preview", (FIXTURES / "kcpd_2019.csv").read_bytes()).content.decode()
    )

    response = client_for(coordinator).post(URL, {"action": "confirm", "payload": token})

    assert response.status_code == 400
    assert not Shooting.objects.exists()


def test_import_writes_at_once_and_a_second_preview_offers_nothing_to_confirm(client_for, coordinator):
    client = client_for(coordinator)
    raw = (FIXTURES / "template_riverbend.csv").read_bytes()

    response = post(client, "import", raw)

    assert "Imported week.csv" in response.content.decode()
    assert Shooting.objects.count() == 3
    again = post(client, "preview", raw).content.decode()
    assert "<li>3 unchanged</li>" in again
    assert "Nothing would change." in again
    assert 'name="payload"' not in again
    assert not ShootingChange.objects.exists()


def test_errors_are_listed_with_their_lines_and_nothing_is_imported(client_for, coordinator):
    content = "\n".join(
        [
            TEMPLATE_HEADER,
            "RB0001,nonfatal,2026-09-01 20:00,1 Elm St,,Avery Stroud",
            "RB0002,homicde,2026-09-01 20:00,2 Elm St,,",
            "RB0003,nonfatal,9/31/2026 20:00,3 Elm St,,",
        ]
    )

    response = post(client_for(coordinator), "import", content)

    html = response.content.decode()
    assert "Nothing was imported from week.csv" in html
    assert "<li>line 3: kind: “homicde” is not one of homicide, nonfatal, shots_fired</li>" in html
    assert "<li>line 4: occurred_from: “9/31/2026 20:00” is not a date and time" in html
    assert not Shooting.objects.exists()


def test_a_file_over_the_limit_is_refused_beside_the_field(client_for, coordinator):
    big = TEMPLATE_HEADER + "\n" + "x" * MAX_UPLOAD_BYTES

    response = post(client_for(coordinator), "preview", big)

    html = response.content.decode()
    assert f"The file is 5 MB ({len(big):,} bytes); the limit is 5 MB (5,242,880 bytes)." in html
    assert 'class="field-errors"' in html
    assert "Preview of" not in html


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(client_for, coordinator):
    content = f"{TEMPLATE_HEADER}\nRB1,nonfatal,2026-09-01 20:00,Rue Hélène,,\n".encode("cp1252")

    response = post(client_for(coordinator), "import", content)

    assert "The file is not UTF-8 text (first bad byte on line 2)" in response.content.decode()
    assert not Shooting.objects.exists()


def test_a_file_in_neither_format_is_refused_beside_the_field(client_for, coordinator):
    response = post(client_for(coordinator), "preview", "when,where\ntoday,here\n")

    assert "The format cannot be told from the header row" in response.content.decode()


def test_chosen_format_is_kept_for_the_next_upload(client_for, coordinator):
    response = post(client_for(coordinator), "preview", (FIXTURES / "kcpd_2019.csv").read_bytes(), fmt="kcpd")

    assert re.search(r'<option value="kcpd" selected>', response.content.decode())


def test_values_from_the_file_are_escaped(client_for, coordinator):
    content = f'{TEMPLATE_HEADER}\n"RB<script>1",nonfatal,2026-09-01 20:00,1 Elm St,,\n'

    html = post(client_for(coordinator), "preview", content).content.decode()

    assert "RB&lt;script&gt;1" in html
    assert "RB<script>1" not in html


def test_htmx_request_gets_only_the_upload_area(client_for, coordinator):
    response = post(
        client_for(coordinator), "preview", (FIXTURES / "kcpd_2019.csv").read_bytes(), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-area">')
    assert "<html" not in html and "Preview of week.csv" in html
    assert "HX-Request" in response["Vary"]


def test_page_has_no_inline_script_and_nothing_from_outside(client_for, coordinator):
    html = client_for(coordinator).get(URL).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert 'for="id_file"' in html and 'for="id_format"' in html
