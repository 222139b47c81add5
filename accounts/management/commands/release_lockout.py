"""Release a locked account from the shell, or list who is locked: for when no supervisor or
administrator who could release it on the web can sign in (say, every one of them was locked)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import audit
from accounts.models import User
from accounts.security import locked_users, release_lock

VIA = "manage.py release_lockout"


def _operator() -> str:
    """The shell account running the command, for the audit trail (there is no signed-in user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry, as in some containers
        return ""


class Command(BaseCommand):
    help = (
        "Release the lock on USERNAME after too many failed sign-ins, or list the locked accounts "
        "with --list. Both are recorded in the audit trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", help="The account to release.")
        parser.add_argument("--list", action="store_true", dest="list_locked", help="List the locked accounts.")

    def handle(self, *args, username: str | None = None, list_locked: bool = False, **options) -> None:
        if list_locked == bool(username):
            raise CommandError("Give either the username to release or --list.")
        detail = {"via": VIA, "operator": _operator()}
        if list_locked:
            self._list(detail)
        else:
            self._release(username, detail)

    def _list(self, detail: dict) -> None:
        locked = locked_users()
        audit.record("account.locked_list", object_type="user", detail={**detail, "count": len(locked)})
        if not locked:
            self.stdout.write("No account is locked.")
            return
        for user in locked:
            since = timezone.localtime(user.locked_at).strftime("%Y-%m-%d %H:%M %Z")
            agency = user.agency.name if user.agency else "no agency"
            self.stdout.write(f"{user.username}\t{user.get_full_name() or '-'}\t{agency}\tlocked since {since}")

    def _release(self, username: str, detail: dict) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account named {username!r}.")
        if user.locked_at is None:
            raise CommandError(f"{username} is not locked.")
        release_lock(user, None, detail=detail)
        self.stdout.write(self.style.SUCCESS(f"{username} can sign in again (recorded in the audit trail)."))
