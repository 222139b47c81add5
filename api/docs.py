"""The API's documentation as a page of the app, drawn from the OpenAPI schema that
drf-spectacular generates (the same document as /api/v1/schema/): plain HTML under the app's
own stylesheet and content security policy, readable without JavaScript, and printable."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

METHODS = ["get", "post", "put", "patch", "delete"]


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    body_name: str = ""
    responses: list[tuple[str, str]] = field(default_factory=list)


@cache
def schema() -> dict:
    """The schema, generated once per process (it depends on the code only)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "allOf" in spec:
        return " & ".join(_type(part) for part in spec["allOf"])
    if "oneOf" in spec:
        return " or ".join(_type(part) for part in spec["oneOf"])
    kind = spec.get("type", "object")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if "enum" in spec:
        return "one of " + ", ".join(str(v) for v in spec["enum"] if v not in ("", None))
    return f"{kind} ({spec['format']})" if "format" in spec else kind


def _body_fields(component: dict) -> list[Field]:
    required = set(component.get("required", []))
    return [
        Field(name, _type(spec), name in required, spec.get("description", "") or spec.get("title", ""))
        for name, spec in component.get("properties", {}).items()
    ]


def operations() -> list[Operation]:
    doc = schema()
    components = doc.get("components", {}).get("schemas", {})
    found = []
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            entry = Operation(
                method.upper(),
                path,
                op.get("operationId", f"{method}{path}"),
                op.get("summary", ""),
                op.get("description", ""),
            )
            for param in op.get("parameters", []):
                entry.parameters.append(
                    Field(
                        param["name"],
                        f"{param['in']}, {_type(param.get('schema', {}))}",
                        param.get("required", False),
                        param.get("description", ""),
                    )
                )
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = content.get("schema", {}).get("$ref", "")
            if ref:
                entry.body_name = ref.rsplit("/", 1)[-1]
                entry.body = _body_fields(components.get(entry.body_name, {}))
            for code, response in op.get("responses", {}).items():
                entry.responses.append((code, response.get("description", "")))
            found.append(entry)
    return found


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """Queries: none beyond the request's own (the schema is built from the code)."""
    context = {
        "operations": operations(),
        "schema_url": reverse("api:schema"),
        "tokens_url": reverse("api_tokens"),
        "base_url": request.build_absolute_uri(reverse("api:case_list")).rsplit("/cases/", 1)[0],
        "version": schema().get("info", {}).get("version", ""),
    }
    return render(request, "api/docs.html", context)
