"""The fictional demo agencies and people, as plain data (no Django import), so that the
`make run` supervisor can print the logins before Django is set up. Every name is invented."""

from __future__ import annotations

AGENCIES = [
    {"code": "RBPD", "name": "Riverbend Metropolitan Police Department", "kind": "police"},
    {"code": "ATF-RB", "name": "ATF Riverbend Field Office", "kind": "federal"},
    {"code": "RCPO", "name": "Riverbend County Prosecutor's Office", "kind": "prosecutor"},
    {"code": "HLAC", "name": "Harbor Light Advocacy Center", "kind": "advocacy"},
]

USERS = [
    {
        "username": "investigator",
        "first_name": "Dana",
        "last_name": "Whitfield",
        "agency": "RBPD",
        "role": "investigator",
        "title": "Investigator",
    },
    {
        "username": "atf",
        "first_name": "Marcus",
        "last_name": "Ortelli",
        "agency": "ATF-RB",
        "role": "federal_agent",
        "title": "Federal agent",
    },
    {
        "username": "prosecutor",
        "first_name": "Priya",
        "last_name": "Castellane",
        "agency": "RCPO",
        "role": "prosecutor",
        "title": "Prosecutor",
    },
    {
        "username": "advocate",
        "first_name": "Jordan",
        "last_name": "Kessley",
        "agency": "HLAC",
        "role": "victim_advocate",
        "title": "Victim advocate",
    },
    {
        "username": "coordinator",
        "first_name": "Renee",
        "last_name": "Talmadge",
        "agency": "RBPD",
        "role": "coordinator",
        "title": "Coordinator",
    },
    {
        "username": "supervisor",
        "first_name": "Leon",
        "last_name": "Marchetti",
        "agency": "RBPD",
        "role": "supervisor",
        "title": "Supervisor",
    },
]

ADMIN_USERNAME = "admin"


def demo_logins() -> list[tuple[str, str]]:
    """(username, what they are) for the start-up banner and the seed command."""
    rows = [(u["username"], f"{u['title']}, {u['agency']}") for u in USERS]
    rows.append((ADMIN_USERNAME, "Administrator (Django admin)"))
    return rows
