"""The law of each disposal, through intake's HTTP and Kafka doors on the real broker and database: a decision the
law does not allow is recorded as rejected, naming the rule and its source, on both doors alike; a force's
police client never sees nor acts on another force's cases (issue 23)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.commands import BreachDecision, DiversionDecision
from schemas.envelope import decode
from schemas.events import CaseRejected
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, DEAD_LETTERS, DECISIONS
from services.intake.domain import law
from tests.integration.intake.conftest import FORCE, SECOND_FORCE
from tests.integration.intake.test_http_decisions import decision
from tests.integration.intake.test_kafka_commands import command_record
from tests.integration.intake.test_police_reports import MAXIMUM, case_changed, open_case
from tests.kafka_tools import read_topic

PENALTY_OVER_THE_CAP = {  # £150 for an either-way offence, whose cap is £100 (SI 2013/615)
    "kind": "punitive",
    "description": "Pay a financial penalty",
    "evidence": "payment",
    "reported_by": "officer",
    "amount_pence": 15_000,
}


def failed(outcomes: list[dict]) -> dict[str, str]:
    """Each failed rule, with its source."""
    return {o["rule"]: o["source"] for o in outcomes if not o["passed"]}


async def test_unlawful_decisions_over_http_are_rejected_naming_the_rule_and_its_source(intake):
    unauthorised = decision("35PB0001001", authorised_by=None)
    over_the_cap = decision("35PB0001002", offence={**decision()["offence"], "category": "theft"})
    over_the_cap["conditions"] = [*over_the_cap["conditions"], PENALTY_OVER_THE_CAP]
    robbery = decision(
        "35PB0001003", offence={**decision()["offence"], "category": "robbery", "mode_of_trial": "indictable_only"}
    )
    from_the_future = decision("35PB0001004", decided_at=(datetime.now(UTC) + timedelta(days=365 * 5)).isoformat())
    no_agreement = decision("35PB0001005", disposal_type="community_resolution", consent=False, conditions=[])

    answers = [
        (await intake.http.post("/v1/decisions", json=body)).json()
        for body in (unauthorised, over_the_cap, robbery, from_the_future, no_agreement)
    ]

    assert [answer["status"] for answer in answers] == ["rejected"] * 5
    assert [failed(answer["rule_outcomes"]) for answer in answers] == [
        {"authorised_by": law.AUTHORISED_PERSON},
        {"financial_penalty": law.ADULT_FINANCIAL_PENALTIES},
        {"prosecutor_authority": law.PROSECUTOR_FOR_INDICTABLE_ONLY},
        {"decided_at": "force policy cambridgeshire 2026.3"},
        {"consent": law.COMMUNITY_RESOLUTION},
    ]
    reasons = {o["rule"]: o["reason"] for o in answers[1]["rule_outcomes"]}
    assert (
        reasons["financial_penalty"] == "financial penalty of £150.00 exceeds £100.00 for an offence triable either way"
    )
    assert (await intake.http.get("/v1/cases/35PB0001001")).json()["status"] == "rejected"


async def test_the_same_decision_on_kafka_is_rejected_the_same_way_with_the_sources_on_the_event(intake):
    unauthorised = DiversionDecision.model_validate(decision("35PB0001101", authorised_by=None))

    await intake.send(DECISIONS.named(FORCE), command_record(unauthorised, "unauthorised-1", "35PB0001101"))

    (record,) = await read_topic(intake.kafka, intake.settings.topic(CASES.name), at_least=1)
    _, rejected = decode(record.headers, record.value, EVENT_TYPES)
    assert isinstance(rejected, CaseRejected)
    assert {o.rule: o.source for o in rejected.rule_outcomes if not o.passed} == {
        "authorised_by": law.AUTHORISED_PERSON
    }
    assert all(o.source for o in rejected.rule_outcomes), "every rule names its source on the event too"


async def test_a_variation_needs_the_persons_consent_on_kafka_too(intake):
    """(Over HTTP: `test_police_reports`.) The command is refused, and dead-lettered with the reason."""
    case = await open_case(intake, "35PB0001201")
    await intake.follow(case_changed(case["case_id"], "awaiting_police_decision", sequence=1, reason="deadline_passed"))
    varied = BreachDecision.model_validate(
        {
            "force_id": FORCE,
            "police_reference": "35PB0001201",
            "decision": "reasonable_excuse",
            "breach_sequence": 1,
            "officer": "PS4321",
            "decided_at": "2025-04-02T10:00:00+00:00",
            "reason": "In hospital.",
            "complete_by": MAXIMUM.isoformat(),
            "varied_conditions": [decision()["conditions"][1]],
        }
    )

    await intake.send(DECISIONS.named(FORCE), command_record(varied, "varied-1", "35PB0001201"))

    (letter,) = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert b"may be varied only with the person's consent" in dict(letter.headers)["dlq_reason"]


async def test_one_forces_police_client_never_sees_nor_acts_on_another_forces_cases(two_force_intake):
    intake = two_force_intake
    ours = await intake.http.post("/v1/decisions", json=decision("35PB0001301"))
    assert ours.json()["status"] == "open"
    theirs = {"X-API-Key": await intake.new_key("fixture-police", SECOND_FORCE)}

    read = await intake.http.get("/v1/cases/35PB0001301", headers=theirs)
    act = await intake.http.post(
        "/v1/cases/35PB0001301/deadline-extension", json={"reason": "subject_unwell"}, headers=theirs
    )
    for_us = await intake.http.post("/v1/decisions", json=decision("35PB0001302"), headers=theirs)
    own = await intake.http.post(
        "/v1/decisions",
        json=decision(
            "FX0001303",
            force_id=SECOND_FORCE,
            area="northtown",
            authorised_by={"officer": "INSP7", "rank": "inspector"},
        ),
        headers=theirs,
    )

    assert (read.status_code, act.status_code) == (404, 404), "another force's case does not exist for them"
    assert for_us.status_code == 403 and for_us.json()["error"] == "wrong_force"
    assert own.status_code == 201 and own.json()["status"] == "open", own.text
    assert own.json()["policy_version"] == "fixture-1", "each force's decisions are judged by its own policy"
    mine_again = await intake.http.get("/v1/cases/FX0001303")
    assert mine_again.status_code == 404, "and Cambridgeshire's client cannot see theirs"


async def test_a_decision_naming_another_force_on_a_forces_topic_is_refused(two_force_intake):
    intake = two_force_intake
    impostor = DiversionDecision.model_validate(decision("35PB0001401"))  # names Cambridgeshire

    await intake.send(DECISIONS.named(SECOND_FORCE), command_record(impostor, "impostor-1", "35PB0001401"))

    (letter,) = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert dict(letter.headers)["dlq_reason"] == (
        b"it names force cambridgeshire but came on the topic of force fixture-constabulary"
    )
    assert (await intake.http.get("/v1/cases/35PB0001401")).status_code == 404
