"""Reports as CSV, as the force would publish them: small counts suppressed.

A count from 1 to 4 could identify a person in a small group (a district, a month, a programme), so an export
shows it as `<5`, and a rate worked out from fewer than 5 as `suppressed`; zero stays zero. The JSON reports, for
the operations team's own use behind their key, are not suppressed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from fastapi.responses import Response

SMALLEST_SHOWN = 5
SMALL = "<5"
SUPPRESSED = "suppressed"


def csv_response(
    rows: Sequence[Mapping], columns: Sequence[str], *, name: str, denominator: str, rates: Sequence[str]
) -> Response:
    """`rows` as a CSV download named `name`; `rates`: the columns worked out of the `denominator` column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        small_base = 0 < (row.get(denominator) or 0) < SMALLEST_SHOWN
        writer.writerow(
            [
                SUPPRESSED if small_base and column in rates and row.get(column) is not None else _cell(row.get(column))
                for column in columns
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _cell(value) -> object:
    if isinstance(value, bool) or value is None:
        return "" if value is None else value
    if isinstance(value, int):
        return SMALL if 0 < value < SMALLEST_SHOWN else value
    if isinstance(value, Mapping):
        return "; ".join(f"{key} {_cell(count)}" for key, count in value.items())
    return value
