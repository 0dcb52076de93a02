"""How the web pages are rendered: Jinja2 templates beside this module (autoescaped), times in Europe/London, and
headers that keep the pages out of frames and caches and allow only their own stylesheet and scripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

LONDON = ZoneInfo("Europe/London")
HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Option:
    """A choice in a select whose label is not its value in words (an agency's name for its id)."""

    value: str
    label: str


def london(moment: datetime | None) -> str:
    """`7 Dec 2026 17:05`, as the clock on the wall in England and Wales reads it."""
    return moment.astimezone(LONDON).strftime("%-d %b %Y %H:%M") if moment else ""


def day(moment: date | datetime | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(LONDON) if isinstance(moment, datetime) else moment).strftime("%-d %b %Y")


def words(value: str | None) -> str:
    """A vocabulary value as words: `alcohol_misuse` -> `Alcohol misuse`."""
    return (value or "").replace("_", " ").capitalize()


def percent(rate: float | None) -> str:
    """A rate from 0 to 1 as a percentage to one place; a dash where there is nothing to work it out of."""
    return "–" if rate is None else f"{rate:.1%}"


TEMPLATES.env.filters.update(london=london, day=day, words=words, percent=percent)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code, headers=HEADERS)
