"""Synthetic learners' hands: an exercise done through the same methods the buttons call.

Used by the synthetic cohort, tests and benchmarks. ``do_exercise(ex, way)``: ``dung-het`` does every
step and answers right; ``chi-tra-loi`` only answers (right), never touching the phone; ``sai``
does every step but answers wrong; ``bo-trong`` does nothing. The answers come from the
repository's answer key (exercises/dap-an.json), which only tests, benchmarks and the grader read:
this robot is not part of the package a learner's server runs.
"""

from __future__ import annotations

from congdanso.grading import requirements as req
from congdanso.grading import variants
from congdanso.grading.key import load_key
from congdanso.world.core.errors import DomainError
from congdanso.world.identity.vneid import SECURITY_QUESTIONS
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD

PIN = "258036"
WAYS = ("dung-het", "chi-tra-loi", "sai", "bo-trong")


def _account_and_portal(ex, phone, *, portal: bool = True, enroll: bool = True) -> None:
    person = phone.person
    vneid = phone.open("vneid")
    account = ex.world.vneid.account_of(person.id_number)
    if account is None and enroll:
        ex.police.enroll(person.id_number, person.phone)
    vneid.activate(person.id_number, person.phone)
    vneid.enter_otp(ex.world.inbox(person.phone).latest_otp() or "")
    vneid.set_password(PRACTICE_PASSWORD)
    vneid.set_passcode(PRACTICE_PASSCODE)
    vneid.choose_questions(SECURITY_QUESTIONS[0], "Tiểu học Lái Thiêu",
                           SECURITY_QUESTIONS[1], "Bông")
    vneid.login(person.id_number, PRACTICE_PASSWORD)
    if portal:
        _portal_login(phone)


def _portal_login(phone) -> None:
    portal = phone.open("portal")
    portal.start_vneid_login()
    vneid = phone.open("vneid")
    vneid.scan_portal()
    vneid.confirm_scan(PRACTICE_PASSCODE)
    phone.open("portal")


def _bank_login(ex, phone):
    bank = phone.open("bank")
    number = ex.world.bank.accounts_of(phone.person.id_number)[0].number
    bank.login(number, variants.BANK_PASSWORD)
    return bank


def _pay_with_otp(ex, bank, phone) -> None:
    bank.confirm_receiver()
    bank.enter_otp(ex.world.inbox(phone.person.phone).latest_otp() or "")


def _answer_all(ex, *, right: bool) -> None:
    key = load_key()
    questions = variants.spec(ex.assignment)["questions"]
    for question, spec in questions.items():
        answer = key.answer(ex.scenario, question)
        if isinstance(answer, str) and answer.startswith("@"):
            expected = req.answer_now(ex.world, ex.scenario, question, key)
        else:
            expected = key.expected(ex.world, ex.scenario, question)
        asked = ex.scenario.question(question)
        if expected is None and asked["kind"] == "choice":  # e.g. a copy never received
            expected = asked["options"][0]  # a guess: the grader has nothing to credit it for
        value = str(expected)
        if not right:
            if spec["kind"] == "choice":
                value = next(o for o in ex.scenario.question(question)["options"]
                             if o != expected)
            else:
                value = (value[:-1] + ("1" if value[-1:] != "1" else "2")) if value else "0"
        ex.answer(question, value)


