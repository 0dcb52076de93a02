"""A broken policy file stops intake before it serves anything, with a message naming the fault."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from services.intake.settings import REPO_ROOT


def test_intake_refuses_to_start_on_a_broken_policy(tmp_path):
    policy = (REPO_ROOT / "deploy" / "policy" / "force-policy.yaml").read_text()
    broken = tmp_path / "policy.yaml"
    broken.write_text(policy.replace("max_gravity: 3", "max_gravity: seven", 1))

    result = subprocess.run(
        [sys.executable, "-m", "services.intake"],
        env={**os.environ, "INTAKE_POLICY_FILES": json.dumps([str(broken)])},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "intake cannot start" in result.stderr
    assert str(broken) in result.stderr
    assert "disposals.community_resolution.max_gravity" in result.stderr
