from __future__ import annotations

import unicodedata
from collections import Counter

from congdanso.world.identity.idnumber import parse_id_number
from congdanso.world.identity.phone import parse_phone
from congdanso.world.society.people import FAMILY_NAMES, Population
from congdanso.world.society.places import PROVINCES, WARDS
from hypothesis import given, settings
from hypothesis import strategies as st


def test_same_seed_same_people(population):
    again = Population(74)
    assert [(p.id_number, p.full_name, p.phone) for p in again] == [
        (p.id_number, p.full_name, p.phone) for p in population]
    other = Population(75)
    assert [p.id_number for p in other][:20] != [p.id_number for p in population][:20]


def test_people_live_in_the_seed_wards(population):
    wards = {h.ward.name for h in population.households}
    assert {"Phường Lái Thiêu", "Phường Phú Lợi", "Phường Tân Đông Hiệp"} <= wards
    assert "Khu phố Đông Nhì" in {h.khu_pho for h in population.households}
    every_khu_pho = {(w.code, k) for w in WARDS for k in w.khu_pho}
    assert {(h.ward.code, h.khu_pho) for h in population.households} == every_khu_pho
    assert population.households[0].full_address.endswith(", Thành phố Hồ Chí Minh")


def test_names_are_nfc_and_family_name_first(population):
    for person in population:
        assert unicodedata.is_normalized("NFC", person.full_name)
        assert person.full_name.split(" ")[0] in FAMILY_NAMES
        assert len(person.full_name.split(" ")) == 3
    family = Counter(p.full_name.split(" ")[0] for p in population)
    assert family.most_common(1)[0][0] == "Nguyễn"


def test_id_numbers_agree_with_each_person(population):
    assert len(population.by_id) == len(population)
    for person in population:
        parts = parse_id_number(person.id_number)
        assert parts.birth_year == person.birth_year
        assert parts.gender == person.gender
        assert parts.province_code == person.birth_province_code in PROVINCES


def test_phones_are_real_format_and_unique(population):
    phones = [p.phone for p in population if p.phone]
    assert len(phones) == len(set(phones)) > 200
    for number in phones:
        assert parse_phone(number) == number
    prefixes = Counter(n[:3] for n in phones)
    assert len(prefixes) > 10
    for person in population:
        if person.age_on(population.reference_day) < 15:
            assert person.phone is None


def test_households_look_like_households(population):
    for household in population.households:
        assert household.head.relation == "Chủ hộ"
        for member in household.members:
            assert member.household_id == household.id
            assert population.household_of(member) is household
    # some elderly residents use a SIM registered to a grown child (a lesson in itself)
    assert any(p.phone and p.phone_registered_to != p.id_number for p in population)
    assert len(population.practice_residents()) > 150


def test_find_by_name_ignores_nfd_and_spacing(population):
    person = population.people[5]
    typed = "  " + unicodedata.normalize("NFD", person.full_name.upper()) + "  "
    assert person in population.find_by_name(typed)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_any_seed_gives_consistent_ids(seed):
    population = Population(seed, households_per_khu_pho=1)
    for person in population:
        parts = parse_id_number(person.id_number)
        assert (parts.birth_year, parts.gender) == (person.birth_year, person.gender)


def test_every_address_is_of_2026_two_levels_and_no_old_ward(population):
    """Since 1/7/2025: "…, khu phố, phường, Thành phố Hồ Chí Minh" — no district, no pre-merger
    ward (BRIEF, 2026 facts)."""
    import re

    from congdanso.world.society.places import WARDS

    old_wards = {unit.short for ward in WARDS for unit in ward.former} - {
        ward.name.removeprefix("Phường ") for ward in WARDS}
    district = re.compile(r"\b(quận|huyện|thị xã|TP\. Thuận An|TP\. Dĩ An|TP\. Thủ Dầu Một|"
                          r"Bình Dương)\b", re.IGNORECASE)
    for household in population.households:
        address = household.full_address
        assert address.endswith(", Thành phố Hồ Chí Minh") and not district.search(address), address
        ward = address.split(", ")[-2]
        assert ward.removeprefix("Phường ") not in old_wards, address
    assert {"Tân Bình", "Phú Cường"} <= old_wards


def test_married_people_are_of_legal_marriage_age(population):
    """Luật Hôn nhân và gia đình 2014, art. 8: a man marries from 20, a woman from 18."""
    from congdanso.world.identity.idnumber import MALE

    today = population.reference_day
    for household in population.households:
        spouses = [m for m in household.members if m.relation in ("Vợ", "Chồng")]
        if not spouses:
            continue
        for person in (household.head, *spouses):
            minimum = 20 if person.gender == MALE else 18
            assert person.age_on(today) >= minimum, (household.id, person.relation,
                                                    person.age_on(today))
