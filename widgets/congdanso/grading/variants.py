"""Each learner's own scenario for a graded exercise, drawn from the catalogue (``data/bai-tap.json``).

The trainer's course holds a random secret (``.congdanso/bi-mat-khoa-hoc``, never in the package
or the repository). A learner's *token* for an assignment is an HMAC of their learner id under that
secret. On the class server each learner's server is given only that learner's tokens
(``~/.congdanso/phuong-an.json``); on a single machine ``congdanso release`` writes the table
(``phuong-an.json``) into the released assignment. Everything else (which resident, which amounts,
which trap, the order of the options) is drawn deterministically from the token, in the kernel when
the exercise opens and again in the grader, which recomputes the token from the submission's learner
id. A journal copied from a classmate carries the classmate's token and resident, so it earns
nothing on the items that differ.

The catalogue holds what a learner sees: situations, messages, papers, options. Which option is right
lives only in the course's answer key (``dap-an.json``, :mod:`congdanso.grading.key`), read by the
grader; a scenario drawn in the learner's kernel carries ids and texts, never an expected answer.
A lesson's practice (``"practice": true``) is the exception: it says right or wrong at once, so its
answers are in the catalogue and its items are never graded.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import random
import secrets
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from congdanso.world.society.people import Person
    from congdanso.world.world import World

SECRET_FILE = Path(".congdanso") / "bi-mat-khoa-hoc"
VARIANTS_FILE = "phuong-an.json"
PRACTICE_PREFIX = "tu-luyen-"
BANK_PASSWORD = "NganHang@1"  # the resident's app password in the exercises (shown on the card)


@cache
def catalogue() -> dict[str, Any]:
    """The scenario catalogue shipped with the package."""
    text = resources.files("congdanso.grading").joinpath("data/bai-tap.json").read_text("utf-8")
    return json.loads(text)["assignments"]


def kind_of(assignment: str) -> str:
    """A lesson's practice (``"like": "ky-so-hop-dong"``) is set up like the exercise it names."""
    return spec(assignment).get("like", assignment)


def spec(assignment: str) -> dict[str, Any]:
    try:
        return catalogue()[assignment]
    except KeyError:
        from congdanso.world.core.errors import ValidationError

        raise ValidationError(
            f"Không có bài tập \"{assignment}\" trong danh mục tình huống. Các bài có: "
            + ", ".join(sorted(catalogue())) + ".", field="assignment") from None


# -- the course secret and tokens ---------------------------------------------------------------
def course_secret(course: str | os.PathLike[str], *, create: bool = True) -> bytes:
    """The course's random secret; made (0600) by the trainer's first command that needs it."""
    path = Path(course) / SECRET_FILE
    try:
        value = path.read_text("ascii").strip()
    except FileNotFoundError:
        if not create:
            raise
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        value = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value + "\n")
    return bytes.fromhex(value)


def token_for(secret: bytes, assignment: str, learner: str) -> str:
    return hmac.new(secret, f"{assignment}\n{learner}".encode(), hashlib.sha256).hexdigest()[:24]


def practice_token(assignment: str, learner: str) -> str:
    digest = hashlib.sha256(f"{assignment}\n{learner}".encode()).hexdigest()[:16]
    return PRACTICE_PREFIX + digest


OWN_TOKENS = Path(".congdanso") / VARIANTS_FILE  # in a class-server learner's home
CLASS_MARK = Path(".congdanso") / "ma-lop"  # a course the class server runs


def tokens_of(course: str | os.PathLike[str], learner: str) -> dict[str, str]:
    """One learner's tokens for every assignment of the course (what the class server gives
    that learner's server, and nobody else's)."""
    secret = course_secret(course)
    source = Path(course) / "source"
    names = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
    return {name: token_for(secret, name, learner) for name in names}


