"""Digital signatures: certificates, remote signing with PIN, and every verification verdict."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from congdanso.cli import main as cli
from congdanso.world import (
    AuthError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
    World,
)
from congdanso.world.core.check import check_journal
from congdanso.world.scenarios import activate_vneid

PIN = "258036"


@pytest.fixture
def signer(world, resident):
    session = activate_vneid(world, resident)
    world.kyso.request_certificate(resident.id_number, "vneid", session.token)
    world.kyso.activate(resident.id_number, world.inbox(resident.phone).latest_otp(), PIN, PIN)
    return resident


def _sign(world, person, kind="hop_dong"):
    doc = world.kyso.new_document(person.id_number, kind)
    request = world.kyso.start_signing(person.id_number, doc.id)
    return doc, world.kyso.confirm_signing(request.id, PIN)


def test_certificate_needs_level2_vneid_or_the_id_card_in_person(world, resident):
    level1 = activate_vneid(world, resident, level=1)
    with pytest.raises(PermissionDeniedError, match="mức 2"):
        world.kyso.request_certificate(resident.id_number, "vneid", level1.token)
    with pytest.raises(AuthError, match="VNeID của chính người dân"):
        world.kyso.request_certificate(resident.id_number, "vneid", "gia-mao")
    with pytest.raises(PermissionDeniedError, match="có mặt"):
        world.kyso.request_certificate(resident.id_number, "cccd", present=False)
    issued = world.kyso.request_certificate(resident.id_number, "cccd", present=True)
    assert issued["subject"] == resident.full_name and issued["serial"] == 1001
    assert issued["not_after"].startswith("2029-03-02")
    with pytest.raises(StateError, match="còn hiệu lực"):
        world.kyso.request_certificate(resident.id_number, "cccd", present=True)


def test_certificate_subject_is_correctly_encoded(world, signer):
    from cryptography.x509.oid import NameOID

    cert = world.kyso.pki.issued[1001].cert
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == signer.full_name
    uid = cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value
    assert uid == f"CCCD:{signer.id_number}"
    assert cert.issuer == world.kyso.pki.ca.subject
    assert "không có giá trị pháp lý" in cert.subject.rfc4514_string()


def test_activation_checks_otp_and_pin(world, resident):
    session = activate_vneid(world, resident)
    world.kyso.request_certificate(resident.id_number, "vneid", session.token)
    with pytest.raises(ValidationError, match="dễ đoán"):
        world.kyso.activate(resident.id_number, "000000", "123456", "123456")
    with pytest.raises(ValidationError, match="không giống nhau"):
        world.kyso.activate(resident.id_number, "000000", PIN, "258037")
    wrong = "000000" if world.inbox(resident.phone).latest_otp() != "000000" else "111111"
    with pytest.raises(AuthError, match="OTP"):
        world.kyso.activate(resident.id_number, wrong, PIN, PIN)
    with pytest.raises(StateError, match="chưa kích hoạt"):
        world.kyso.start_signing(resident.id_number, "TL00001")


def test_sign_then_every_verdict_in_the_world(world, signer):
    original, signed = _sign(world, signer)
    assert world.kyso.verify(signed["id"])["code"] == "hop_le"
    assert world.kyso.verify(original.id)["code"] == "chua_ky"
    changed = world.kyso.change_after_signing(signed["id"])
    assert world.kyso.verify(changed.id)["code"] == "bi_sua"
    with pytest.raises(ValidationError, match="cùng số chữ số"):
        world.kyso.change_after_signing(signed["id"], salary=12_000_000)
    world.kyso.revoke(signer.id_number, "Mất điện thoại")
    assert world.kyso.verify(signed["id"])["code"] == "bi_thu_hoi"
    with pytest.raises(StateError, match="thu hồi"):
        world.kyso.start_signing(signer.id_number, original.id)


def test_expired_certificate(world, signer):
    _, signed = _sign(world, signer)
    for _ in range(3):
        world.advance(days=366)
    assert world.kyso.verify(signed["id"])["code"] == "het_han"
    doc = world.kyso.new_document(signer.id_number, "to_khai")
    with pytest.raises(StateError, match="hết hạn"):
        world.kyso.start_signing(signer.id_number, doc.id)


def test_wrong_pin_locks_signing_for_30_minutes(world, signer):
    doc = world.kyso.new_document(signer.id_number)
    request = world.kyso.start_signing(signer.id_number, doc.id)
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthError, match=f"Còn {left} lần"):
            world.kyso.confirm_signing(request.id, "135790")
    with pytest.raises(LockedError, match="tạm khoá"):
        world.kyso.confirm_signing(request.id, "135790")
    with pytest.raises(LockedError):
        world.kyso.confirm_signing(request.id, PIN)
    world.advance(minutes=31)
    assert world.kyso.confirm_signing(request.id, PIN)["kind"] == "da_ky"
    with pytest.raises(NotFoundError):
        world.kyso.confirm_signing(request.id, PIN)


def test_only_own_documents_and_page_one(world, signer):
    other = world.population.practice_residents()[1]
    theirs = world.kyso.new_document(other.id_number)
    with pytest.raises(PermissionDeniedError, match="chính mình"):
        world.kyso.start_signing(signer.id_number, theirs.id)
    mine = world.kyso.new_document(signer.id_number)
    with pytest.raises(ValidationError, match="trang 1"):
        world.kyso.start_signing(signer.id_number, mine.id, page=2)


def test_upload_a_pdf_or_refuse_anything_else(world, signer, tmp_path):
    _, signed = _sign(world, signer)
    path = world.kyso.export(signed["id"], tmp_path / "hop-dong.pdf")
    uploaded = world.kyso.upload(signer.id_number, path)
    assert world.kyso.verify(uploaded.id)["code"] == "hop_le"
    photo = tmp_path / "anh-hop-dong.pdf"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really a pdf")
    with pytest.raises(ValidationError, match="không phải PDF"):
        world.kyso.upload(signer.id_number, photo)
    with pytest.raises(NotFoundError, match="Không thấy tệp"):
        world.kyso.upload(signer.id_number, tmp_path / "khong-co.pdf")


def test_documents_are_real_vietnamese_pdfs(world, signer):
    doc = world.kyso.new_document(signer.id_number)
    data = world.kyso.content(doc.id)
    assert data.startswith(b"%PDF-") and b"DejaVu" in data and b"/ToUnicode" in data
    again = World()
    person = again.population.get(signer.id_number)
    assert again.kyso.content(again.kyso.new_document(person.id_number).id) == data


@pytest.mark.parametrize("kind", ["hop_dong", "to_khai"])
def test_documents_are_one_page_marked_as_training_and_cite_the_2026_law(world, signer, kind):
    pdfium = pytest.importorskip("pypdfium2")
    from congdanso.world.dossiers.documents import TRAINING_NOTE

    pdf = pdfium.PdfDocument(world.kyso.content(world.kyso.new_document(signer.id_number,
                                                                        kind).id))
    texts = [" ".join(page.get_textpage().get_text_range().split()) for page in pdf]
    assert len(texts) == 1 and all(TRAINING_NOTE in text for text in texts)
    if kind == "hop_dong":  # electronic labour contracts: Decree 337/2025, in force 1/1/2026
        assert texts[0].count("Nghị định 337/2025/NĐ-CP") == 2
        assert "hiệu lực khi bên ký sau cùng ký xong" in texts[0]
        # a salary changed after signing keeps the byte length, whatever the digits
        assert len({len(world.kyso._contract(signer, int(f"{d}{e}00000"), world.now))
                    for d in range(1, 10) for e in range(10)}) == 1


def test_signing_inside_a_running_event_loop(world, signer):
    """The Jupyter trap: pyHanko's sync API calls asyncio.run, which fails in a kernel."""
    doc = world.kyso.new_document(signer.id_number)
    request = world.kyso.start_signing(signer.id_number, doc.id)

    async def in_kernel():
        signed = world.kyso.confirm_signing(request.id, PIN)
        return world.kyso.verify(signed["id"])["code"]

    assert asyncio.run(in_kernel()) == "hop_le"


