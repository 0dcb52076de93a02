"""The agency catalogue loads as committed; a broken one is refused with a message naming the file and field."""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import getitem
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import param

from schemas.vocabulary import DashRiskLevel, DeliveryMode, DisposalType, NeedCategory, Sex
from services.referral_router.domain.catalogue import CatalogueError, WhenFull, load_catalogue

CATALOGUE_FILE = Path(__file__).resolve().parents[3] / "deploy" / "agencies" / "catalogue.yaml"
DELETE = object()


def test_the_committed_catalogue_loads() -> None:
    catalogue = load_catalogue(CATALOGUE_FILE)

    assert catalogue.version == "2026.3"
    assert {date(2025, 12, 25), date(2026, 12, 28), date(2027, 3, 26)} <= catalogue.bank_holidays
    women = catalogue.agency("brighter-tomorrows")
    assert (women.accepts.sexes, women.accepts.min_age, women.accepts.areas) == ({Sex.FEMALE}, 18, {"peterborough"})
    assert women.when_full is WhenFull.QUEUE
    programme = catalogue.agency("da-perpetrator-programme").accepts
    assert programme.domestic_abuse_only
    assert programme.dash_risk == {DashRiskLevel.STANDARD, DashRiskLevel.MEDIUM}
    assert programme.disposals == {DisposalType.ADULT_CONDITIONAL_CAUTION, DisposalType.DIVERSIONARY_CAUTION}
    youth_teams = [agency for agency in catalogue.agencies if agency.youth_offending_team]
    assert [agency.id for agency in youth_teams] == ["youth-offending-service"]
    assert youth_teams[0].needs == set(NeedCategory)
    assert any(agency.delivery_modes == {DeliveryMode.ONLINE} for agency in catalogue.agencies)
    assert set().union(*(agency.needs for agency in catalogue.agencies if not agency.youth_offending_team)) == set(
        NeedCategory
    )
    assert [agency.id for agency in catalogue.agencies if agency.onward_only] == ["food-bank"]
    named = {agency.id: agency.name for agency in catalogue.agencies}
    assert "Outside Links" in named["brighter-tomorrows"] and "Liaison and Diversion" in named["liaison-and-diversion"]


def test_an_unknown_agency_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_catalogue(CATALOGUE_FILE).agency("no-such-agency")


@pytest.mark.parametrize(
    ("where", "value", "field", "problem"),
    [
        param(("agencies", 0, "colour"), "blue", "agencies.0.colour", "Extra inputs are not permitted", id="unknown"),
        param(("agencies", 0, "capacity"), "lots", "agencies.0.capacity", "valid integer", id="capacity not a number"),
        param(("agencies", 0, "capacity"), 0, "agencies.0.capacity", "greater than or equal to 1", id="no capacity"),
        param(("agencies", 0, "needs"), ["gardening"], "agencies.0.needs.0", "Input should be", id="unknown need"),
        param(("agencies", 0, "needs"), [], "agencies.0.needs", "at least 1 item", id="no needs"),
        param(("agencies", 0, "when_full"), "wait", "agencies.0.when_full", "'queue' or 'next_best'", id="when full"),
        param(
            ("agencies", 1, "accepts", "areas"),
            ["Leeds City"],
            "agencies.1.accepts.areas.0",
            "should match pattern",
            id="area not a slug",
        ),
        param(
            ("agencies", 2, "accepts", "max_age"),
            16,
            "agencies.2.accepts",
            "max_age is below min_age",
            id="max_age below min_age",
        ),
        param(
            ("agencies", 4, "accepts", "dash_risk"),
            ["severe"],
            "agencies.4.accepts.dash_risk.0",
            "Input should be 'standard', 'medium' or 'high'",
            id="unknown DASH level",
        ),
        param(("agencies", 2, "id"), "Liaison Diversion", "agencies.2.id", "should match pattern", id="id not slug"),
        param(
            ("agencies", 2, "id"),
            "brighter-tomorrows",
            "agencies",
            "agency id(s) listed more than once: brighter-tomorrows",
            id="duplicate id",
        ),
        param(("agencies", 3, "accepts", "min_age"), DELETE, "agencies.3.accepts.min_age", "Field required", id="age"),
        param(("bank_holidays",), ["2026-02-30"], "bank_holidays.0", "valid date", id="impossible holiday"),
        param(("version",), DELETE, "version", "Field required", id="missing version"),
        param(("agencies",), [], "agencies", "at least 1 item", id="no agencies"),
    ],
)
def test_an_invalid_catalogue_is_refused_naming_the_file_and_field(
    tmp_path: Path, where: tuple[str | int, ...], value: Any, field: str, problem: str
) -> None:
    raw = yaml.safe_load(CATALOGUE_FILE.read_text())
    *parents, key = where
    section = reduce(getitem, parents, raw)
    if value is DELETE:
        del section[key]
    else:
        section[key] = value
    broken = tmp_path / "catalogue.yaml"
    broken.write_text(yaml.safe_dump(raw))

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(broken)

    assert f"agency catalogue {broken} is invalid" in str(refused.value)
    assert f"{field}: " in str(refused.value)
    assert problem in str(refused.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        param("agencies: [unclosed", "is not valid YAML", id="bad YAML"),
        param("", "(top level): Input should be a valid dictionary", id="empty file"),
        param(b"version: \xff\xfe", "is not UTF-8 text", id="not UTF-8"),
        param(None, "No such file or directory", id="missing file"),
    ],
)
def test_an_unreadable_catalogue_file_is_refused_naming_the_file(
    tmp_path: Path, content: str | bytes | None, problem: str
) -> None:
    broken = tmp_path / "catalogue.yaml"
    if isinstance(content, bytes):
        broken.write_bytes(content)
    elif content is not None:
        broken.write_text(content)

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(broken)

    assert str(broken) in str(refused.value)
    assert problem in str(refused.value)
