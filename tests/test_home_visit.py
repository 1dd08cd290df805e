"""Residents who cannot come to the ward police: a relative books a home visit, the officers
come at the booked time and enrol the resident at home (level 2)."""

from __future__ import annotations

import pytest
from congdanso.world import PermissionDeniedError, StateError, ValidationError, World
from congdanso.world.identity.homevisit import REASONS


@pytest.fixture
def world(tmp_path):
    return World.open(tmp_path / "nhat-ky.jsonl", pace="manual")


def _homebound(world):
    """An old resident with a phone of their own and no VNeID account yet."""
    people = [p for p in world.population.adults() if p.phone and p.has_chip_card
              and p.phone_registered_to == p.id_number
              and world.vneid.account_of(p.id_number) is None]
    return max(people, key=lambda p: p.age_on(world.now.date()))


def test_the_police_come_home_to_a_bedridden_resident(world):
    grandma = _homebound(world)
    relative = next(p for p in world.population.adults() if p.phone
                    and p.id_number != grandma.id_number)
    with pytest.raises(PermissionDeniedError, match="công an đến nhà"):
        world.police.enroll_level2(grandma.id_number, grandma.phone, present=False)
    with pytest.raises(ValidationError, match="lý do"):
        world.police.request_home_visit(grandma.id_number, "Bận đi làm", relative.phone)
    with pytest.raises(ValidationError):
        world.police.request_home_visit(grandma.id_number, REASONS[1], "12345")
    visit = world.police.request_home_visit(grandma.id_number, REASONS[1], relative.phone)
    said = world.inbox(relative.phone).messages[-1].text
    assert "tu 8:00" in said and "Khong thu phi" in said
    again = world.police.request_home_visit(grandma.id_number, REASONS[2], relative.phone)
    assert again.id == visit.id and again.reason == REASONS[2]  # corrected, not doubled
    assert len(world.police.home_visits) == 1
    with pytest.raises(StateError, match="Chưa đến ngày hẹn"):
        world.police.visit_home(visit.id, grandma.phone)
    world.advance(days=2)  # two days later, the morning: the officers come
    account = world.police.visit_home(visit.id.lower(), grandma.phone)
    assert account.level == 2 and world.police.home_visits[visit.id].done
    with pytest.raises(StateError, match="đến nhà theo lịch hẹn này rồi"):
        world.police.visit_home(visit.id, grandma.phone)
    with pytest.raises(StateError, match="đã có tài khoản mức 2"):
        world.police.request_home_visit(grandma.id_number, REASONS[0], relative.phone)


def test_home_visits_replay_from_the_journal(tmp_path):
    world = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    grandma = _homebound(world)
    visit = world.police.request_home_visit(grandma.id_number, REASONS[0], grandma.phone)
    world.advance(days=3)
    world.police.visit_home(visit.id, grandma.phone)
    again = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    assert again.police.home_visits[visit.id].done
    assert again.vneid.account_of(grandma.id_number).level == 2


def test_lesson_07_practice_books_the_police_for_someone_who_cannot_come(tmp_path):
    """By clicks at the police desk: the wrong reason is judged wrong, the visit waits for its
    time, then the officers enrol the resident at home and the step is done."""
    from congdanso.ui.exercise import Exercise
    from congdanso.world.identity.homevisit import REASONS

    ex = Exercise("thuc-hanh-07", world=World(), learner="hv-01", folder=tmp_path)
    from congdanso.grading.key import load_key

    v, desk = load_key().values(ex.world, ex.scenario), ex.police
    assert "homebound_reason" not in ex.scenario.values  # the situation says it in words only
    who = ex.world.population.require(v["homebound"])
    relative = ex.world.population.require(v["homebound_relative"])
    assert who.full_name in v["homebound_text"] and relative.phone in v["homebound_text"]
    assert "Người dân không đến được?" in " ".join(
        getattr(w, "value", "") for w in desk.widget.children)
    assert not any(name == "den-nha" and todo is None for name, _, todo in ex.progress())
    wrong = next(r for r in REASONS if r != v["homebound_reason"])
    assert desk.f_reason.value is None  # no reason chosen for the learner
    assert desk.book_home_visit(who.id_number, wrong, "0123") is None
    assert desk.f_contact.error_text  # a phone number that is none, said under its field
    assert desk.book_home_visit(who.id_number, wrong, who.phone) is not None
    assert "Đã đăng ký" in desk.book_status.value and not desk.home_status.value
    assert "chờ công an đến" in desk.visits.value and "DN0" not in desk.visits.value
    todo = dict((n, t) for n, _, t in ex.progress())["den-nha"]
    assert "Lý do" in todo
    desk.book_home_visit(who.id_number, v["homebound_reason"], who.phone)  # corrected
    assert "người nhà" in dict((n, t) for n, _, t in ex.progress())["den-nha"]
    desk.book_home_visit(who.id_number, v["homebound_reason"], relative.phone)
    assert desk.visit(who.phone) is None and "Chưa đến ngày hẹn" in desk.home_status.value
    assert not desk.book_status.value  # the word is said under the button pressed
    ex.wait(days=1)
    ex.wait(days=1)  # two presses: the morning of the visit
    assert desk.visit(who.phone) is not None and "công an đã đến" in desk.visits.value
    assert dict((n, t) for n, _, t in ex.progress())["den-nha"] is None
    assert ex.world.vneid.account_of(who.id_number).level == 2


def test_the_graded_situation_says_the_reason_in_words_only():
    """The learner's kernel holds the catalogue: for the graded exercise it has each situation's
    words, and only the grader's answer key says which reason they are."""
    from congdanso.grading.key import load_key
    from congdanso.grading.variants import catalogue

    situations = catalogue()["ho-tro-nguoi-dan"]["homebound"]
    assert situations and all(set(s) == {"id", "text"} for s in situations)
    keyed = load_key().spec("ho-tro-nguoi-dan")["homebound"]
    assert {s["reason"] for s in keyed} <= set(REASONS)


def test_every_learner_of_the_support_exercise_gets_a_homebound_resident():
    """The support exercise draws, for each learner, an old resident without a VNeID account
    from the khu phố of the scenario; where every such resident already has one, one of the
    ward's. No draw may fail to open the exercise (a few learners in 200 once could not)."""
    from congdanso.grading.variants import derive

    world = World()
    wards = set()
    for i in range(400):
        values = derive(world, "ho-tro-nguoi-dan", f"token-{i}", f"hv-{i}").values
        person = world.population.get(values["homebound"])
        home = world.population.household_of(person)
        assert home.ward.code == values["ward"]
        assert world.vneid.account_of(person.id_number) is None
        assert person.id_number not in values["already"]
        wards.add((values["ward"], home.khu_pho == values["khu_pho"]))
    assert any(same for _, same in wards) and any(not same for _, same in wards)