def _troubleshoot(ex, phone) -> None:
    """A new phone (the code on the old one; lost: hotline then NFC; no NFC: a borrowed phone,
    then unlink it), forgotten password (SIM replaced if lost, OTP, face, new password),
    forgotten passcode (security answers), then tạm trú from the VNeID app."""
    person, v = phone.person, ex.scenario.values
    covers = v["covers"]
    vneid = phone.open("vneid")
    if "mat-dien-thoai" in covers:
        ex.hotline.lock(person.id_number, person.full_name,
                        person.birth_date.strftime("%d/%m/%Y"))
        if "quen-mat-khau" in covers:  # the reset code comes by SMS: the SIM first
            ex.carrier.replace_sim(person.phone, person.id_number)
    if "quen-mat-khau" in covers:
        vneid.forgot_password(person.id_number, person.phone)
        vneid.enter_reset_otp(ex.world.inbox(person.phone).latest_otp() or "")
        vneid.capture_face(enough_light=False, glasses_off=False)  # the first try fails
        vneid.capture_face()
        vneid.set_new_password(PRACTICE_PASSWORD)
    mine = v.get("new_device")
    if "may-khong-nfc" in covers:  # the borrowed phone first, by NFC
        phone.use_handset(v["borrowed_device"])
        vneid.login(person.id_number, PRACTICE_PASSWORD)
        vneid.read_chip()
        vneid.enter_device_code(ex.world.vneid.code_shown_on(v["borrowed_device"]) or "")
        phone.use_handset(mine)
        vneid.login(person.id_number, PRACTICE_PASSWORD)
        vneid.enter_device_code(ex.world.vneid.code_shown_on(v["borrowed_device"]) or "")
        vneid.unlink_device(v["borrowed_device"])
    else:
        vneid.login(person.id_number, PRACTICE_PASSWORD)
        if vneid.screen == "device":
            if "may-moi" in covers:  # the old phone shows the code
                code = ex.world.vneid.code_shown_on(
                    ex.world.vneid.own_handset(person.id_number).id)
            else:
                vneid.read_chip()
                code = ex.world.vneid.code_shown_on(mine)
            vneid.enter_device_code(code or "")
    passcode = PRACTICE_PASSCODE
    if "quen-passcode" in covers:
        passcode = "417293"
        vneid.reset_passcode("Trường Tiểu học Lái Thiêu", "Bông", passcode)
        vneid.show_card(passcode)
    vneid.submit_residence("Đăng ký tạm trú", v["stay_address"], v["stay_until"],
                           file="hop-dong-thue-nha.pdf", passcode=passcode)


def _bank_troubles(ex, phone, v) -> None:
    """The bank app will not pay: a new phone (face), NFC off and a thick case (try spots), an
    old CMND (update in the app), data that differ (the counter); then the water bill."""
    me = phone.person.id_number
    bank = phone.open("bank")
    number = ex.world.bank.accounts_of(me)[0].number
    bank.login(number, variants.BANK_PASSWORD)
    if v["trouble"] == "may-moi":
        bank.verify_device(me)
    elif v["trouble"] == "lech":
        bank.counter_update(me, me)
    else:
        if v["trouble"] == "cmnd":
            bank.update_id_paper(me)
        bank.turn_on_nfc()
        bank.remove_case()
        for spot in ("giua", "tren"):  # the learner tries where this phone reads the chip
            if bank.match_biometrics(me, me, spot) is not None:
                break
    bank.lookup_bill(v["service"], v["bill_code"])
    bank.pay_bill()
    _pay_with_otp(ex, bank, phone)


def _vneid_features(ex, phone) -> None:
    """Lesson 02's second practice: the social-payment account (the son's first, refused),
    then the BHYT card into the wallet and shown at a clinic."""
    from congdanso.world.identity.wallet import BHYT, bhyt_number

    person = phone.person
    vneid = phone.open("vneid")
    vneid.login(person.id_number, PRACTICE_PASSWORD)
    own = ex.world.bank.accounts_of(person.id_number)[0]
    son = next(p for p in ex.world.population.practice_residents() if p != person)
    if not ex.world.bank.accounts_of(son.id_number):
        assert vneid.link_social_account(own.bank_name, "9" * 12, PRACTICE_PASSCODE) is None
    vneid.link_social_account(own.bank_name, own.number, PRACTICE_PASSCODE)
    vneid.integrate_document(BHYT, bhyt_number(person), PRACTICE_PASSCODE)
    vneid.present_document(BHYT, "phong_kham", PRACTICE_PASSCODE)


