"""CSV import of shootings: our documented template (`template`) and the Kansas City Police
open-data CSV (`kcpd`).

One entry point, `import_shootings`, used by the upload page and the `import_shootings` command.
It reads the whole file, validates every row, compares with what is stored (one bulk look-up by
report number) and only then writes, inside one transaction, through cases.services. One bad row
and nothing is written; a dry run stops before writing. Importing the same file twice changes
nothing, so an import can be re-run safely whenever the records system exports again.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from .. import access, services
from ..display import shooting_value_text
from ..models import Shooting, Victim
from . import kcpd, template
from .common import (
    FORMAT_AUTO,
    FORMAT_KCPD,
    FORMAT_TEMPLATE,
    ImportReport,
    Outcome,
    ParsedShooting,
    RowError,
    decode,
    detect_format,
    read_table,
)
from .people import report_people

IMPORT_REASON = "CSV import"
# SQLite refuses statements with too many parameters; PostgreSQL is happy either way.
LOOKUP_CHUNK = 500
# The module reading each format: its COLUMNS (known column keys) and parse(table, now).
READERS = {FORMAT_KCPD: kcpd, FORMAT_TEMPLATE: template}


# --- Comparing with what is stored and writing ------------------------------------------------


def _same(old, new) -> bool:
    if old is None or new is None:
        return (old in (None, "")) and (new in (None, ""))
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return Decimal(str(old)) == Decimal(str(new))
    return old == new


def _validate(item: ParsedShooting) -> list[RowError]:
    """Model validation of every value before anything is written, so that a bad value in the
    last report cannot leave the first ones half imported. No queries."""
    errors = []
    shooting = Shooting(**{**item.create_only, **item.data})
    try:
        shooting.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.extend(RowError(item.line, f"{name}: {message}") for message in messages)
    for victim in item.victims:
        try:
            fields = {key: value for key, value in victim.items() if key != "date_of_birth"}  # the person's
            Victim(**fields).full_clean(exclude=["shooting"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(RowError(item.line, f"victim {victim['name']}: {name}: {m}") for m in messages)
    return errors


def _existing(user: User, numbers: list[str]) -> dict[str, Shooting]:
    found: dict[str, Shooting] = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        for shooting in access.shootings_visible_to(user).filter(report_number__in=chunk).prefetch_related("victims"):
            found[shooting.report_number] = shooting
    return found


def _plan(item: ParsedShooting, current: Shooting | None) -> tuple[Outcome, dict, list[dict]]:
    """The outcome for one report, the fields to change and the victims to add."""
    if current is None:
        outcome = Outcome(
            item.report_number,
            item.line,
            "created",
            victims_added=[v["name"] for v in item.victims],
            remarks=list(item.remarks),
        )
        return outcome, {**item.create_only, **item.data}, item.victims
    outcome = Outcome(item.report_number, item.line, "unchanged", shooting_id=current.pk, remarks=list(item.remarks))
    changed: dict = {}
    for name, new in item.data.items():
        old = getattr(current, name)
        if name == "kind" and old == Shooting.Kind.HOMICIDE and new != old:
            # The case may have become a homicide here (a victim's death was recorded) before the
            # records system caught up; an import must not undo that every week.
            outcome.remarks.append("kind kept as homicide (an import never downgrades a homicide)")
            continue
        if not _same(old, new):
            changed[name] = new
            outcome.changes[name] = (shooting_value_text(name, old), shooting_value_text(name, new))
    stored = {victim.name.lower(): victim for victim in current.victims.all()}
    new_victims = []
    for victim in item.victims:
        existing = stored.get(victim["name"].lower())
        if existing is None:
            new_victims.append(victim)
            continue
        differs = [key for key in ("age", "is_juvenile", "sex", "injury") if getattr(existing, key) != victim[key]]
        if differs:
            outcome.remarks.append(
                f"victim {existing.name}: {', '.join(differs)} differ from the file; kept as recorded here"
            )
    outcome.victims_added = [v["name"] for v in new_victims]
    if changed or new_victims:
        outcome.action = "updated"
    return outcome, changed, new_victims


def import_shootings(
    content: bytes | str, user: User, *, fmt: str = FORMAT_AUTO, dry_run: bool = False
) -> ImportReport:
    """Read, validate, compare and (unless `dry_run` or anything is wrong) write, all or nothing.

    Raises ImportFileError when the file cannot be read at all; every problem with a row is an
    error in the report, with its line number."""
    text = decode(content) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    table = read_table(text)
    if fmt == FORMAT_AUTO:
        fmt = detect_format(table.header)
    reader = READERS[fmt]
    report = ImportReport(format=fmt, dry_run=dry_run, rows=len(table.rows))
    report.ignored_columns = [key for key in table.header if key and key not in reader.COLUMNS]

    now = timezone.now()
    parsed, skipped, errors = reader.parse(table, now)
    report.errors = errors
    for item in parsed:
        report.errors.extend(_validate(item))
    if report.errors:
        report.errors.sort(key=lambda error: error.line or 0)
        return report

    existing = _existing(user, [item.report_number for item in parsed])
    plans = [(item, *_plan(item, existing.get(item.report_number))) for item in parsed]
    report.outcomes = sorted([plan[1] for plan in plans] + skipped, key=lambda outcome: outcome.line)
    if dry_run:
        return report
    item = None
    try:
        with transaction.atomic():
            for item, outcome, changed, new_victims in plans:
                _write(outcome, changed, new_victims, existing.get(item.report_number), user)
    except services.EditConflict:
        report.errors.append(
            RowError(
                item.line,
                f"report {item.report_number} was changed by someone else during the import; "
                "nothing was imported — run the import again",
            )
        )
    except ValidationError as exc:
        report.errors.append(RowError(item.line, f"report {item.report_number}: {'; '.join(exc.messages)}"))
    except IntegrityError:
        # Someone saved the same report number between our look-up and our insert.
        report.errors.append(
            RowError(
                item.line,
                f"report {item.report_number} was just saved by someone else; nothing was imported — run it again",
            )
        )
    if report.errors:
        # Rolled back: the outcomes would describe cases that do not exist.
        report.outcomes = []
        return report
    report_people(report, user, [outcome for item, outcome, *_ in plans if item.victims_named])
    return report


def _write(outcome: Outcome, changed: dict, new_victims: list[dict], current: Shooting | None, user: User) -> None:
    if outcome.action == "created":
        shooting = services.create_shooting(user, changed, victims=new_victims)
        outcome.shooting_id = shooting.pk
        return
    if outcome.action != "updated":
        return
    shooting = current
    if changed:
        shooting = services.update_shooting(
            current, user, changed, expected_version=current.version, reason=IMPORT_REASON
        )
    for victim in new_victims:
        services.add_victim(shooting, user, victim)
