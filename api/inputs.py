"""Reading a request body or query string through the app's own forms, so that the API checks
input exactly as the pages do (accounts.inputs: control characters, date bounds, whole numbers;
each form's own rules). What a form does not offer is refused by name rather than dropped."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from .errors import InvalidInput, form_errors

UNKNOWN_FIELD = "Unknown field: this request does not take it."
ONE_VALUE = "Send a single value (text, a number or true/false), not a list or an object."


def body(request) -> dict:
    """The JSON object (or form data) the client sent."""
    data = request.data
    if isinstance(data, QueryDict):
        return {key: data.get(key) for key in data}
    if not isinstance(data, dict):
        raise InvalidInput({}, "Send a JSON object.")
    return dict(data)


def form_data(data: dict, fields, *, multi: frozenset[str] = frozenset()) -> dict:
    """`data` checked against the names a form takes: unknown names and nested values are field
    errors. JSON null means "empty", like a blank form field."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for key, value in data.items():
        if key not in fields:
            errors[str(key)[:100]] = [UNKNOWN_FIELD]
        elif key in multi:
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
                errors[key] = ["Send a list of text values."]
            else:
                clean[key] = [str(v) for v in values]
        elif isinstance(value, list | dict):
            errors[key] = [ONE_VALUE]
        elif value is None:
            clean[key] = ""
        else:
            clean[key] = value
    if errors:
        raise InvalidInput(errors)
    return clean


class _MultiDict(dict):
    """A dict that Django's multiple-choice widgets can read lists from."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


def valid_form(form_class: type[forms.BaseForm], data: dict, **kwargs) -> forms.BaseForm:
    """`form_class` bound to `data` (already passed through form_data), valid; InvalidInput else."""
    form = form_class(_MultiDict(data), **kwargs)
    if not form.is_valid():
        raise InvalidInput(form_errors(form))
    return form


def query(request, fields, *, multi: frozenset[str] = frozenset(), ignore=("page", "format")) -> dict:
    """The query string as form data, refusing unknown parameters."""
    params = request.query_params
    data = {}
    for key in params:
        if key in ignore:
            continue
        values = params.getlist(key)
        data[key] = values if key in multi else values[-1]
    return form_data(data, fields, multi=multi)
