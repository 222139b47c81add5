"""The firearm feeds through the API: a NIBIN lead report or an eTrace results file, sent as the
request body (`Content-Type: text/csv`) or as the `file` of a form upload, read by the same
functions as the import pages and commands (cases.feeds), all or nothing, with `?dry_run=true`
for a preview that writes nothing."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response

from cases.feeds.common import FeedReport
from cases.feeds.etrace import import_etrace_results
from cases.feeds.nibin import import_nibin_leads
from cases.importers.common import ImportFileError

from ..errors import InvalidInput
from .base import WRITE_ERRORS, ApiView, django_request

DRY_RUN = {"true": True, "1": True, "false": False, "0": False}


class CsvParser(BaseParser):
    """The body as it came: the feed reads the bytes itself (its encoding, its header)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class OutcomeSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    key = serializers.CharField(help_text="The lead number or the eTrace request number.")
    action = serializers.ChoiceField(["created", "updated", "unchanged"])
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    remarks = serializers.ListField(child=serializers.CharField())
    lead_id = serializers.IntegerField(allow_null=True)
    note_id = serializers.IntegerField(allow_null=True)
    case_ids = serializers.ListField(child=serializers.IntegerField())


class FeedReportSerializer(serializers.Serializer):
    feed = serializers.ChoiceField(["nibin", "etrace"])
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField(help_text="False for a dry run: nothing was written.")
    rows = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    ignored_columns = serializers.ListField(child=serializers.CharField())
    outcomes = OutcomeSerializer(many=True)


def report_json(report: FeedReport) -> dict:
    return {
        "feed": report.feed,
        "dry_run": report.dry_run,
        "applied": report.applied,
        "rows": report.rows,
        "counts": report.counts,
        "ignored_columns": report.ignored_columns,
        "outcomes": [
            {
                "line": outcome.line,
                "key": outcome.key,
                "action": outcome.action,
                "changes": {name: [before, after] for name, (before, after) in outcome.changes.items()},
                "remarks": outcome.remarks,
                "lead_id": outcome.lead_id,
                "note_id": outcome.note_id,
                "case_ids": outcome.case_ids,
            }
            for outcome in report.outcomes
        ],
    }


def _content(request) -> tuple[bytes, str]:
    """The file sent, and its name (for the audit row)."""
    data = request.data
    if isinstance(data, bytes):
        content, name = data, ""
    else:
        upload = data.get("file") if hasattr(data, "get") else None
        if upload is None or not hasattr(upload, "read"):
            raise InvalidInput({"file": ["Send the CSV file as the body (Content-Type: text/csv) or as `file`."]})
        content, name = upload.read(), upload.name or ""
    if not content.strip():
        raise InvalidInput({"file": ["The file is empty."]})
    return content, name


def _dry_run(request) -> bool:
    unknown = set(request.query_params) - {"dry_run", "format"}
    if unknown:
        raise InvalidInput({name[:100]: ["Unknown parameter."] for name in unknown})
    value = request.query_params.get("dry_run", "false").lower()
    if value not in DRY_RUN:
        raise InvalidInput({"dry_run": ["Send true or false."]})
    return DRY_RUN[value]


class FeedImport(ApiView):
    parser_classes = [CsvParser, MultiPartParser]

    def importer(self, content, **kwargs) -> FeedReport:
        raise NotImplementedError

    def post(self, request):
        dry_run = _dry_run(request)
        content, name = _content(request)
        try:
            report = self.importer(
                content, user=request.user, dry_run=dry_run, request=django_request(request), filename=name
            )
        except ImportFileError as exc:
            raise InvalidInput({"file": [str(exc)]}, "The file could not be read: nothing was imported.") from exc
        if report.errors:
            raise InvalidInput(
                {f"line {error.line}" if error.line else "file": [error.message] for error in report.errors},
                "The file was refused whole: nothing was imported. `errors` names each line at fault.",
            )
        return Response(report_json(report))


def _schema(operation_id: str, summary: str):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[OpenApiParameter("dry_run", bool, description="Check the file and report; write nothing.")],
        request={
            "text/csv": {"type": "string", "format": "binary"},
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
        },
        responses={200: FeedReportSerializer, **WRITE_ERRORS},
    )


class NibinLeadImport(FeedImport):
    def importer(self, content, **kwargs) -> FeedReport:
        return import_nibin_leads(content, **kwargs)

    @_schema("feeds_nibin_leads", "Import a NIBIN lead report (CSV; the layout is in the README)")
    def post(self, request):
        return super().post(request)


class EtraceResultImport(FeedImport):
    def importer(self, content, **kwargs) -> FeedReport:
        return import_etrace_results(content, **kwargs)

    @_schema("feeds_etrace_results", "Import eTrace results (CSV; the layout is in the README)")
    def post(self, request):
        return super().post(request)
