"""A PostgreSQL cluster of the project's own: Debian's server binaries, our data directory and port.

It never touches a system PostgreSQL: data, socket and log live under `.runtime/postgres` and
it listens on loopback only. PostgreSQL refuses to run as root, so when we are root the server
runs as Debian's `postgres` user and owns its directory.

Every connection, on the socket too, authenticates with scram-sha-256. The passwords — the
administrator's and every service role's (see `platform_plumbing.database_roles`) — are generated
when the cluster is first initialised and kept in `.runtime/postgres-credentials.json` (mode 0600).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from deploy.local_stack.runtime import RUNTIME_DIR, StackError, wait_for_port, write_private
from platform_plumbing.database_roles import DatabaseLogins, new_passwords, provision_roles

HOST = "127.0.0.1"
PORT = int(os.environ.get("DIVERSION_PG_PORT", "15432"))
USER = "diversion"
"""The cluster's administrator (a superuser): only `make up`, the tests' set-up and the bench use it."""
DATABASE = "diversion"
PG_DIR = RUNTIME_DIR / "postgres"
DATA_DIR = PG_DIR / "data"
SOCKET_DIR = PG_DIR / "run"
LOG_FILE = PG_DIR / "postgres.log"
CREDENTIALS = RUNTIME_DIR / "postgres-credentials.json"


def logins() -> DatabaseLogins:
    """The administrator's URL and every role's password, as generated when the cluster was initialised."""
    try:
        stored = json.loads(CREDENTIALS.read_text())
    except FileNotFoundError:
        raise StackError(f"{CREDENTIALS} is missing: run make up") from None
    return DatabaseLogins(
        admin_url=f"postgresql://{USER}:{stored['admin']}@{HOST}:{PORT}/{DATABASE}", passwords=stored["roles"]
    )


def start() -> None:
    """Install (when missing), initialise (once) and start the cluster; wait until it answers."""
    binaries = bin_dir()
    PG_DIR.mkdir(parents=True, exist_ok=True)
    SOCKET_DIR.mkdir(parents=True, exist_ok=True)
    _hand_over(PG_DIR)
    if not (DATA_DIR / "PG_VERSION").exists():
        _initdb(binaries)
    elif not CREDENTIALS.exists():
        raise StackError(
            f"the PostgreSQL cluster in {DATA_DIR} predates generated passwords (it trusted local connections "
            "and its password was public): run make clean, then make up"
        )
    if not is_running():
        options = f"-p {PORT} -k {SOCKET_DIR} -c listen_addresses={HOST} -c max_connections=300 -c shared_buffers=256MB"
        # pg_stat_statements lets `make bench` count the statements (round trips) the services send.
        options += " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top"
        _run(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(DATA_DIR),
                "-l",
                str(LOG_FILE),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            what="starting PostgreSQL",
        )
    wait_for_port(HOST, PORT, seconds=30, what="PostgreSQL", log=LOG_FILE)
    _ensure_database(binaries)
    stack = logins()
    asyncio.run(provision_roles(stack.admin_url, stack.passwords))


def stop(*, mode: str = "fast") -> None:
    """Stop the cluster (`mode`: smart, fast or immediate — immediate is a crash, for fault tests)."""
    if is_running():
        _run([str(bin_dir() / "pg_ctl"), "-D", str(DATA_DIR), "-m", mode, "-w", "stop"], what="stopping PostgreSQL")


def is_running() -> bool:
    """Whether the postmaster named on the first line of `postmaster.pid` is alive."""
    try:
        pid = int((DATA_DIR / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    return True


def clean() -> None:
    stop()
    shutil.rmtree(PG_DIR, ignore_errors=True)
    CREDENTIALS.unlink(missing_ok=True)


def bin_dir() -> Path:
    """The newest installed server's bin directory, installing Debian's `postgresql` if none is."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        if os.geteuid() != 0:
            raise StackError("PostgreSQL is not installed: sudo apt-get install postgresql")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        result = subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"apt-get install postgresql failed:\n{result.stderr}")
        return bin_dir()
    return candidates[-1].parent


def _initdb(bin_dir: Path) -> None:
    admin_password = secrets.token_urlsafe(24)
    write_private(CREDENTIALS, json.dumps({"admin": admin_password, "roles": new_passwords()}, indent=2))
    password_file = PG_DIR / "initdb.pw"
    write_private(password_file, admin_password)
    _hand_over(password_file)
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(DATA_DIR),
                "-U",
                USER,
                f"--pwfile={password_file}",
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            what="initialising PostgreSQL",
        )
    finally:
        password_file.unlink(missing_ok=True)


def _ensure_database(bin_dir: Path) -> None:
    psql = [str(bin_dir / "psql"), "-h", str(SOCKET_DIR), "-p", str(PORT), "-U", USER, "-d", "postgres", "-tAc"]
    exists = _run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"], what="checking database")
    if exists.strip() != "1":
        _run([*psql, f"CREATE DATABASE {DATABASE}"], what="creating database")
    database = [*psql[:-3], "-d", DATABASE, "-tAc"]
    _run([*database, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"], what="enabling pg_stat_statements")


def _run(command: list[str], *, what: str) -> str:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    environment = {**os.environ}
    if CREDENTIALS.exists():
        environment["PGPASSWORD"] = json.loads(CREDENTIALS.read_text())["admin"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=PG_DIR, env=environment)
    if result.returncode != 0:
        raise StackError(f"{what} failed (see {LOG_FILE}):\n{result.stdout}{result.stderr}")
    return result.stdout


def _hand_over(path: Path) -> None:
    """As root, give the server's files to the `postgres` user that will run it."""
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
        if path.is_dir():
            for child in path.rglob("*"):
                shutil.chown(child, "postgres", "postgres")
