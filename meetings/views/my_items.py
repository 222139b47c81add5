from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def my_items(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/my_items.html", {"nav": "my_items"})