def do_exercise(ex, way: str = "dung-het") -> None:
    """Work through ``ex`` the way a kind of learner does (see :data:`WAYS`)."""
    if way not in WAYS:
        raise ValueError(f"way must be one of {WAYS}")
    if way == "bo-trong":
        return
    if way != "chi-tra-loi":
        _steps(ex)
    _answer_all(ex, right=way != "sai")


def _steps(ex) -> None:
    a = ex.kind
    v = load_key().values(ex.world, ex.scenario)  # what the exercise expects, from the key
    phone = ex.phones[0] if ex.phones else None
    try:
        if a == "tai-khoan-dvc" and v["situation"] == "tien-ich":
            _vneid_features(ex, phone)
        elif a == "tai-khoan-dvc":
            if v["situation"] == "sim-nguoi-khac":
                ex.carrier.check(phone.person.phone)
                ex.carrier.update(phone.person.phone, phone.person.id_number)
            _account_and_portal(ex, phone, enroll=v["situation"] != "muc2-co-san")
        elif a == "ho-tro-nguoi-dan":
            for p in ex.phones:
                _account_and_portal(ex, p)
                ex.visit_log.log(p.person.id_number, "Tạo tài khoản Cổng DVC", "Đã xong")
            if "homebound" in v:  # the police come home to the one who cannot come
                who = ex.world.population.require(v["homebound"])
                relative = ex.world.population.require(v["homebound_relative"])
                ex.police.book_home_visit(who.id_number, v["homebound_reason"], relative.phone)
                ex.wait(days=3)
                ex.police.visit(who.phone)
        elif a == "go-roi-vneid":
            _troubleshoot(ex, phone)
        elif a == "ho-so-truc-tuyen":
            phone.open("vneid").login(phone.person.id_number, PRACTICE_PASSWORD)
            _portal_login(phone)
            portal = phone.open("portal")
            portal.open_procedure(v["procedure"])
            portal.fill(**{k: str(x["example"] if isinstance(x, dict) else x)
                           for k, x in v["fields"].items()})
            portal.confirm_prefilled()
            if v["procedure"] == "CT-GHTTR":  # the renewed contract
                portal.attach("hop-dong-thue-nha.pdf")
            dossier = portal.submit()
            ex.wait(hours=1)
            portal.lookup(dossier.code)
            if dossier.procedure.fee:  # some residence procedures are free
                portal.pay_fee(dossier.code)
                bank = _bank_login(ex, phone)
                bank.scan_gallery("Mã thanh toán phí trên Cổng DVC")
                _pay_with_otp(ex, bank, phone)
            ex.wait(days=4)
            phone.open("portal").download_result(dossier.code)
            if "supplement_code" in v:
                portal = phone.open("portal")
                portal.supplement(v["supplement_code"], "giay-chung-sinh.jpg (rõ nét)")
                ex.wait(hours=4)
                portal.download_result(v["supplement_code"])
        elif a == "ky-so-hop-dong":
            phone.open("vneid").login(phone.person.id_number, PRACTICE_PASSWORD)
            kyso = phone.open("kyso")
            kyso.request_with_vneid()
            kyso.activate(ex.world.inbox(phone.person.phone).latest_otp() or "", PIN)
            kyso.place_signature(v["contract"])
            kyso.confirm(PIN)
            ex.receive_copies()
            for copy in ex.world.course.exercise(ex.assignment).copies:
                kyso.verify(copy)
        elif a == "sinh-trac-ngan-hang":
            _bank_troubles(ex, phone, v)
        elif a == "thanh-toan-hoa-don":
            bank = _bank_login(ex, phone)
            bank.lookup_bill(v["service"], v["bill_code"])
            bank.pay_bill()
            _pay_with_otp(ex, bank, phone)
            bank = phone.open("bank")
            bank.scan_gallery("Mã QR \"tiền rác\" người dân đưa")
            if v["trap"] == "dung":
                _pay_with_otp(ex, bank, phone)
    except DomainError:
        pass  # a wrong move fails on screen, as it would for the learner
