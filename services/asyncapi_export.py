"""`python -m services.asyncapi_export [--check]`: each service's AsyncAPI document, from its FastStream app.

The documents in `docs/asyncapi/` are committed so that a change of what a service consumes or
publishes shows in review; `--check` (and a unit test) fails when they drift from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from services.compliance.bootstrap import create_app as compliance_app
from services.compliance.settings import ComplianceSettings
from services.intake.bootstrap import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.referral_router.bootstrap import create_app as router_app
from services.referral_router.settings import RouterSettings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "asyncapi"


def documents() -> dict[str, str]:
    """Each service's AsyncAPI document as committed: default settings (no topic prefix)."""
    fixed = {"topic_prefix": "", "kafka_bootstrap_servers": "kafka:9092"}  # the same document on every machine
    apps = {
        "intake": intake_app(IntakeSettings(**fixed)),
        "referral_router": router_app(RouterSettings(**fixed)),
        "compliance": compliance_app(ComplianceSettings(**fixed)),
    }
    return {
        name: json.dumps(
            app.state.runtime.asyncapi(title=app.title, version=app.version, description=app.description),
            indent=2,
            sort_keys=True,
        )
        + "\n"
        for name, app in apps.items()
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    drifted = []
    for name, text in documents().items():
        path = DOCS / f"{name}.json"
        if check:
            if not path.exists() or path.read_text() != text:
                drifted.append(path.name)
        else:
            DOCS.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if drifted:
        print(f"AsyncAPI documents out of date: {', '.join(drifted)}; run `make asyncapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
