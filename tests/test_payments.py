"""Banks, wallets, bills and public-service fees: every failure path and the ledger invariant."""

from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    DomainError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
    World,
)
from congdanso.world.money.payments import BANK2_BIN, BANK_BIN, WALLET_BIN
from congdanso.world.scenarios import activate_vneid, portal_login_with_vneid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PASSWORD = "NganHang@1"


def _customer(world: World, person, cash: int = 5_000_000) -> str:
    account = world.bank.open_account(person.id_number, BANK_BIN, PASSWORD)
    if cash:
        world.bank.deposit_cash(BANK_BIN, account.number, cash)
    return world.bank.login(BANK_BIN, account.number, PASSWORD).token


@pytest.fixture
def people(world):
    return world.population.practice_residents()[:3]


def _pay(world, token, person, transfer):
    otp = world.inbox(person.phone).latest_otp()
    return world.bank.confirm_transfer(token, transfer.id, receiver_confirmed=True, otp=otp)


def test_transfer_shows_the_name_then_needs_confirmation_and_otp(world, people):
    alice, bob = people[0], people[1]
    token = _customer(world, alice)
    target = world.bank.open_account(bob.id_number, BANK2_BIN, PASSWORD)
    total = world.bank.total
    transfer = world.bank.prepare_transfer(token, BANK2_BIN, target.number, 200_000, "Tra tien")
    assert transfer.receiver_name == target.holder and transfer.needs == "otp"
    assert transfer.status == "cho_xac_nhan" and world.bank.balance(token) == 5_000_000
    with pytest.raises(ValidationError, match="Hãy đọc tên người nhận"):
        world.bank.confirm_transfer(token, transfer.id, otp="123456")
    with pytest.raises(AuthError, match="Còn 4 lần"):
        world.bank.confirm_transfer(token, transfer.id, receiver_confirmed=True, otp="000000"
                                    if world.inbox(alice.phone).latest_otp() != "000000"
                                    else "111111")
    done = _pay(world, token, alice, transfer)
    assert done.status == "thanh_cong"
    assert world.bank.balance(token) == 4_800_000 and target.balance == 200_000
    assert world.bank.total == total
    again = world.bank.confirm_transfer(token, transfer.id, receiver_confirmed=True)
    assert again is done and world.bank.balance(token) == 4_800_000  # confirmed twice, paid once
    assert done.receipt()["Trạng thái"] == "Thành công"
    assert "-200.000 đồng" in world.inbox(alice.phone).latest().text


def test_same_reference_never_pays_twice(world, people):
    token = _customer(world, people[0])
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    first = world.bank.prepare_transfer(token, BANK_BIN, target.number, 50_000, reference="R-1")
    _pay(world, token, people[0], first)
    second = world.bank.prepare_transfer(token, BANK_BIN, target.number, 50_000, reference="R-1")
    assert second.id == first.id and target.balance == 50_000


@pytest.mark.parametrize(("amount", "fragment"), [
    (0, "lớn hơn 0"), ("12,5x", "chỉ gồm chữ số"), (-5, "chỉ gồm chữ số"),
    (600_000_000, "tối đa"), (True, "số nguyên")])
def test_bad_amounts(world, people, amount, fragment):
    token = _customer(world, people[0])
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    with pytest.raises(ValidationError, match=fragment):
        world.bank.prepare_transfer(token, BANK_BIN, target.number, amount)


def test_amount_typed_with_thousand_separators(world, people):
    token = _customer(world, people[0])
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    assert world.bank.prepare_transfer(token, BANK_BIN, target.number, "150.000").amount == 150_000


def test_insufficient_funds_unknown_receiver_real_bank_and_self(world, people):
    token = _customer(world, people[0], cash=100_000)
    mine = world.bank.accounts_of(people[0].id_number)[0]
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    with pytest.raises(StateError, match="Số dư không đủ") as err:
        world.bank.prepare_transfer(token, BANK_BIN, target.number, 100_001)
    assert err.value.code == "so_du_khong_du"
    with pytest.raises(NotFoundError, match="đừng chuyển khi chưa thấy tên"):
        world.bank.prepare_transfer(token, BANK_BIN, "99999999", 1_000)
    with pytest.raises(PermissionDeniedError, match="ngân hàng thật"):
        world.bank.prepare_transfer(token, "970436", "0123456789", 1_000)
    with pytest.raises(ValidationError, match="chính tài khoản"):
        world.bank.prepare_transfer(token, BANK_BIN, mine.number, 1_000)


