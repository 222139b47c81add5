"""The import page's upload form: the file, read as text, and its format."""

from __future__ import annotations

from django import forms

from accounts.inputs import InputForm

from .common import FORMAT_AUTO, FORMAT_KCPD, FORMAT_LABELS, FORMAT_TEMPLATE, MAX_UPLOAD_BYTES, ImportFileError, decode


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


class ImportForm(InputForm):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV (a byte-order mark is fine), at most {megabytes(MAX_UPLOAD_BYTES)}.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[
            (FORMAT_AUTO, "Detect from the header row"),
            (FORMAT_TEMPLATE, FORMAT_LABELS[FORMAT_TEMPLATE]),
            (FORMAT_KCPD, FORMAT_LABELS[FORMAT_KCPD]),
        ],
        initial=FORMAT_AUTO,
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)} ({upload.size:,} bytes); the limit is "
                f"{megabytes(MAX_UPLOAD_BYTES)} ({MAX_UPLOAD_BYTES:,} bytes). "
                "Split it, or ask an administrator to run the import_shootings command."
            )
        try:
            return decode(upload.read())
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
