"""The platform's own services as background processes, for `make up` (tests start their own)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from deploy.local_stack.runtime import REPO_ROOT, RUNTIME_DIR, StackError, read_pid, stop_process

SERVICES_DIR = RUNTIME_DIR / "services"


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    port_setting: str
    url_key: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


INTAKE = Service("intake", "services.intake", 18080, "INTAKE_PORT", "INTAKE_URL")
ROUTER = Service("referral-router", "services.referral_router", 18081, "ROUTER_PORT", "ROUTER_URL")
COMPLIANCE = Service("compliance", "services.compliance", 18082, "COMPLIANCE_PORT", "AGENCY_API_URL")
DASHBOARD = Service("dashboard", "services.operations", 18083, "DASHBOARD_PORT", "DASHBOARD_URL")
FAKE_NOTIFY = Service("fake-notify", "deploy.local_stack.fake_notify", 18090, "FAKE_NOTIFY_PORT", "NOTIFY_BASE_URL")
"""A stand-in for GOV.UK Notify, which compliance sends the person's appointment reminders through."""
SERVICES = (INTAKE, ROUTER, COMPLIANCE)
"""The platform's services; the dashboard starts after them, once the keys it reads with exist."""
DEV_AGENCIES = ("brighter-tomorrows", "substance-misuse-treatment")


def start(service: Service, environment: dict[str, str]) -> None:
    """Start `service` unless it runs already, and wait until it is ready."""
    pid_file = SERVICES_DIR / f"{service.name}.pid"
    log = SERVICES_DIR / f"{service.name}.log"
    if read_pid(pid_file) is None:
        SERVICES_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **environment, service.port_setting: str(service.port)}
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", service.module],
                env=env,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        pid_file.write_text(str(process.pid))
    _wait_ready(service, pid_file, log)


def is_running(service: Service) -> bool:
    return read_pid(SERVICES_DIR / f"{service.name}.pid") is not None


def stop(service: Service) -> None:
    stop_process(SERVICES_DIR / f"{service.name}.pid", grace_seconds=20)


def dev_keys(environment: dict[str, str]) -> dict[str, str]:
    """Development keys (issued once, kept in `.runtime`): a police client, the victim-contact role, two
    agencies, operations (at compliance, and at the router)."""
    keys = {
        "POLICE_API_KEY": _dev_key(environment, "services.intake.entrypoints.manage", "police"),
        "VICTIM_CONTACT_API_KEY": _dev_key(
            environment, "services.intake.entrypoints.manage", "victim-contact", "--role", "victim_contact"
        ),
    }
    for agency in DEV_AGENCIES:
        keys[f"AGENCY_KEY_{env_name(agency)}"] = _dev_key(
            environment, "services.compliance.entrypoints.manage", agency, agency, "--agency-id", agency
        )
    keys["OPERATIONS_API_KEY"] = _dev_key(
        environment, "services.compliance.entrypoints.manage", "operations", "operations"
    )
    keys["ROUTER_API_KEY"] = _dev_key(
        environment, "services.referral_router.entrypoints.manage", "router-operations", "operations"
    )
    return keys


def dev_people(environment: dict[str, str]) -> dict[str, str]:
    """Development accounts for the web pages (made once; one password, kept in `.runtime`): where to sign in, who
    can, and the password."""
    password = _manage(
        environment,
        "services.compliance.entrypoints.manage",
        "dev-people",
        str(SERVICES_DIR / "dev-people.password"),
        *DEV_AGENCIES,
        what="the development accounts",
    )
    people = [f"{who}@{agency}.example.org" for agency in DEV_AGENCIES for who in ("caseworker", "admin")]
    people += ["duty@diversion-team.example.org", "operator@operations.example.org"]
    return {"PORTAL_URL": f"{COMPLIANCE.url}/sign-in", "DEV_PEOPLE": ",".join(people), "DEV_PEOPLE_PASSWORD": password}


def env_name(agency: str) -> str:
    """An agency id as it appears in a setting's name: `brighter-tomorrows` -> `BRIGHTER_TOMORROWS`."""
    return agency.upper().replace("-", "_")


def _dev_key(environment: dict[str, str], module: str, name: str, *arguments: str) -> str:
    key_file = SERVICES_DIR / f"dev-{name}.key"
    return _manage(environment, module, "dev-key", str(key_file), *arguments, what=f"the development key for {name}")


def _manage(environment: dict[str, str], module: str, *arguments: str, what: str) -> str:
    """Run a service's management command; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        env={**os.environ, **environment},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise StackError(f"could not make {what}:\n{result.stderr}")
    return result.stdout.strip()


def _wait_ready(service: Service, pid_file, log, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if read_pid(pid_file) is None:
            raise StackError(f"{service.name} stopped while starting; see {log}")
        try:
            with urllib.request.urlopen(f"{service.url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise StackError(f"{service.name} was not ready within {seconds:.0f}s; see {log}")
