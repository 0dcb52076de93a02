"""Where the local stack keeps its state, and the small process helpers both servers share."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNTIME_DIR = Path(os.environ.get("DIVERSION_RUNTIME_DIR", REPO_ROOT / ".runtime"))


class StackError(RuntimeError):
    """A local server could not be installed, started or reached; the message says what to do."""


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (0600) from the first byte: credentials, keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, *, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        time.sleep(0.2)
    hint = f"; see {log}" if log else ""
    raise StackError(f"{what} did not answer on {host}:{port} within {seconds:.0f}s{hint}")


def read_pid(pid_file: Path) -> int | None:
    """The pid in `pid_file` if that process is still alive."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    except PermissionError:
        return pid
    return pid


def stop_process(pid_file: Path, *, grace_seconds: float = 30.0, hard: bool = False) -> bool:
    """Stop the process named by `pid_file`: SIGTERM then, after the grace period, SIGKILL.

    `hard=True` sends SIGKILL straight away (fault tests). Returns whether a process was running.
    """
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGKILL if hard else signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours counts as gone
        finished, _ = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return True