def test_balance_checked_again_when_confirming(world, people):
    token = _customer(world, people[0], cash=300_000)
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    first = world.bank.prepare_transfer(token, BANK_BIN, target.number, 200_000)
    first_otp = world.inbox(people[0].phone).latest_otp()
    second = world.bank.prepare_transfer(token, BANK_BIN, target.number, 200_000)
    _pay(world, token, people[0], second)
    total = world.bank.total
    with pytest.raises(StateError, match="Số dư không đủ"):
        world.bank.confirm_transfer(token, first.id, receiver_confirmed=True, otp=first_otp)
    assert world.bank.balance(token) == 100_000 and world.bank.total == total


def test_face_check_above_10_million_and_20_million_a_day(world, people):
    token = _customer(world, people[0], cash=60_000_000)
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    big = world.bank.prepare_transfer(token, BANK_BIN, target.number, 10_000_001)
    assert big.needs == "face"
    with pytest.raises(AuthError, match="2345/QĐ-NHNN") as err:
        world.bank.confirm_transfer(token, big.id, receiver_confirmed=True)
    assert err.value.code == "can_khuon_mat"
    with pytest.raises(AuthError, match="không khớp"):
        world.bank.confirm_transfer(token, big.id, receiver_confirmed=True,
                                    face_of=people[1].id_number)
    world.bank.confirm_transfer(token, big.id, receiver_confirmed=True,
                                face_of=people[0].id_number)
    small = world.bank.prepare_transfer(token, BANK_BIN, target.number, 9_000_000)
    assert small.needs == "otp"  # 19,000,001 today
    _pay(world, token, people[0], small)
    third = world.bank.prepare_transfer(token, BANK_BIN, target.number, 1_000_000)
    assert third.needs == "face"  # would pass 20 million today
    world.advance(days=1)
    fourth = world.bank.prepare_transfer(token, BANK_BIN, target.number, 1_000_000)
    assert fourth.needs == "otp"  # a new day


def test_accounts_and_app_login(world, people):
    account = world.bank.open_account(people[0].id_number, BANK_BIN, PASSWORD)
    with pytest.raises(StateError, match="đã có tài khoản"):
        world.bank.open_account(people[0].id_number, BANK_BIN, PASSWORD)
    with pytest.raises(ValidationError, match="ngân hàng tập huấn"):
        world.bank.open_account(people[1].id_number, "970436", PASSWORD)
    with pytest.raises(ValidationError, match="chữ hoa"):
        world.bank.open_account(people[1].id_number, BANK_BIN, "nganhang@1")
    child = next(p for p in world.population if p.age_on(world.now.date()) < 15)
    with pytest.raises(PermissionDeniedError, match="dưới 15"):
        world.bank.open_account(child.id_number, BANK_BIN, PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError):
            world.bank.login(BANK_BIN, account.number, "Sai@12345")
    with pytest.raises(LockedError):
        world.bank.login(BANK_BIN, account.number, "Sai@12345")


def test_wallet_linked_to_own_account(world, people):
    token = _customer(world, people[0], cash=1_000_000)
    bank_account = world.bank.accounts_of(people[0].id_number)[0]
    other = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    with pytest.raises(PermissionDeniedError, match="đứng tên chính người dân"):
        world.bank.open_wallet(people[0].id_number, other.number, "Vi@12345")
    wallet = world.bank.open_wallet(people[0].id_number, bank_account.number, "Vi@12345")
    assert wallet.bank_bin == WALLET_BIN and wallet.number == people[0].phone
    wallet_token = world.bank.login(WALLET_BIN, wallet.number, "Vi@12345").token
    world.bank.top_up_wallet(wallet_token, 300_000)
    assert wallet.balance == 300_000 and world.bank.balance(token) == 700_000
    with pytest.raises(StateError, match="Số dư không đủ"):
        world.bank.top_up_wallet(wallet_token, 800_000)
    with pytest.raises(StateError, match="ví điện tử đã liên kết"):
        world.bank.top_up_wallet(token, 1_000)


def _household_bill(world, person, service):
    household = world.population.household_of(person)
    return next(b for b in world.bills.of_household(household.id) if b.service == service)


