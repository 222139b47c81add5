"""The people of the tests: the partner agencies at the table and one person of each role, plus
an investigator of another police agency (the outsider) and an advocate of a second advocacy
agency. Every name is fictional.

Plain functions, so that the per-test fixtures of tests/conftest.py and the security sweep's
module-wide world (tests/security/sweep_data.py) make the same people. The sweep makes its own
copy under a namespace, so a test that also asks for a per-test persona never gets the sweep's
person back.
"""

from __future__ import annotations

from accounts.models import Agency, User

from .factories import AgencyFactory, UserFactory

# key: (short code, name, kind)
AGENCIES = {
    "police": ("RBPD", "Riverbend Metropolitan Police Department", Agency.Kind.POLICE),
    "atf": ("ATF-RB", "ATF Riverbend Field Office", Agency.Kind.FEDERAL),
    "prosecutor": ("RCPO", "Riverbend County Prosecutor's Office", Agency.Kind.PROSECUTOR),
    "advocacy": ("HLAC", "Harbor Light Advocacy Center", Agency.Kind.VICTIM_ADVOCACY),
    "other_police": ("LCSO", "Lakeshore County Sheriff's Office", Agency.Kind.POLICE),
    "advocacy2": ("CRFS", "Cedar Row Family Safety Alliance", Agency.Kind.VICTIM_ADVOCACY),
}

# key: (username, first name, last name, agency key, role)
PERSONAS = {
    "investigator": ("det_whitfield", "Dana", "Whitfield", "police", User.Role.INVESTIGATOR),
    "atf_agent": ("sa_ortelli", "Marcus", "Ortelli", "atf", User.Role.FEDERAL_AGENT),
    "prosecutor": ("apa_castellane", "Priya", "Castellane", "prosecutor", User.Role.PROSECUTOR),
    "advocate": ("adv_kessley", "Jordan", "Kessley", "advocacy", User.Role.VICTIM_ADVOCATE),
    "coordinator": ("an_talmadge", "Renee", "Talmadge", "police", User.Role.COORDINATOR),
    "supervisor": ("sgt_marchetti", "Leon", "Marchetti", "police", User.Role.SUPERVISOR),
    "outsider": ("dep_halvorsen", "Kit", "Halvorsen", "other_police", User.Role.INVESTIGATOR),
    "advocate2": ("adv_penhallow", "Saoirse", "Penhallow", "advocacy2", User.Role.VICTIM_ADVOCATE),
}


def make_agency(key: str, *, namespace: str = "") -> Agency:
    """The agency `key` (the same row on every call); under `namespace`, a copy of it with its
    own code and name."""
    code, name, kind = AGENCIES[key]
    if namespace:
        code, name = f"{namespace.upper()}-{code}", f"{name} ({namespace})"
    return AgencyFactory(code=code, name=name, kind=kind)


def make_persona(key: str, *, namespace: str = "") -> User:
    """The person `key`, in their agency (the same row on every call); under `namespace`, a copy
    of them in the namespaced copy of their agency."""
    username, first, last, agency, role = PERSONAS[key]
    return UserFactory(
        username=f"{namespace}_{username}" if namespace else username,
        first_name=first,
        last_name=last,
        agency=make_agency(agency, namespace=namespace),
        role=role,
    )
