"""Where a load run's time goes: CPU seconds per part of the stack, and PostgreSQL round trips.

On a 2-core machine everything shares the same cores, so the CPU split says who the bottleneck
is; `pg_stat_statements` (the local stack preloads it) counts statements, i.e. round trips.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import asyncpg

PARTS = {  # what to look for in a process's command line -> the part it belongs to
    "postgres": "postgresql",
    "kafka.Kafka": "kafka",
    "services.intake": "intake",
    "services.referral_router": "router",
    "services.compliance": "compliance",
    "benchmarks": "load generator",
}


def cpu_seconds() -> Counter:
    """CPU seconds (user + system) used so far by each part's processes. A PostgreSQL backend takes its CPU time
    with it when it exits, into the postmaster's count of its children's: that is counted too, or a run in
    which connections close would show the server's CPU falling."""
    tick = os.sysconf("SC_CLK_TCK")
    used: Counter = Counter()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        part = next((name for marker, name in PARTS.items() if marker in command), None)
        if part is not None:
            used[part] += (int(fields[11]) + int(fields[12])) / tick
        if part == "postgresql":  # the postmaster: what its backends used before they exited
            used[part] += (int(fields[13]) + int(fields[14])) / tick
    return used


def cpu_used_since(before: Counter) -> dict[str, float]:
    now = cpu_seconds()
    return {part: round(now[part] - before[part], 1) for part in sorted(now)}


async def reset_statements(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SELECT pg_stat_statements_reset()")
    finally:
        await connection.close()


async def statements(database_url: str, *, per: int, top: int = 8) -> dict:
    """Statements run since the reset: in all, per case, and the most frequent ones per case."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT calls, total_exec_time, regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_statements"
            " WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC"
        )
    finally:
        await connection.close()
    calls = sum(row["calls"] for row in rows)
    return {
        "statements": calls,
        "statements_per_case": round(calls / per, 1),
        "server_ms_per_case": round(sum(row["total_exec_time"] for row in rows) / per, 2),
        "most_frequent_per_case": {row["query"][:90]: round(row["calls"] / per, 1) for row in rows[:top]},
    }
