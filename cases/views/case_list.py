from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/case_list.html", {"nav": "cases"})
