"""The chaos plan is a pure function of its seed: a failing run can be replayed."""

from __future__ import annotations

from collections import Counter

from chaos.plan import POISON_KINDS, REORDER_WINDOW, make_plan


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    assert make_plan(7, 500) == make_plan(7, 500)
    assert make_plan(7, 500).order == make_plan(7, 500).order
    assert make_plan(8, 500).order != make_plan(7, 500).order


def test_every_decision_is_sent_and_one_in_ten_twice():
    plan = make_plan(3, 1000)
    sent = Counter(plan.order)
    assert set(sent) == set(range(1000))
    assert sorted(Counter(sent.values()).items()) == [(1, 900), (2, 100)]
    assert plan.resent_decisions == 100


def test_decisions_leave_out_of_order_but_first_copies_stay_within_their_window():
    plan = make_plan(3, 1000)
    first_copies = list(dict.fromkeys(plan.order))
    assert first_copies != sorted(first_copies)
    for position, index in enumerate(first_copies):
        assert position // REORDER_WINDOW == index // REORDER_WINDOW


def test_each_kind_of_fault_and_poison_is_planned_in_the_order_of_the_run():
    plan = make_plan(3, 1000)
    assert [f.kind for f in plan.faults] == ["broker", "service", "service", "service", "postgres"]
    assert sorted(f.target.split("#")[0] for f in plan.faults if f.kind == "service") == [
        "compliance",
        "intake",
        "router",
    ]
    assert [len(wave) for wave in plan.waves] == [184, 184, 184, 184, 184, 180]
    assert [index for wave in plan.waves for index in wave] == list(plan.order)
    assert Counter(p.kind for p in plan.poisons) == {kind: 2 for kind in POISON_KINDS}


def test_every_kind_of_poison_has_a_recipe():
    from chaos.drive import POISONING

    assert set(POISONING) == set(POISON_KINDS)
