"""Rows a transaction appends (outbox, audit log, history, reports), held until it is about to commit.

Most of what a handler writes is append-only: the events it publishes, the audit entry of what it did with
personal data, a line of history. Nothing in the same transaction reads those rows back, so there is no
reason to pay a round trip for each: they are queued here and written with **one COPY per table** when
the transaction flushes — for a consumer batch, once for the whole batch (`make bench` counts the
statements). A flush happens inside the transaction, before its commit, so the rows still commit or roll
back with the state they describe.

A table the role may insert into but not read (the keyring) cannot take a COPY, which reads the table's
row type first: its rows are queued with their SQL `types` and go in with one `INSERT … SELECT FROM
unnest(…)` that skips a row whose key is there already.

A read of a table with rows still queued would not see them: a reader that may meet its own transaction's
rows calls `flush` first when `pending(table)` (intake's conditions of a case opened earlier in the batch).

A writer that keeps set-based writes of its own until the end (compliance's changed case files, written
with one statement per table) registers them with `before_flush`; they run first when the transaction
flushes, so the rows appended about them find them written.

`take` lets the consumer give the outbox rows of a batch their ids before they are written, so that it can
send them itself once the batch has committed (see `outbox.claim_straight`).

`mark` / `undo_to` let a caller that runs part of a transaction in a savepoint drop exactly the rows that
part queued when the savepoint is rolled back (the consumer's careful, record-by-record retry).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

Write = Callable[[asyncpg.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Mark:
    rows: dict[str, int]
    writes: int


class PendingWrites:
    def __init__(self) -> None:
        self._columns: dict[str, tuple[str, ...]] = {}
        self._types: dict[str, tuple[str, ...] | None] = {}
        self._rows: dict[str, list[tuple]] = {}
        self._before: list[Write] = []

    def add(
        self, table: str, columns: tuple[str, ...], rows: Sequence[tuple], *, types: tuple[str, ...] | None = None
    ) -> None:
        """Queue `rows` (values in the order of `columns`) for `table`; one table always has the same columns.
        `types`: the columns' SQL types, for a table that must be written without being read (see above)."""
        if not rows:
            return
        known = self._columns.setdefault(table, columns)
        if known != columns:
            raise ValueError(f"{table} queued with columns {columns} after {known}")
        self._types.setdefault(table, types)
        self._rows.setdefault(table, []).extend(rows)

    def before_flush(self, write: Write) -> None:
        """Run `write` at the next flush, before the queued rows are written; asking again before that flush
        changes nothing, so a writer asks at every change."""
        if write not in self._before:
            self._before.append(write)

    def pending(self, table: str) -> bool:
        return bool(self._rows.get(table))

    def take(self, table: str) -> list[tuple]:
        """Take `table`'s queued rows out, to queue them again with more columns (the outbox's rows sent
        straight after the commit get their ids before they are written)."""
        self._columns.pop(table, None)
        self._types.pop(table, None)
        return self._rows.pop(table, [])

    def mark(self) -> Mark:
        return Mark({table: len(rows) for table, rows in self._rows.items()}, len(self._before))

    def undo_to(self, mark: Mark) -> None:
        """Forget the rows queued and the writes registered since `mark` was taken."""
        for table, rows in self._rows.items():
            del rows[mark.rows.get(table, 0) :]
        del self._before[mark.writes :]

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values()) + len(self._before)

    async def flush(self, connection: asyncpg.Connection) -> None:
        """Write every queued row, one COPY per table in the order the tables were first used; call inside the
        transaction whose state the rows belong to."""
        before, self._before = self._before, []
        for write in before:
            await write(connection)
        for table, rows in self._rows.items():
            if rows and (types := self._types[table]) is not None:
                await connection.execute(_unnest_insert(table, self._columns[table], types), *zip(*rows, strict=True))
            elif rows:
                await connection.copy_records_to_table(table, records=rows, columns=self._columns[table])
        self._rows = {table: [] for table in self._rows}


def json_rows(rows: list[dict]) -> str:
    """Rows as one JSON array, for a statement that turns it back into typed rows with `jsonb_to_recordset`
    (which carries array columns, where `unnest` cannot)."""
    return json.dumps(rows, default=str)


def _unnest_insert(table: str, columns: tuple[str, ...], types: tuple[str, ...]) -> str:
    arrays = ", ".join(f"${n}::{sql_type}[]" for n, sql_type in enumerate(types, start=1))
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING"
