"""Rows a transaction appends (outbox, audit log, history, reports), held until it is about to commit.

Most of what a handler writes is append-only: the events it publishes, the audit entry of what it did with
personal data, a line of history. Nothing in the same transaction reads those rows back, so there is no
reason to pay a round trip for each: they are queued here and written with **one COPY per table** when
the transaction flushes — for a consumer batch, once for the whole batch (`make bench` counts the
statements). A flush happens inside the transaction, before its commit, so the rows still commit or roll
back with the state they describe.

`mark` / `undo_to` let a caller that runs part of a transaction in a savepoint drop exactly the rows that
part queued when the savepoint is rolled back (the consumer's careful, record-by-record retry).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

Mark = dict[str, int]


class PendingWrites:
    def __init__(self) -> None:
        self._columns: dict[str, tuple[str, ...]] = {}
        self._rows: dict[str, list[tuple]] = {}

    def add(self, table: str, columns: tuple[str, ...], rows: Sequence[tuple]) -> None:
        """Queue `rows` (values in the order of `columns`) for `table`; one table always has the same columns."""
        if not rows:
            return
        known = self._columns.setdefault(table, columns)
        if known != columns:
            raise ValueError(f"{table} queued with columns {columns} after {known}")
        self._rows.setdefault(table, []).extend(rows)

    def mark(self) -> Mark:
        return {table: len(rows) for table, rows in self._rows.items()}

    def undo_to(self, mark: Mark) -> None:
        """Forget the rows queued since `mark` was taken."""
        for table, rows in self._rows.items():
            del rows[mark.get(table, 0) :]

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    async def flush(self, connection: asyncpg.Connection) -> None:
        """Write every queued row, one COPY per table in the order the tables were first used; call inside the
        transaction whose state the rows belong to."""
        for table, rows in self._rows.items():
            if rows:
                await connection.copy_records_to_table(table, records=rows, columns=self._columns[table])
        self._rows = {table: [] for table in self._rows}
