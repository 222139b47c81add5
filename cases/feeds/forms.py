"""The upload form of the feed import pages: the file, read as text."""

from __future__ import annotations

from django import forms

from accounts.inputs import InputForm

from ..importers.common import MAX_UPLOAD_BYTES, ImportFileError, decode
from ..importers.forms import megabytes


class FeedFileForm(InputForm):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV (a byte-order mark is fine), at most {megabytes(MAX_UPLOAD_BYTES)}.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)}; the limit is {megabytes(MAX_UPLOAD_BYTES)}. "
                "Split it, or ask an administrator to run the import command."
            )
        try:
            return decode(upload.read())
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