def test_electricity_bill_by_customer_code_paid_once(world, people):
    person = people[0]
    bill = _household_bill(world, person, "dien")
    assert bill.customer_code.startswith("PB04") and len(bill.customer_code) == 13
    assert world.bills.lookup("dien", bill.customer_code.lower()).view()["Điện lực"].startswith(
        "Điện lực")
    token = _customer(world, person)
    transfer = world.bank.pay_bill(token, "dien", bill.customer_code)
    assert transfer.amount == bill.amount and "EVNSPC" in transfer.receiver_name
    _pay(world, token, person, transfer)
    assert bill.paid_at is not None
    receipt = world.bank.bill_receipt(bill)
    assert receipt["Mã giao dịch"] == transfer.id and "mô phỏng" in receipt["Ghi chú"]
    pdf = world.bank.bill_receipt_pdf(bill)
    assert pdf.startswith(b"%PDF-") and b"DejaVu" in pdf
    assert world.kyso.verdict_of(pdf).code == "chua_ky"
    with pytest.raises(StateError, match="đã được thanh toán") as err:
        world.bank.pay_bill(token, "dien", bill.customer_code)
    assert err.value.code == "da_thanh_toan"


def test_the_qr_of_a_paid_bill_still_sends_money_as_an_overpayment(world, people):
    """Paying by customer code asks the biller, so a paid bill is refused; a VietQR is only a
    transfer to the biller's account: the bank does not know the bill is paid, the money goes,
    and the biller keeps it as an overpayment the bill shows."""
    person = people[0]
    bill = _household_bill(world, person, "dien")
    token = _customer(world, person)
    _pay(world, token, person, world.bank.pay_bill(token, "dien", bill.customer_code))
    first, balance = bill.paid_by, world.bank.balance(token)
    again = world.bank.scan_qr(token, world.bank.bill_qr(bill))  # no refusal
    assert again.amount == bill.amount and again.purpose == {"bill": bill.bill_number}
    _pay(world, token, person, again)
    assert world.bank.balance(token) == balance - bill.amount
    assert bill.paid_by == first and bill.overpaid == [again.id]
    assert bill.overpaid_amount == bill.amount
    assert "trừ vào kỳ sau" in bill.view()["Tiền trả thừa"]
    with pytest.raises(StateError, match="đã được thanh toán"):
        world.bank.pay_bill(token, "dien", bill.customer_code)


@pytest.mark.parametrize(("service", "code", "fragment"), [
    ("dien", "QB04030000001", "bắt đầu bằng chữ P"), ("dien", "PB04", "11–13 ký tự"),
    ("dien", "PB04039999999", "Không tìm thấy"), ("nuoc", "", "mã khách hàng"),
    ("gas", "123", "điện, nước hoặc môi trường")])
def test_bad_customer_codes(world, service, code, fragment):
    with pytest.raises(DomainError, match=fragment):
        world.bills.lookup(service, code)


def test_water_bill_paid_by_scanning_its_qr(world, people):
    person = people[1]
    bill = _household_bill(world, person, "nuoc")
    token = _customer(world, person)
    with pytest.raises(ValidationError, match="đã ghi sẵn số tiền"):
        world.bank.scan_qr(token, world.bank.bill_qr(bill), amount=bill.amount + 1)
    transfer = world.bank.scan_qr(token, world.bank.bill_qr(bill))
    assert transfer.amount == bill.amount and transfer.purpose == {"bill": bill.bill_number}
    _pay(world, token, person, transfer)
    assert bill.paid_at is not None


def test_static_qr_needs_an_amount_and_garbage_is_refused(world, people):
    from congdanso.world.money.vietqr import VietQRError, encode, training_qr

    token = _customer(world, people[0])
    target = world.bank.open_account(people[1].id_number, BANK_BIN, PASSWORD)
    static = encode(training_qr(BANK_BIN, target.number))
    with pytest.raises(ValidationError, match="Mã QR tĩnh"):
        world.bank.scan_qr(token, static)
    assert world.bank.scan_qr(token, static, amount=30_000).receiver_name == target.holder
    with pytest.raises(VietQRError, match="CRC"):
        world.bank.scan_qr(token, static[:-1] + ("0" if static[-1] != "0" else "1"))


