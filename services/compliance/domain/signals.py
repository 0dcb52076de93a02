"""A police force's signal that a diverted person was named in a new investigation: what makes one believable.

The 24-month figure is measured from these signals (`service_layer/reports.py`), so a signal dated in the future,
or on or before the person's own diversion, would make it up rather than measure it: such a signal is refused
(dead-lettered with the reason). A signal about someone whose case compliance has not read yet is kept: Kafka
orders nothing across topics, and the report only ever counts a signal after the diversion it follows.
"""

from __future__ import annotations

from datetime import date

from services.compliance.domain.agency_reports import ImplausibleTime


def check_signal(named_on: date, *, today: date, first_diverted_on: date | None) -> None:
    """Raise `ImplausibleTime` for a signal that cannot be right."""
    if named_on > today:
        raise ImplausibleTime(f"named on {named_on.isoformat()}, after today ({today.isoformat()})")
    if first_diverted_on is not None and named_on <= first_diverted_on:
        raise ImplausibleTime(
            f"named on {named_on.isoformat()}, not after the person's diversion ({first_diverted_on.isoformat()})"
        )