def write_variant_table(course: str | os.PathLike[str], assignment: str,
                        learners: list[str]) -> Path | None:
    """The tokens of every learner of the roster, beside the released notebook: for a course on
    one machine. A class-server course publishes no table (every learner could read it): each
    learner's server is given that learner's own tokens at start (:func:`tokens_of`)."""
    path = Path(course) / "release" / assignment / VARIANTS_FILE
    if (Path(course) / CLASS_MARK).exists():
        path.unlink(missing_ok=True)
        return None
    secret = course_secret(course)
    table = {learner: token_for(secret, assignment, learner) for learner in sorted(learners)}
    path.write_text(json.dumps({"assignment": assignment, "tokens": table}, indent=1,
                               ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def own_home() -> Path:
    """Where the learner's own tokens live: their home on the class server; on one machine the
    learner's folder of the course (``congdanso hoc`` sets ``CONGDANSO_HOME``)."""
    return Path(os.environ.get("CONGDANSO_HOME") or Path.home())


def learner_id() -> str:
    """Who is working: the hub user, or the account nbgrader submits under."""
    return (os.environ.get("CONGDANSO_LEARNER") or os.environ.get("JUPYTERHUB_USER")
            or getpass.getuser())


def _read_token(path: Path, assignment: str, learner: str) -> str | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        if path.name == VARIANTS_FILE and data.get("learner") is not None:  # one learner's own
            token = data["tokens"][assignment] if data["learner"] == learner else None
        else:  # a released table: every learner of the roster
            token = data["tokens"][learner]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


def token_in_folder(folder: str | os.PathLike[str], assignment: str,
                    learner: str) -> tuple[str, bool]:
    """(token, official): the learner's token (given to their server by the class server, or
    from the released table), or a practice token when the learner is on neither (the exercise
    still works, but is not the graded variant)."""
    for path in (own_home() / OWN_TOKENS, Path(folder) / VARIANTS_FILE):
        token = _read_token(path, assignment, learner)
        if token is not None:
            return token, True
    return practice_token(assignment, learner), False


# -- scenarios ----------------------------------------------------------------------------------
@dataclass
class Scenario:
    assignment: str
    token: str
    learner: str
    residents: list[str] = field(default_factory=list)  # id numbers, the first is "the" resident
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def official(self) -> bool:
        return not self.token.startswith(PRACTICE_PREFIX)

    @property
    def resident(self) -> str | None:
        return self.residents[0] if self.residents else None

    def option_order(self, question: str, options: list[str]) -> list[str]:
        """The options of a choice question in this learner's own order (drawn from the token)."""
        order = list(options)
        random.Random(f"{self.assignment}:{self.token}:{question}").shuffle(order)
        return order

    def question(self, question: str) -> dict[str, Any]:
        """A question as this learner meets it: for an item with variants, the variant drawn
        for this learner (its own situation, prompt and options)."""
        found = spec(self.assignment)["questions"][question]
        chosen = self.values.get("variants", {}).get(question)
        if chosen is None:
            return found
        variant = next(v for v in found["variants"] if v["id"] == chosen)
        return {**{k: v for k, v in found.items() if k != "variants"}, **variant}

    def prompt(self, question: str) -> str:
        return _fill(self.question(question)["prompt"], self.values)

    def options(self, question: str) -> list[str]:
        """The options of a choice question, in this learner's own order."""
        return self.option_order(question, list(self.question(question).get("options", [])))


def _fill(text: str, values: dict[str, Any]) -> str:
    for key, value in sorted(values.items(), key=lambda kv: -len(kv[0])):  # $name_x before $name
        text = text.replace("$" + key, str(value))
    return text


def _rng(assignment: str, token: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{assignment}:{token}".encode()).hexdigest(), 16))


def _candidates(world: World, *, min_age: int = 22, max_age: int = 68) -> list[Person]:
    day = world.population.reference_day
    return [p for p in world.population.practice_residents()
            if min_age <= p.age_on(day) <= max_age]


def derive(world: World, assignment: str, token: str, learner: str) -> Scenario:
    """Draw the scenario of one token (the same in the kernel and in the grader)."""
    data = spec(assignment)
    kind = kind_of(assignment)
    rng = _rng(assignment, token)
    scenario = Scenario(assignment, token, learner)
    values = scenario.values
    drawn = {q: random.Random(f"{assignment}:{token}:bien-the:{q}").choice(item["variants"])["id"]
             for q, item in data["questions"].items() if item.get("variants")}
    if drawn:  # each item with variants: a situation of its own for this learner
        values["variants"] = drawn
    if kind == "ho-tro-nguoi-dan":
        ward, khu_pho = rng.choice(data["places"])
        practice = {p.id_number for p in world.population.practice_residents()}
        people = [p for p in world.population.residents_of(ward, khu_pho)
                  if p.id_number in practice]
        helped = rng.sample(people, 2)
        scenario.residents = [p.id_number for p in helped]
        others = [p for p in people if p not in helped
                  and world.population.household_of(p).id
                  not in {world.population.household_of(h).id for h in helped}]
        already = rng.sample(others, min(len(others), rng.choice([1, 2])))
        values.update(ward=ward, khu_pho=khu_pho, already=[p.id_number for p in already],
                      households=len([h for h in world.population.households
                                      if h.ward.code == ward and h.khu_pho == khu_pho]))
        if data.get("homebound"):
            _homebound(world, data["homebound"], values, rng, helped + already)
        return scenario
    if kind == "tai-khoan-dvc":
        situation = rng.choice(data["situations"])
        if situation["id"] == "sim-nguoi-khac":
            pool = [p for p in world.population.adults() if p.phone and p.has_chip_card
                    and p.phone_registered_to not in (None, p.id_number)]
        else:  # level 2 already made with the card (most adults), or not yet
            has_one = situation["id"] in ("muc2-co-san", "tien-ich")
            taken = {r for e in world.course.exercises.values() for r in e.scenario.residents}
            pool = [p for p in _candidates(world) if p.id_number not in taken
                    and (world.vneid.account_of(p.id_number) is not None) == has_one]
            if situation["id"] == "tien-ich":  # an allowance, a grown child along: an elder
                pool = [p for p in pool if p.age_on(world.now.date()) >= 60] or pool
        scenario.residents = [rng.choice(pool).id_number]
        values.update(situation=situation["id"], situation_text=situation["text"],
                      need=situation["need"],
                      otp_caller=rng.choice(["Một người gọi xưng là công an phường",
                                             "Một người gọi xưng là nhân viên nhà mạng",
                                             "Một người gọi xưng là cán bộ Cổng Dịch vụ công"]))
    elif kind == "ho-so-truc-tuyen" and data.get("supplement"):  # a parent of a newborn
        scenario.residents = [rng.choice(_candidates(world, max_age=45)).id_number]
    elif kind == "sinh-trac-ngan-hang":  # an owner with a chip card and a phone of their own
        scenario.residents = [rng.choice([p for p in _candidates(world, min_age=40, max_age=75)
                                          if p.has_chip_card and p.phone]).id_number]
    elif kind != "an-toan-lua-dao":
        scenario.residents = [rng.choice(_candidates(world)).id_number]
    if kind == "ho-so-truc-tuyen":
        need = rng.choice(data["needs"])
        values.update(need=need["id"])  # the procedure is the learner's to find
        _residence_values(world, need, values, rng, scenario.residents[0])
        values["need_text"] = _fill(need["text"], values)
        if data.get("supplement"):  # a newborn's birth registration sent back for a new photo
            sup = data["supplement"]
            gender = rng.choice(["nam", "nữ"])
            resident = world.population.require(scenario.residents[0])
            values.update(supplement_procedure=sup["procedure"], child_gender=gender,
                          child_name=resident.full_name.split()[0] + " "
                          + rng.choice(sup["given_names"][gender]),
                          child_birth_date=(world.now.date() - dt.timedelta(
                              days=rng.randrange(8, 20))).strftime("%d/%m/%Y"),
                          birth_place=sup["birth_place"], supplement_text=sup["text"])
        if data.get("fee_scams"):  # a message asking for a fee that is not the procedure's
            scam = rng.choice(data["fee_scams"])
            fake = rng.choice([85_000, 120_000, 150_000, 250_000])
            values.update(fee_scam_from=scam["from"],
                          fee_scam_text=scam["text"].replace("$fake_fee", f"{fake:,}".replace(
                              ",", ".")))
    elif kind == "sinh-trac-ngan-hang":
        trouble = rng.choice(data["bank_troubles"])
        values.update(trouble=trouble["id"], trouble_text=trouble["text"],
                      fix_where=trouble["where"], service="nuoc")
    elif kind == "ky-so-hop-dong":
        salaries = list(data["salaries"])
        salary = rng.choice(salaries)
        changed = rng.choice([s for s in salaries if s != salary
                              and len(str(s)) == len(str(salary))])
        sent = data.get("copies_sent", 2)  # a lesson's practice may show every verdict
        picked = rng.sample(data["copies"], sent)
        values.update(salary=salary, changed_salary=changed, copies_sent=sent)
        for n, copy in enumerate(picked, 1):
            values[f"copy_{n}"] = copy["id"]
    elif kind == "thanh-toan-hoa-don":
        trap = rng.choice(data["qr_traps"])
        values.update(service=rng.choice(data["services"]), trap=trap["id"],
                      trap_text=trap["text"],
                      qr_amount=rng.choice([30_000, 45_000, 60_000, 75_000]),
                      stranger_pick=rng.randrange(10**6))
    elif kind == "go-roi-vneid":
        problem = rng.choice(data["problems"])
        person = rng.choice(_candidates(world, min_age=50, max_age=75))
        scenario.residents = [person.id_number]
        ward = world.population.household_of(person).ward.name
        until = world.now.date() + dt.timedelta(days=rng.choice([120, 180, 240, 365]))
        values.update(new_device=f"may-moi-{person.id_number}",
                      borrowed_device=f"may-muon-{person.id_number}")
        values.update(problem=problem["id"], covers=list(problem.get("covers", [problem["id"]])),
                      problem_text=problem["text"], need=problem["need"], procedure="CT-DKTTR",
                      stay_address=rng.choice([a for a in data["stays"] if ward not in a]),
                      stay_until=until.strftime("%d/%m/%Y"),
                      forgotten=hashlib.sha256(f"quen:{token}".encode()).hexdigest())
    elif kind == "an-toan-lua-dao":
        picked = rng.sample(data["messages"], 4)
        for i, message in enumerate(picked, 1):
            values[f"message_{i}"] = message["id"]
    return scenario


def _homebound(world: World, reasons: list[dict[str, str]], values: dict[str, Any],
               rng: random.Random, taken: list[Person]) -> None:
    """An old resident of the khu phố who cannot come to the ward police, with no VNeID account
    and a phone of their own, and the relative who comes to the support point for them."""
    def without_account(people: list[Person]) -> list[Person]:
        return [p for p in people if p not in taken and p.phone and p.has_chip_card
                and p.phone_registered_to == p.id_number
                and world.vneid.account_of(p.id_number) is None]

    # In some khu phố every such resident already has the account the police made with the
    # card: then one of the ward's (the same police visit them at home).
    khu = without_account(world.population.residents_of(values["ward"], values["khu_pho"])) \
        or without_account(world.population.residents_of(values["ward"]))
    old = sorted(khu, key=lambda p: p.birth_date)[:3]
    person = old[rng.randrange(len(old))]
    if person.age_on(world.now.date()) < 65:  # "già yếu" is for the old
        reasons = [r for r in reasons if not r["id"].endswith("gia-yeu")]
    home = world.population.household_of(person)
    relatives = [p for p in home.members if p.id_number != person.id_number and p.phone]
    relative = relatives[0] if relatives else next(
        p for p in world.population.practice_residents() if p.phone and p not in taken
        and p.id_number != person.id_number)
    relation = "người cùng nhà" if relatives else "hàng xóm"
    reason = reasons[rng.randrange(len(reasons))]
    values.update(homebound=person.id_number, homebound_case=reason["id"],
                  homebound_relative=relative.id_number, homebound_text=_fill(
                      reason["text"], {"name": person.full_name, "relative": relative.full_name,
                                       "relation": relation,
                                       "relative_phone": relative.phone, "id": person.id_number,
                                       "phone": person.phone,
                                       "age": person.age_on(world.now.date())}))


def _residence_values(world: World, need: dict[str, Any], values: dict[str, Any],
                      rng: random.Random, resident: str) -> None:
    """What a residence need is about: the tạm trú that is running out, the guest of a boarding
    house, or the months away from home (dates from the world's today)."""
    today = world.now.date()

    def day(days: int) -> str:
        return (today + dt.timedelta(days=days)).strftime("%d/%m/%Y")

    before = need.get("before")
    if before == "tam-tru":  # registered long ago, ends within the 15 days of the law
        left = rng.choice([6, 9, 12])
        values.update(tam_tru_address=rng.choice(need["stays"]), tam_tru_until=day(left),
                      tam_tru_new_until=day(left + 365), tam_tru_days_ago=rng.choice([300, 340]))
    elif before == "khach":  # someone of another household comes to stay a few days
        home = world.population.household_of(world.population.require(resident)).id
        guests = [p for p in world.population.practice_residents()
                  if world.population.household_of(p).id != home]
        guest = guests[rng.randrange(len(guests))]
        values.update(guest_id=guest.id_number, guest_name=guest.full_name,
                      guest_from=day(0), guest_to=day(rng.choice([4, 6, 10])))
    elif before == "di-xa":
        start, months = rng.choice([5, 7]), rng.choice([14, 18, 24])
        values.update(away_to=rng.choice(need["destinations"]), away_from=day(start),
                      away_months=months, away_until=day(start + months * 365 // 12))


def lender_for(world: World, person: Person) -> Person:
    """Who lends a phone with NFC: an adult of the household, else a neighbour of the seed."""
    home = world.population.household_of(person)
    adults = [p for p in home.members if p.id_number != person.id_number
              and p.age_on(world.population.reference_day) >= 18]
    if adults:
        return adults[0]
    return next(p for p in world.population.practice_residents()
                if p.id_number != person.id_number)


def setup(world: World, scenario: Scenario) -> None:
    """Put the world in the scenario's starting state. Runs inside ``course.begin_exercise``,
    so every step is part of that one journaled action and replays identically."""
    from congdanso.world.money.payments import BANK_BIN
    from congdanso.world.scenarios import (
        PRACTICE_PASSCODE,
        PRACTICE_PASSWORD,
        activate_vneid,
        portal_login_with_vneid,
    )

    kind, values = kind_of(scenario.assignment), scenario.values
    person = world.population.get(scenario.resident) if scenario.resident else None

    def bank_account(who: Person, amount: int) -> None:
        if not world.bank.accounts_of(who.id_number):
            account = world.bank.open_account(who.id_number, BANK_BIN, BANK_PASSWORD)
            world.bank.deposit_cash(BANK_BIN, account.number, amount)

    if kind == "tai-khoan-dvc" and values["situation"] == "tien-ich":
        assert person is not None
        world.vneid.logout(activate_vneid(world, person).token)  # activated long ago
        bank_account(person, 150_000)  # the resident's own account, opened at the counter
    elif kind == "tai-khoan-dvc" and values["situation"] == "muc2-co-san":
        assert person is not None and person.phone is not None
        if world.vneid.account_of(person.id_number) is None:
            world.police.enroll_level2(person.id_number, person.phone)
    elif kind == "ho-so-truc-tuyen":
        assert person is not None and person.phone is not None
        session = activate_vneid(world, person)
        bank_account(person, 1_000_000)
        if "supplement_procedure" in values:
            portal_login_with_vneid(world, session)  # the resident used the portal before
            values["supplement_code"] = world.portal.submitted_earlier(
                person.id_number, values["supplement_procedure"],
                {"child_name": values["child_name"], "child_gender": values["child_gender"],
                 "child_birth_date": values["child_birth_date"],
                 "birth_place": values["birth_place"]},
                [{"kind": "giay_chung_sinh", "file": "giay-chung-sinh-mo.jpg", "quality": "mo"}],
                days_ago=6).code
        if "fee_scam_text" in values:
            world.send_sms(person.phone, values["fee_scam_from"], values["fee_scam_text"])
        if "tam_tru_until" in values:  # the tạm trú the resident registered months ago
            portal_login_with_vneid(world, session)
            values["tam_tru_code"] = world.portal.registered_earlier(
                person.id_number, values["tam_tru_address"], values["tam_tru_until"],
                days_ago=values["tam_tru_days_ago"]).code
    elif kind == "sinh-trac-ngan-hang":
        assert person is not None and person.phone is not None
        trouble = next(t for t in spec(scenario.assignment)["bank_troubles"]
                       if t["id"] == values["trouble"])
        state = trouble.get("account", {})
        account = next((a for a in world.bank.accounts_of(person.id_number)
                        if a.kind == "bank" and a.bank_bin == BANK_BIN), None)
        if account is None:  # opened years ago, before Thông tư 17/2024
            account = world.bank.open_account(person.id_number, BANK_BIN, BANK_PASSWORD)
            world.bank.deposit_cash(BANK_BIN, account.number, 2_000_000)
        account.biometrics = bool(state.get("biometrics", False))
        account.id_paper = state.get("id_paper", "can_cuoc")
        account.mismatch = state.get("mismatch")
        account.device_ok = bool(state.get("device_ok", True))
        handset = world.bank.handset(person.id_number)
        for name in ("nfc_on", "thick_case", "nfc_spot", "has_nfc"):
            if name in trouble.get("handset", {}):
                setattr(handset, name, trouble["handset"][name])
        household = world.population.household_of(person)
        bill = next(b for b in world.bills.of_household(household.id) if b.service == "nuoc")
        values.update(bill_code=bill.customer_code, bill_amount=bill.amount)
        world.send_sms(person.phone, "NganHang",  # a fake-BTS message under the bank's name
                       "Tai khoan cua quy khach chua cap nhat sinh trac hoc, se bi khoa sau 24h. "
                       "Cap nhat ngay tai: nganhang-sinhtrac.top")
    elif kind == "ky-so-hop-dong":
        assert person is not None
        activate_vneid(world, person)
        document = world.kyso.new_document(person.id_number, "hop_dong", salary=values["salary"])
        values["contract"] = document.id
    elif kind == "thanh-toan-hoa-don":
        assert person is not None
        household = world.population.household_of(person)
        bill = next(b for b in world.bills.of_household(household.id)
                    if b.service == values["service"])
        bank_account(person, max(2_000_000, bill.amount + 1_000_000))  # enough for every bill
        values.update(bill_code=bill.customer_code, bill_amount=bill.amount)
        if values["trap"] == "dung":
            rac = next(b for b in world.bills.of_household(household.id) if b.service == "moi_truong")
            payload = world.bank.bill_qr(rac)
        else:
            from congdanso.world.money.vietqr import encode, training_qr

            strangers = [p for p in world.population.practice_residents()
                         if world.population.household_of(p).id != household.id
                         and not world.bank.accounts_of(p.id_number)]
            stranger = strangers[values["stranger_pick"] % len(strangers)]
            account = world.bank.open_account(stranger.id_number, BANK_BIN, BANK_PASSWORD)
            payload = encode(training_qr(BANK_BIN, account.number, amount=values["qr_amount"],
                                         message="Tien rac"))
        values["qr_payload"] = payload  # who it pays is read from the code, as on the phone
    elif kind == "go-roi-vneid":
        assert person is not None and person.phone is not None
        from congdanso.world.identity.security import LOCK_FOR, MAX_PASSWORD_ATTEMPTS

        covers, forgotten = values["covers"], values["forgotten"]
        # what the resident no longer remembers: drawn from the token, never shown anywhere
        password = ("Quen#1" + forgotten[:6] + "a") if "quen-mat-khau" in covers \
            else PRACTICE_PASSWORD
        passcode = str(int(forgotten[6:14], 16) % 900_000 + 100_000) \
            if "quen-passcode" in covers else PRACTICE_PASSCODE
        session = activate_vneid(world, person, password=password, passcode=passcode)
        if "may-moi" not in covers:  # the old phone still at hand stays logged in
            world.vneid.logout(session.token)
        account = world.vneid.account_of(person.id_number)
        assert account is not None
        if "quen-mat-khau" in covers:  # wrong guesses locked the account
            account.logins.failures = MAX_PASSWORD_ATTEMPTS
            account.logins.locked_until = world.now + LOCK_FOR
        new_phones = {"may-moi": True, "mat-dien-thoai": True, "may-khong-nfc": False}
        for problem, nfc in new_phones.items():
            if problem in covers:  # a new phone: with NFC, or a cheap one without
                world.vneid.add_handset(values["new_device"], person.id_number,
                                        f"Điện thoại mới của {person.full_name}", nfc=nfc)
        if "mat-dien-thoai" in covers:  # lost in the street, with the SIM in it
            world.vneid.lose_handset(world.vneid.own_handset(person.id_number).id)
            world.carrier.lost.add(person.phone)
        if "may-khong-nfc" in covers:  # the old phone broke; a daughter lends hers (NFC)
            world.vneid.lose_handset(world.vneid.own_handset(person.id_number).id)
            lender = lender_for(world, person)
            world.vneid.add_handset(values["borrowed_device"], lender.id_number,
                                    f"Điện thoại mượn của {lender.full_name} (có NFC)")
    elif kind == "ho-tro-nguoi-dan":
        for id_number in values["already"]:
            other = world.population.require(id_number)
            if world.portal.account_of(other.id_number) is None:
                portal_login_with_vneid(world, activate_vneid(world, other))
