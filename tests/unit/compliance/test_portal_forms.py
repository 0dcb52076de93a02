"""How the portal turns a posted form into the API's request body, on plain values: rows of fields become lists,
blank answers are left out for the model's defaults, text becomes the JSON types the strict models take, and the
model's refusals are named by the field a person sees."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.compliance.entrypoints.web.portal_pages import _problems, form_body, typed
from services.compliance.entrypoints.work_models import ActionPlanRequest, ConcernRequest, SessionRequest


def test_rows_become_lists_and_blank_rows_and_answers_are_left_out():
    body = form_body(
        {
            "activities.1.need": "housing",
            "activities.1.activity": " Find a flat ",
            "activities.0.need": "alcohol_misuse",
            "activities.0.activity": "Weekly sessions",
            "goals.0.need": "",
            "goals.0.goal": "",
            "sessions_planned": "4",
            "plan_id": "  ",
        }
    )
    assert body == {
        "activities": [
            {"need": "alcohol_misuse", "activity": "Weekly sessions"},
            {"need": "housing", "activity": "Find a flat"},
        ],
        "goals": [],
        "sessions_planned": "4",
    }


def test_text_becomes_the_types_a_strict_model_takes_and_nothing_else():
    assert typed(ActionPlanRequest, {"sessions_planned": "4"}) == {"sessions_planned": 4}
    assert typed(ActionPlanRequest, {"sessions_planned": "four"}) == {"sessions_planned": "four"}
    assert typed(SessionRequest, {"concerning_behaviour": "true", "notes": "12"}) == {
        "concerning_behaviour": True,
        "notes": "12",
    }


def test_a_refusal_names_the_answer_and_says_what_to_do():
    with pytest.raises(ValidationError) as refused:
        ConcernRequest.model_validate({"urgency": "someday"})
    problems = _problems(refused.value.errors())
    assert problems == {
        "kind": "Kind: choose one of the options",
        "urgency": "Urgency: choose one of the options",
        "details": "Details: answer this",
    }
    with pytest.raises(ValidationError) as refused:
        ActionPlanRequest.model_validate({"activities": [{"need": "housing"}], "goals": [], "sessions_planned": 1})
    assert _problems(refused.value.errors())["activities.0.activity"] == "Activities 1, activity: answer this"
