"""Synthetic people: a deterministic population of households in (former) Bình Dương.

Faker's vi_VN locale knows a handful of names, orders them given-name first, has no Bình Dương
places and draws phone prefixes at random, so ``CitizenProvider`` builds on it: names written
family – middle – given with realistic frequencies, ward and khu phố, phones with carrier
prefixes by market share, and ID numbers whose digits agree with the person. Everything comes
from one seed, so every learner who opens the default world meets the same residents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from faker.providers.person.vi_VN import Provider as VietnamesePersonProvider

from congdanso.world.core.text import name_key, nfc
from congdanso.world.core.validate import format_date
from congdanso.world.identity.idnumber import FEMALE, MALE, make_id_number
from congdanso.world.identity.phone import CARRIER_PREFIXES, CARRIER_WEIGHTS
from congdanso.world.society.places import HOME_PROVINCE, MIGRANT_PROVINCES, PROVINCES, WARDS, Ward

# Family names with rough shares in southern Vietnam (Huỳnh and Võ are the southern forms).
FAMILY_NAMES: dict[str, int] = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9,
    "Phạm": 6,
    "Huỳnh": 5,
    "Võ": 4,
    "Phan": 4,
    "Trương": 2,
    "Bùi": 2,
    "Đặng": 2,
    "Đỗ": 2,
    "Ngô": 2,
    "Hồ": 2,
    "Dương": 1,
    "Đinh": 1,
    "Lý": 1,
    "Lâm": 1,
    "Mai": 1,
    "Đoàn": 1,
    "Cao": 1,
    "Hoàng": 1,
    "Vũ": 1,
    "Châu": 1,
    "Tô": 1,
    "Lương": 1,
}
MIDDLE_NAMES = {
    MALE: (
        "Văn",
        "Văn",
        "Văn",
        "Hữu",
        "Đức",
        "Minh",
        "Quốc",
        "Thanh",
        "Công",
        "Hoàng",
        "Gia",
        "Thành",
        "Trọng",
        "Tấn",
        "Anh",
        "Quang",
        "Ngọc",
        "Phước",
    ),
    FEMALE: (
        "Thị",
        "Thị",
        "Thị",
        "Ngọc",
        "Thanh",
        "Thu",
        "Kim",
        "Bảo",
        "Minh",
        "Hồng",
        "Mỹ",
        "Thúy",
        "Phương",
        "Hoài",
        "Diễm",
        "Khánh",
        "Ánh",
    ),
}
GIVEN_NAMES = {
    MALE: (
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Duy",
        "Hải",
        "Hiếu",
        "Hùng",
        "Huy",
        "Khang",
        "Khoa",
        "Kiên",
        "Long",
        "Lộc",
        "Minh",
        "Nam",
        "Nghĩa",
        "Nhân",
        "Phát",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Tâm",
        "Thắng",
        "Thành",
        "Thịnh",
        "Toàn",
        "Trí",
        "Trung",
        "Tuấn",
        "Tùng",
        "Vinh",
        "Bảo",
        "Đạt",
        "Đức",
        "Hậu",
        "Tín",
        "Hưng",
        "Định",
        "Lợi",
    ),
    FEMALE: (
        "An",
        "Anh",
        "Bích",
        "Châu",
        "Chi",
        "Diễm",
        "Dung",
        "Duyên",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Hồng",
        "Hương",
        "Lan",
        "Liên",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Nhi",
        "Oanh",
        "Phương",
        "Quyên",
        "Thảo",
        "Thu",
        "Thủy",
        "Trang",
        "Trinh",
        "Tuyết",
        "Uyên",
        "Vân",
        "Vy",
        "Yến",
        "Xuân",
        "Tiên",
        "Trâm",
    ),
}

RELATIONS = ("Chủ hộ", "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Cháu")
MARRIAGE_AGE = {MALE: 20, FEMALE: 18}  # Luật Hôn nhân và gia đình 2014, art. 8


def _merge(ours: tuple[str, ...], faker_names) -> tuple[str, ...]:
    seen = dict.fromkeys(nfc(n) for n in ours)
    seen.update(dict.fromkeys(nfc(n) for n in faker_names))
    return tuple(seen)


class CitizenProvider(VietnamesePersonProvider):
    """A Faker provider for synthetic residents of (former) Bình Dương.

    Usable on its own with ``Faker("vi_VN").add_provider(CitizenProvider)``; the population
    below drives it through a seeded Faker generator.
    """

    family_names: ClassVar[OrderedDict[str, int]] = OrderedDict(
        FAMILY_NAMES
    )  # Faker wants OrderedDict for weighted picks
    carrier_weights: ClassVar[OrderedDict[str, int]] = OrderedDict(CARRIER_WEIGHTS)
    middle_by_gender: ClassVar[dict[str, tuple[str, ...]]] = {
        MALE: _merge(MIDDLE_NAMES[MALE], ()),
        FEMALE: _merge(MIDDLE_NAMES[FEMALE], ()),
    }
    given_by_gender: ClassVar[dict[str, tuple[str, ...]]] = {
        MALE: _merge(GIVEN_NAMES[MALE], VietnamesePersonProvider.first_names_male),
        FEMALE: _merge(GIVEN_NAMES[FEMALE], VietnamesePersonProvider.first_names_female),
    }

    def family_name(self) -> str:
        return self.random_elements(self.family_names, length=1, use_weighting=True)[0]

    def citizen_name(self, gender: str, family: str | None = None) -> str:
        """Family – middle – given, the order on the ID card."""
        family = family or self.family_name()
        middle = self.random_element(self.middle_by_gender[gender])
        given = self.random_element(self.given_by_gender[gender])
        return nfc(f"{family} {middle} {given}")

    def ward(self) -> Ward:
        return self.random_element(WARDS)

    def mobile_phone(self) -> str:
        carrier = self.random_elements(self.carrier_weights, length=1, use_weighting=True)[0]
        prefix = self.random_element(CARRIER_PREFIXES[carrier])
        return prefix + f"{self.generator.random.randrange(10_000_000):07d}"

    def id_number(self, birth_year: int, gender: str, province_code: str = HOME_PROVINCE) -> str:
        return make_id_number(
            province_code, birth_year, gender, self.generator.random.randrange(1_000_000)
        )


LEVEL2_WITH_CARD = 0.7  # share of card holders whose level-2 account came with the card


@dataclass(slots=True)
class Person:
    id_number: str
    full_name: str
    gender: str
    birth_date: dt.date
    birth_province_code: str
    household_id: str
    relation: str
    phone: str | None  # the SIM this person uses, if any
    phone_registered_to: str | None  # ID number the SIM is registered to with the carrier
    has_chip_card: bool
    email: str | None = None

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    @property
    def birth_date_text(self) -> str:
        return format_date(self.birth_date)

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def birth_province(self) -> str:
        return PROVINCES[self.birth_province_code]

    @property
    def level2_with_card(self) -> bool:
        """Whether the ward police made this person's level-2 VNeID account when the chip card
        was issued (true for most adults in 2026): then the helper's job is activation, not
        enrolment. Drawn from the ID number, so the rest of the population stays as it was;
        the world checks the other conditions (age, card, own SIM)."""
        digest = hashlib.sha256(f"vneid:{self.id_number}".encode()).hexdigest()
        return int(digest[:4], 16) < 0x10000 * LEVEL2_WITH_CARD

    @property
    def card_issued_on(self) -> dt.date:
        """The day the chip card was issued (2021–2024, the years of the mass issuance)."""
        digest = hashlib.sha256(f"the-can-cuoc:{self.id_number}".encode()).hexdigest()
        return dt.date(2021, 3, 1) + dt.timedelta(days=int(digest[:6], 16) % 1300)

    def card(self) -> dict[str, str]:
        """What the căn cước card shows (the data a helper reads to fill a form)."""
        return {
            "Số định danh cá nhân": self.id_number,
            "Họ, chữ đệm và tên": self.full_name,
            "Ngày sinh": self.birth_date_text,
            "Giới tính": self.gender.capitalize(),
            "Nơi đăng ký khai sinh": self.birth_province,
        }


@dataclass(slots=True)
class Household:
    id: str
    ward: Ward
    khu_pho: str
    address: str
    members: list[Person] = field(default_factory=list)

    @property
    def head(self) -> Person:
        return self.members[0]

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.khu_pho}, {self.ward.full_name}"


class Population:
    """The population database (Cơ sở dữ liệu quốc gia về dân cư) of the simulated world."""

    def __init__(
        self,
        seed: int,
        *,
        households_per_khu_pho: int = 5,
        reference_day: dt.date = dt.date(2026, 3, 2),
    ):
        from faker import Generator

        self.seed = seed
        self.reference_day = reference_day
        gen = Generator()
        gen.seed_instance(seed)
        self._fake = CitizenProvider(gen)
        gen.add_provider(self._fake)
        self._rng = gen.random
        self.households: list[Household] = []
        self.people: list[Person] = []
        self.by_id: dict[str, Person] = {}
        self.by_phone: dict[str, Person] = {}
        self.sim_owner: dict[str, str] = {}  # phone → ID number it is registered to
        self._build(households_per_khu_pho)

    # -- generation ---------------------------------------------------------------------------
    def _birth(self, age: int) -> dt.date:
        """A birth date that makes the person exactly ``age`` on the reference day."""
        ref = self.reference_day
        latest = ref.replace(year=ref.year - age, day=min(ref.day, 28))
        return latest - dt.timedelta(days=self._rng.randrange(365))

    def _unique_id(self, birth: dt.date, gender: str, province: str) -> str:
        while True:
            number = self._fake.id_number(birth.year, gender, province)
            if number not in self.by_id:
                return number

    def _unique_phone(self) -> str:
        while True:
            number = self._fake.mobile_phone()
            if number not in self.sim_owner:
                return number

    def _person(
        self,
        household: Household,
        relation: str,
        gender: str,
        age: int,
        province: str,
        family: str | None = None,
    ) -> Person:
        birth = self._birth(age)
        id_number = self._unique_id(birth, gender, province)
        person = Person(
            id_number=id_number,
            full_name=self._fake.citizen_name(gender, family),
            gender=gender,
            birth_date=birth,
            birth_province_code=province,
            household_id=household.id,
            relation=relation,
            phone=None,
            phone_registered_to=None,
            # From 14 a card is compulsory; under 14 it is issued when parents ask (Luật Căn
            # cước 2023, from 1/7/2024): about a third of children have one. Drawn from the ID
            # number, not the generator, so adding it left everyone else as they were.
            has_chip_card=(self._rng.random() < 0.96 if age >= 14
                           else int(hashlib.sha256(id_number.encode()).hexdigest()[:4], 16)
                           < 0x10000 * 0.35),
        )
        household.members.append(person)
        self.people.append(person)
        self.by_id[person.id_number] = person
        return person

    def _give_phones(self, household: Household) -> None:
        adults = [p for p in household.members if p.age_on(self.reference_day) >= 15]
        for person in adults:
            age = person.age_on(self.reference_day)
            if self._rng.random() > (0.6 if age >= 70 else 0.95):
                continue
            number = self._unique_phone()
            person.phone = number
            # Some elderly residents use a SIM registered to a grown child: a classic snag when
            # the portal asks for "a phone registered to your ID".
            owner = person
            if age >= 60 and self._rng.random() < 0.4:
                younger = [p for p in adults if p.age_on(self.reference_day) < 60]
                owner = younger[0] if younger else person
            person.phone_registered_to = owner.id_number
            self.sim_owner[number] = owner.id_number
            self.by_phone[number] = person
            if age < 50 and self._rng.random() < 0.3:
                local = name_key(person.full_name.split(" ")[-1])
                person.email = f"{_ascii(local)}{self._rng.randrange(10, 99)}@example.vn"

    def _build(self, per_khu_pho: int) -> None:
        rng = self._rng
        serial = 0
        for ward in WARDS:
            for khu_pho in ward.khu_pho:
                for _ in range(per_khu_pho):
                    serial += 1
                    address = (
                        f"Số {rng.randrange(1, 250)}/{rng.randrange(1, 40)} "
                        f"{rng.choice(ward.streets)}"
                    )
                    household = Household(f"HO{serial:05d}", ward, khu_pho, address)
                    self.households.append(household)
                    self._fill(household)
                    self._give_phones(household)

    def _fill(self, household: Household) -> None:
        rng = self._rng
        migrant = rng.random() < 0.35
        province = (
            rng.choices(list(MIGRANT_PROVINCES), weights=list(MIGRANT_PROVINCES.values()))[0]
            if migrant
            else HOME_PROVINCE
        )
        kind = rng.choices(
            ["single_elder", "couple", "family", "three_gen", "young_worker"],
            weights=[1, 2, 5, 3, 3 if migrant else 1],
        )[0]
        head_gender = MALE if rng.random() < 0.7 else FEMALE
        other = FEMALE if head_gender == MALE else MALE
        if kind == "single_elder":
            self._person(
                household, "Chủ hộ", rng.choice([MALE, FEMALE]), rng.randrange(66, 90), province
            )
            return
        if kind == "young_worker":
            # Legal marriage ages (Luật Hôn nhân và gia đình 2014, art. 8): a man from 20, a
            # woman from 18 — a married young worker is never younger.
            head = self._person(household, "Chủ hộ", head_gender,
                                max(MARRIAGE_AGE[MALE], rng.randrange(19, 32)), province)
            if rng.random() < 0.5:
                self._person(
                    household,
                    "Vợ" if other == FEMALE else "Chồng",
                    other,
                    max(MARRIAGE_AGE[other], head.age_on(self.reference_day) + rng.randrange(-4, 3)),
                    province,
                )
            return
        head_age = rng.randrange(32, 66) if kind != "three_gen" else rng.randrange(35, 55)
        head = self._person(household, "Chủ hộ", head_gender, head_age, province)
        family = head.full_name.split(" ")[0] if head_gender == MALE else None
        spouse = self._person(
            household,
            "Vợ" if other == FEMALE else "Chồng",
            other,
            max(20, head_age + rng.randrange(-6, 4)),
            province,
        )
        father = head if head.gender == MALE else spouse
        father_family = father.full_name.split(" ")[0]
        if kind in {"family", "three_gen"}:
            for _ in range(rng.choice([1, 2, 2, 3])):
                child_age = rng.randrange(0, max(1, min(head_age - 20, 34)))
                # Children born after the family settled here were registered in Bình Dương.
                child_province = HOME_PROVINCE if child_age < 12 or not family else province
                self._person(
                    household,
                    "Con",
                    rng.choice([MALE, FEMALE]),
                    child_age,
                    child_province,
                    family=father_family,
                )
        if kind == "three_gen":
            self._person(
                household,
                "Cha" if rng.random() < 0.4 else "Mẹ",
                MALE if rng.random() < 0.4 else FEMALE,
                head_age + rng.randrange(22, 32),
                province,
            )

    # -- queries ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.people)

    def __iter__(self) -> Iterator[Person]:
        return iter(self.people)

    def get(self, id_number: str) -> Person | None:
        return self.by_id.get(id_number)

    def require(self, id_number: str) -> Person:
        """The person with a typed ID number, or a Vietnamese error: malformed, or not found."""
        from congdanso.world.core.errors import NotFoundError
        from congdanso.world.identity.idnumber import clean_id_number, parse_id_number

        parse_id_number(id_number)
        person = self.by_id.get(clean_id_number(id_number))
        if person is None:
            raise NotFoundError("Không tìm thấy số định danh này trong Cơ sở dữ liệu quốc gia về "
                                "dân cư. Hãy đọc lại từng số trên thẻ căn cước.",
                                field="id_number")
        return person

    def household_of(self, person: Person) -> Household:
        return self.households[int(person.household_id[2:]) - 1]

    def find_by_name(self, name: str) -> list[Person]:
        key = name_key(name)
        return [p for p in self.people if name_key(p.full_name) == key]

    def adults(self) -> list[Person]:
        return [p for p in self.people if p.age_on(self.reference_day) >= 18]

    def practice_residents(self) -> list[Person]:
        """Adults who can do every flow themselves: own SIM (chính chủ) and a chip ID card."""
        return [
            p
            for p in self.adults()
            if p.phone and p.phone_registered_to == p.id_number and p.has_chip_card
        ]

    def residents_of(self, ward_code: str, khu_pho: str | None = None) -> list[Person]:
        return [
            p
            for h in self.households
            if h.ward.code == ward_code and (khu_pho is None or h.khu_pho == khu_pho)
            for p in h.members
        ]


def _ascii(text: str) -> str:
    from congdanso.world.core.text import strip_diacritics

    return strip_diacritics(text).lower()