def test_public_service_fee_paid_through_the_platform(world, people):
    person = people[0]
    session = portal_login_with_vneid(world, activate_vneid(world, person))
    dossier = world.portal.submit_dossier(session.token, "HT-XNHN", {"purpose": "Mua bán nhà đất"})
    with pytest.raises(StateError, match="không có yêu cầu thanh toán"):
        world.portal.fee_payment(session.token, dossier.code)
    world.advance(hours=1)
    assert dossier.fee_status == "cho_thanh_toan"
    assert "chờ thanh toán phí" in world.portal.lookup(dossier.code)["Trạng thái"]
    world.advance(days=5)
    assert dossier.status == "da_tiep_nhan"  # nothing happens until the fee is paid
    request = world.portal.fee_payment(session.token, dossier.code)
    assert request["amount"] == 15_000
    token = _customer(world, person)
    transfer = world.bank.scan_qr(token, request["qr"])
    assert transfer.purpose == {"fee": f"PHI-{dossier.code}"}
    with pytest.raises(StateError, match="chưa có biên lai"):
        world.portal.download_receipt(session.token, dossier.code)
    _pay(world, token, person, transfer)
    assert dossier.fee_status == "da_thanh_toan" and dossier.status == "dang_xu_ly"
    receipt = world.portal.download_receipt(session.token, dossier.code)
    assert receipt["Số tiền"] == "15.000 đồng" and receipt["Mã giao dịch"] == transfer.id
    assert world.portal.receipt_pdf(session.token, dossier.code).startswith(b"%PDF-")
    with pytest.raises(StateError, match="đã được thanh toán"):
        world.bank.scan_qr(token, request["qr"])
    with pytest.raises(StateError, match="đã được thanh toán"):
        world.portal.fee_payment(session.token, dossier.code)
    world.advance(days=5)
    assert world.portal.download_result(session.token, dossier.code)["title"].startswith("Giấy")


def test_payments_replay_to_the_same_balances(world, people):
    token = _customer(world, people[0])
    bill = _household_bill(world, people[0], "moi_truong")
    _pay(world, token, people[0], world.bank.pay_bill(token, "moi_truong", bill.customer_code))
    replayed = World.from_journal_bytes(world.journal.data())
    assert {k: a.balance for k, a in replayed.bank.accounts.items()} == {
        k: a.balance for k, a in world.bank.accounts.items()}
    assert replayed.bills.bills[("moi_truong", bill.customer_code)].paid_at == bill.paid_at


# -- the ledger invariant: money is never created or lost ----------------------------------
_WORLD = World()
_P = _WORLD.population.practice_residents()[:3]
_op = st.one_of(
    st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(0, 2),
              st.integers(-10, 30_000_000), st.booleans(), st.sampled_from([None, "A", "B"])),
    st.tuples(st.just("deposit"), st.integers(0, 2), st.integers(1, 5_000_000)),
    st.tuples(st.just("bill"), st.integers(0, 2), st.sampled_from(["dien", "nuoc", "moi_truong"])),
    st.tuples(st.just("day")),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(_op, max_size=30))
def test_ledger_never_creates_or_loses_money(ops):
    world = World()
    tokens, numbers = [], []
    for person in _P:
        account = world.bank.open_account(person.id_number, BANK_BIN, PASSWORD)
        numbers.append(account.number)
        tokens.append(world.bank.login(BANK_BIN, account.number, PASSWORD).token)
    total = world.bank.total
    for op in ops:
        try:
            if op[0] == "transfer":
                _, a, b, amount, confirm, ref = op
                t = world.bank.prepare_transfer(tokens[a], BANK_BIN, numbers[b], amount,
                                                reference=ref)
                if confirm:
                    otp = world.inbox(_P[a].phone).latest_otp()
                    world.bank.confirm_transfer(tokens[a], t.id, receiver_confirmed=True, otp=otp,
                                                face_of=_P[a].id_number)
            elif op[0] == "deposit":
                world.bank.deposit_cash(BANK_BIN, numbers[op[1]], op[2])
            elif op[0] == "bill":
                bill = _household_bill(world, _P[op[1]], op[2])
                t = world.bank.pay_bill(tokens[op[1]], op[2], bill.customer_code)
                world.bank.confirm_transfer(tokens[op[1]], t.id, receiver_confirmed=True,
                                            otp=world.inbox(_P[op[1]].phone).latest_otp())
            else:
                world.advance(days=1)
        except DomainError:
            pass
        assert world.bank.total == total
        assert all(a.balance >= 0 for a in world.bank.accounts.values())
    moved = sum(amount for *_, amount in world.bank.ledger)
    assert moved >= 0
