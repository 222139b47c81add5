"""The forms and filters of the app, found the way a person finds them: every page of every URL
pattern (read from the URL resolver by sweep_data), fetched as each persona, and every <form> on
it read for its action, method and fields, and every link's query string read for the filter
parameters it sets. A form or filter added to a page later is found without anyone listing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import Resolver404, resolve

from tests.security import sweep_data

# Routes whose answers are files, not pages with forms; fetching them (a PDF is drawn in about a
# second) would find nothing.
FILE_ROUTES = {"meetings:agenda_pdf", "meetings:minutes_pdf", "meetings:ics", "meetings:feed", "cases:export"}
FILE_ROUTES |= {"audit_export", "logout"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # an <input> type, "select", "select-multiple" or "textarea"
    value: str  # as the page filled it in
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageForm:
    """One form as a page draws it: where it goes, how, and what it sends."""

    route: str  # the URL pattern name of its action, e.g. "cases:add_note"
    action: str
    method: str  # "get" or "post"
    fields: tuple[Field, ...]
    multipart: bool = False

    @property
    def key(self) -> tuple:
        """Forms alike but for their object (each agenda item's outcome form, with its item's id
        in its field names) share a key."""
        names = {re.sub(r"\d+", "#", f.name) for f in self.fields}
        return (self.route, self.method, tuple(sorted(names)))


@dataclass
class _Parsed:
    forms: list[PageForm] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.found = _Parsed()
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.found.links.append(urljoin(self.page_url, a["href"]))
        if tag == "form":
            self._form = {
                "action": urljoin(self.page_url, a.get("action") or self.page_url),
                "method": (a.get("method") or "get").lower(),
                "multipart": a.get("enctype") == "multipart/form-data",
                "fields": [],
            }
        if self._form is None or not a.get("name"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image", "reset", "button"}:
                return
            self._form["fields"].append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form["fields"].append(Field(a["name"], "button", a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": [], "value": ""}
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "text": ""}

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append(Field(self._textarea["name"], "textarea", self._textarea["text"]))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            kind = "select-multiple" if self._select["multiple"] else "select"
            options = tuple(self._select["options"])
            self._form["fields"].append(Field(self._select["name"], kind, options[0] if options else "", options))
            self._select = None
        elif tag == "form" and self._form is not None:
            route = _route_of(self._form["action"])
            if route:
                self.found.forms.append(
                    PageForm(
                        route,
                        self._form["action"],
                        self._form["method"],
                        tuple(self._form["fields"]),
                        self._form["multipart"],
                    )
                )
            self._form = None

    def unknown_decl(self, data):  # pragma: no cover - nothing of ours uses one
        pass

    def handle_option(self, value: str):
        if self._select is not None:
            self._select["options"].append(value)


class _OptionAwareParser(_FormParser):
    """<option> without a value sends its text; ours always carry a value."""

    def handle_starttag(self, tag, attrs):
        if tag == "option":
            self.handle_option(dict(attrs).get("value") or "")
            return
        super().handle_starttag(tag, attrs)


def _route_of(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return ""
    return match.view_name


def parse(html: str, page_url: str) -> _Parsed:
    parser = _OptionAwareParser(page_url)
    parser.feed(html)
    return parser.found


@dataclass
class Discovered:
    forms: dict[tuple, PageForm] = field(default_factory=dict)  # one of each kind of form
    # Query-string parameters that links set on each GET route: {route: {path: {name: {values}}}}
    filters: dict[str, dict[str, dict[str, set[str]]]] = field(default_factory=dict)
    personas: dict[tuple, set[str]] = field(default_factory=dict)  # who was shown each form


# Pages of one pattern differ by their object (a note, a victim, a meeting); a few of each show
# every form the pattern's pages have (the sweep data's objects come in every kind and state).
URLS_PER_ROUTE = 4


def discover(client, world, personas) -> Discovered:
    """Every form and filter link on the pages the personas are shown (a few pages per URL
    pattern, as full pages; files are skipped)."""
    found = Discovered()
    for persona in personas:
        client.force_login(world.users[persona])
        for route in sweep_data.all_routes():
            if route.name in FILE_ROUTES:
                continue
            urls = sweep_data.urls_for(route, world, persona, queries=False)
            # Spread over the objects: the sweep lists them per kind (notes of every kind...).
            step = max(1, len(urls) // URLS_PER_ROUTE)
            for url in urls[::step]:
                response = client.get(url)
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                page_url = "http://testserver" + url
                parsed = parse(response.content.decode(), page_url)
                for form in parsed.forms:
                    found.forms.setdefault(form.key, form)
                    found.personas.setdefault(form.key, set()).add(persona)
                for link in parsed.links:
                    parts = urlsplit(link)
                    name = _route_of(link)
                    if not name or name in FILE_ROUTES - {"cases:export"}:
                        continue
                    params = found.filters.setdefault(name, {}).setdefault(parts.path, {})
                    for key, value in parse_qsl(parts.query, keep_blank_values=True):
                        params.setdefault(key, set()).add(value)
        client.logout()
    return found