def test_journal_with_signed_files_replays_and_a_missing_file_is_caught(tmp_path):
    path = tmp_path / "nhat-ky.jsonl"
    world = World.open(path, pace="manual")
    person = world.population.practice_residents()[0]
    session = activate_vneid(world, person)
    world.kyso.request_certificate(person.id_number, "vneid", session.token)
    world.kyso.activate(person.id_number, world.inbox(person.phone).latest_otp(), PIN, PIN)
    _, signed = _sign(world, person)
    world.kyso.verify(signed["id"])
    assert check_journal(path).ok
    reopened = World.open(path, pace="manual")
    assert reopened.kyso.verify(signed["id"])["code"] == "hop_le"
    stored = tmp_path / "nhat-ky.jsonl.files" / f"{signed['sha256']}.bin"
    stored.unlink()

    def tree():
        return {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}

    before = tree()
    report = check_journal(path)
    assert tree() == before  # checking never writes (the signature is not made again)
    # Copied without its folder: the message says which folder to copy, and it is not
    # called tampering.
    assert not report.ok and report.unreadable and report.exit_code == 2
    assert "nhat-ky.jsonl.files" in report.problem and "chép cả thư mục" in report.problem


def test_demo_kit_and_cli_verify(tmp_path, capsys):
    from congdanso.world.signatures.demokit import KIT

    assert cli(["kyso", "demo-kit", str(tmp_path)]) == 0
    capsys.readouterr()
    for name, code, _ in KIT:
        exit_code = cli(["kyso", "verify", str(tmp_path / name), "--json"])
        result = json.loads(capsys.readouterr().out)
        assert result["code"] == code, name
        assert exit_code == (0 if code == "hop_le" else 1)
    assert "Kết quả đúng" in (tmp_path / "HUONG-DAN.txt").read_text(encoding="utf-8")
    assert cli(["kyso", "verify", str(tmp_path / "01-hop-le.pdf")]) == 0
    out = capsys.readouterr().out
    assert "CHỮ KÝ HỢP LỆ" in out and "Người ký" in out
    # Without the published CRL the revoked certificate cannot be known to be revoked:
    lone = tmp_path / "rieng"
    lone.mkdir()
    (lone / "tl.pdf").write_bytes((tmp_path / "04-chung-thu-bi-thu-hoi.pdf").read_bytes())
    assert cli(["kyso", "verify", str(lone / "tl.pdf"), "--json"]) == 3  # not "valid"
    unchecked = json.loads(capsys.readouterr().out)
    assert unchecked["ok"] is False and unchecked["revocation_checked"] is False
    assert "chưa biết chứng thư có bị thu hồi" in " ".join(unchecked["notes"])
    assert cli(["kyso", "verify", str(lone / "tl.pdf")]) == 3
    shown = capsys.readouterr().out
    assert "CHƯA KIỂM TRA ĐƯỢC VIỆC THU HỒI" in shown and "HỢP LỆ" not in shown
    assert "--crl" in shown and "(giờ Việt Nam)" in shown and "UTC" not in shown
    assert cli(["kyso", "verify", str(lone / "tl.pdf"), "--crl",
                str(tmp_path / "ca-cong-cong-mo-phong.crl")]) == 1
    capsys.readouterr()
    assert cli(["kyso", "verify", str(tmp_path / "khong-co.pdf")]) == 2
    assert cli(["kyso", "verify", str(tmp_path / "01-hop-le.pdf"), "--at", "01/01/2030"]) == 1
    assert "HẾT HẠN" in capsys.readouterr().out


def test_a_suspended_certificate_is_its_own_verdict(tmp_path):
    """Decree 23/2025: a certificate can be suspended ("tạm dừng") as well as revoked; the CRL
    lists it as certificate hold and every verifier says so."""
    from congdanso.world.core.errors import StateError

    world = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    person = world.population.practice_residents()[0]
    session = activate_vneid(world, person)
    world.kyso.request_certificate(person.id_number, "vneid", session.token)
    world.kyso.activate(person.id_number, world.inbox(person.phone).latest_otp(), PIN, PIN)
    _, signed = _sign(world, person)
    assert world.kyso.verify(signed["id"])["code"] == "hop_le"
    world.advance(hours=1)
    world.kyso.suspend(person.id_number)
    assert world.kyso.verify(signed["id"])["code"] == "tam_dung"
    with pytest.raises(StateError, match="tạm dừng"):
        world.kyso.suspend(person.id_number)
    from cryptography import x509

    [entry] = list(world.kyso.pki.crls(world.now.replace(tzinfo=dt.UTC)
                                       + dt.timedelta(minutes=1))[0])
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.certificate_hold
    assert check_journal(tmp_path / "nhat-ky.jsonl").ok  # replays to the same verdicts
