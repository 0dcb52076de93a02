"""The force's reports on the real database (issue 23): Community Resolution completion for adults and youths
apart, the needs no agency could take named as such, the programmes as cohorts, the headline figures beside the
source's, and CSV exports with small counts suppressed; and a case's victim told of its outcome on a topic of its
own, while a case without one is not."""

from __future__ import annotations

import csv
import io

from schemas.envelope import decode
from schemas.events import CaseStatusChanged, ReferralUnmatched
from schemas.registry import EVENT_TYPES
from schemas.topics import REFERRALS, VICTIM_UPDATES
from tests.integration.compliance.test_outcomes import FORCE, TREATMENT, complete_referral
from tests.kafka_tools import read_topic

WOMEN = "brighter-tomorrows"


async def test_community_resolution_completion_is_reported_for_adults_and_youths_apart(compliance):
    for age in (34, 35, 15):
        case = await compliance.open_case(
            disposal="community_resolution", referrals={TREATMENT: ["alcohol_misuse"]}, age_at_offence=age
        )
        await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])
    youth = await compliance.open_case(
        disposal="community_resolution", referrals={TREATMENT: ["alcohol_misuse"]}, age_at_offence=16
    )
    await compliance.post(TREATMENT, youth.referrals[TREATMENT], "disengagement")

    rows = await _report(compliance, "compliance?by=disposal_and_age")

    assert {r["group"]: (r["completed"], r["concluded"], r["rate"]) for r in rows} == {
        "community_resolution (adults)": (2, 2, 1.0),
        "community_resolution (youths)": (1, 2, 0.5),
    }


async def test_needs_no_agency_could_take_are_reported_as_such_and_programmes_as_cohorts(compliance):
    women = await compliance.open_case(referrals={WOMEN: ["women_specific_support", "hidden_victimisation"]})
    await complete_referral(compliance, WOMEN, women.referrals[WOMEN])
    await compliance.open_case(referrals={WOMEN: ["women_specific_support"]})
    unplaced = await compliance.open_case(send_referrals=False, conditions=[])
    await compliance.send(
        REFERRALS.name,
        ReferralUnmatched.model_validate(
            {
                "case_id": str(unplaced.case_id),
                "referral_id": str(unplaced.case_id),
                "needs": [{"category": "housing", "severity": "medium"}],
                "reason": "no_eligible_agency",
                "explanation": "No agency in fenland serves housing for this person.",
            }
        ),
    )

    by_agency = {r["group"] for r in await _report(compliance, "compliance?by=agency")}
    programmes = await _report(compliance, "programmes")

    assert by_agency == {WOMEN, "no agency could take"}, "never a blank row"
    assert programmes == [
        {
            "programme": "women's programme",
            "agency_id": WOMEN,
            "people": 2,
            "referrals": 2,
            "completed": 1,
            "active": 1,
            "completion_rate": 1.0,
            "needs_found": {"women_specific_support": 2, "hidden_victimisation": 1},
        }
    ]


async def test_the_headline_figures_stand_beside_the_sources_and_the_csv_suppresses_small_counts(compliance):
    for _ in range(6):
        case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
        await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])
    breached = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
    await compliance.post(TREATMENT, breached.referrals[TREATMENT], "disengagement")
    resolution = await compliance.open_case(disposal="community_resolution", referrals={TREATMENT: ["alcohol_misuse"]})
    await complete_referral(compliance, TREATMENT, resolution.referrals[TREATMENT])

    headline = {row["figure"]: row for row in await _report(compliance, "headline")}
    exported = await compliance.http.get(
        "/v1/reports/compliance", params={"format": "csv", "by": "disposal"}, headers=_ops(compliance)
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))

    caution = headline["conditional_caution_compliance"]
    assert (caution["count"], caution["cohort"], caution["source"]) == (6, 7, 0.93)
    assert caution["difference"] == round(6 / 7 - 0.93, 4)
    assert headline["youth_community_resolution_completion"]["measured"] is None, "no youth CR: no figure, not 0%"
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="compliance-by-disposal.csv"'
    assert rows[0] == (
        {
            "group": "adult_conditional_caution",
            "completed": "6",
            "breached": "<5",
            "not_completed": "0",
            "no_place_available": "0",
            "open": "0",
            "withdrawn": "0",
            "concluded": "7",
            "rate": str(round(6 / 7, 4)),
        }
    )
    assert rows[1]["rate"] == "suppressed", "a rate of fewer than 5 people is not published"
    published = await compliance.http.get("/v1/reports/headline", params={"format": "csv"}, headers=_ops(compliance))
    adult_cr = next(row for row in csv.DictReader(io.StringIO(published.text)) if row["figure"].startswith("adult"))
    assert (adult_cr["count"], adult_cr["measured"], adult_cr["source"]) == ("<5", "suppressed", "0.73")


async def test_a_victim_is_told_each_change_to_the_outcome_and_a_case_without_one_is_not(compliance):
    with_victim = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]}, victim_views="sought")
    without = await compliance.open_case(
        referrals={TREATMENT: ["alcohol_misuse"]}, victim_views="no_identifiable_victim"
    )
    for case in (with_victim, without):
        await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])

    topic = compliance.settings.topic(VICTIM_UPDATES.named(FORCE))
    records = await read_topic(compliance.kafka, topic, at_least=1)
    told = [decode(r.headers, r.value, EVENT_TYPES)[1] for r in records]

    assert [(type(e), e.case_id, e.status) for e in told] == [(CaseStatusChanged, with_victim.case_id, "completed")]
    assert "conditions" not in records[0].value.decode() and "agency" not in records[0].value.decode()


def _ops(compliance) -> dict[str, str]:
    return {"X-API-Key": compliance.keys["ops"]}


async def _report(compliance, path: str):
    answer = await compliance.http.get(f"/v1/reports/{path}", headers=_ops(compliance))
    assert answer.status_code == 200, answer.text
    return answer.json()
