"""The committed AsyncAPI documents match what the services' FastStream apps declare."""

from __future__ import annotations

import json

from services.asyncapi_export import DOCS, documents


def test_committed_asyncapi_documents_match_the_services():
    for name, text in documents().items():
        assert (DOCS / f"{name}.json").read_text() == text, f"{name}: run `make asyncapi`"


def test_each_document_names_what_the_service_consumes_and_publishes():
    docs = {name: json.loads(text) for name, text in documents().items()}
    addresses = {name: {c["address"] for c in doc["channels"].values()} for name, doc in docs.items()}
    assert {"diversion.decisions.v1", "diversion.cases.v1"} <= addresses["intake"]
    assert {"diversion.cases.v1", "diversion.referrals.v1"} <= addresses["referral_router"]
    assert {"diversion.referrals.v1", "diversion.compliance.v1"} <= addresses["compliance"]
    assert "CaseOpened" in docs["intake"]["components"]["schemas"]
