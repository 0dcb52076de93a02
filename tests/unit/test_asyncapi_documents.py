"""The committed AsyncAPI documents match what the services' FastStream apps declare."""

from __future__ import annotations

import json
import re

from services.asyncapi_export import DOCS, documents


def test_committed_asyncapi_documents_match_the_services():
    for name, text in documents().items():
        assert (DOCS / f"{name}.json").read_text() == text, f"{name}: run `make asyncapi`"


def test_each_document_names_what_the_service_consumes_and_publishes():
    docs = {name: json.loads(text) for name, text in documents().items()}
    addresses = {name: {c["address"] for c in doc["channels"].values()} for name, doc in docs.items()}

    def heard(service: str, topic: str) -> bool:
        """A subscription reads topics by pattern (every force's, every agency's)."""
        return any(re.fullmatch(address, topic) for address in addresses[service] if address.startswith("^"))

    assert heard("intake", "diversion.decisions.cambridgeshire.v1") and heard("intake", "diversion.compliance.v1")
    assert not heard("intake", "diversion.agency-updates.brighter-tomorrows.v1")
    assert "diversion.cases.v1" in addresses["intake"]
    assert heard("referral_router", "diversion.cases.v1") and "diversion.referrals.v1" in addresses["referral_router"]
    assert heard("compliance", "diversion.agency-updates.brighter-tomorrows.v1") and heard(
        "compliance", "diversion.police-signals.cambridgeshire.v1"
    )
    assert {"diversion.compliance.v1", "diversion.agency-referrals.{party}.v1"} <= addresses["compliance"]
    assert "CaseOpened" in docs["intake"]["components"]["schemas"]
