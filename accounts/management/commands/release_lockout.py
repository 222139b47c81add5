"""Release a locked account from the shell, or list who is locked: for when no supervisor or
administrator who could release it on the web can sign in (say, every one of them was locked).
Also lists and releases addresses paused by the sign-in throttle (an office network whose shared
address was paused, say), which nobody can release on the web."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import audit, throttle
from accounts.addresses import network_key, parse_ip
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
        "and the addresses the sign-in throttle refuses with --list; --address releases such an "
        "address. Each is recorded in the audit trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", help="The account to release.")
        parser.add_argument(
            "--list", action="store_true", dest="list_locked", help="List the locked accounts and paused addresses."
        )
        parser.add_argument("--address", help="Release this address (as --list shows it) from the sign-in throttle.")

    def handle(
        self, *args, username: str | None = None, list_locked: bool = False, address: str | None = None, **options
    ) -> None:
        if [bool(username), list_locked, bool(address)].count(True) != 1:
            raise CommandError("Give either the username to release, --list or --address.")
        detail = {"via": VIA, "operator": _operator()}
        if list_locked:
            self._list(detail)
        elif address:
            self._release_address(address, detail)
        else:
            self._release(username, detail)

    def _list(self, detail: dict) -> None:
        locked = locked_users()
        paused = throttle.paused_addresses()
        audit.record(
            "account.locked_list", object_type="user", detail={**detail, "count": len(locked), "addresses": len(paused)}
        )
        if not locked:
            self.stdout.write("No account is locked.")
        for user in locked:
            since = timezone.localtime(user.locked_at).strftime("%Y-%m-%d %H:%M %Z")
            agency = user.agency.name if user.agency else "no agency"
            self.stdout.write(f"{user.username}\t{user.get_full_name() or '-'}\t{agency}\tlocked since {since}")
        for key, refused in paused:
            minutes = -(-refused.retry_after // 60)
            self.stdout.write(f"address {key}\tsign-in paused for {minutes} more minutes")

    def _release_address(self, text: str, detail: dict) -> None:
        address = parse_ip(text)
        key = network_key(address) if address is not None else text.strip()
        if key not in {k for k, _ in throttle.paused_addresses()}:
            raise CommandError(f"{text} is not paused (release_lockout --list shows the paused addresses).")
        throttle.release_address(key, detail)
        self.stdout.write(self.style.SUCCESS(f"{key} may sign in again (recorded in the audit trail)."))

    def _release(self, username: str, detail: dict) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account named {username!r}.")
        if user.locked_at is None:
            raise CommandError(f"{username} is not locked.")
        release_lock(user, None, detail=detail)
        self.stdout.write(self.style.SUCCESS(f"{username} can sign in again (recorded in the audit trail)."))
