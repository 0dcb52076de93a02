"""`pip install .` in a fresh virtual environment gives a working `diversion` CLI and services that start, with
their migrations, policy, catalogue and pages inside the installed package (issue 23: the CLI needed a test-only
dependency, and the wheel carried none of the SQL, YAML or HTML files)."""

from __future__ import annotations

import subprocess
import sys

from deploy.local_stack.processes import ServiceProcess, drop_schemas, free_port
from platform_plumbing.settings import KEK_FILE
from services.intake.settings import REPO_ROOT


async def test_a_fresh_install_gives_a_working_cli_and_a_service_that_starts(
    tmp_path, settings, infrastructure, topics, namespace
):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO_ROOT)],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )

    help_text = subprocess.run(
        [str(venv / "bin" / "diversion"), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    port = free_port()
    intake = ServiceProcess(
        "services.intake",
        {
            **infrastructure.kafka.environment("intake"),
            **infrastructure.database.service_environment("intake"),
            "TOPIC_PREFIX": settings.topic_prefix,
            "INTAKE_DB_SCHEMA": namespace,
            "INTAKE_PORT": str(port),
            "PERSONAL_DATA_KEK_URI": f"local-keyset://{KEK_FILE}",  # a deployment names its KEK: not the checkout's
        },
        port=port,
        log=tmp_path / "intake.log",
        python=python,
        cwd=tmp_path,  # not the checkout: the installed package, and nothing else, is imported
    )
    try:
        await intake.start(timeout=90)
        where = subprocess.run(
            [python, "-c", "import services.intake; print(services.intake.__file__)"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        ).stdout
    finally:
        intake.stop()
        await drop_schemas(settings.database_url, [namespace])

    assert help_text.returncode == 0 and "dlq" in help_text.stdout and "report" in help_text.stdout
    assert str(venv) in where and str(REPO_ROOT) not in where, "the service ran from the installed package"
