"""Certificates: any name survives the QR payload, only registered numbers signed with the
course's own key are accepted, and a course without a key says so in Vietnamese."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from congdanso.cohort import certificates as c


def _issue(course, name: str, number: str = "CDS-2026-000001"):
    signer = c.course_signer(course, create=True)
    facts = c.CertificateFacts(number, "hv-01", name, "Khu phố Đông Nhì", ("TK1", "TK2"),
                               dt.date(2026, 12, 1))
    payload = c.qr_payload(facts, signer)
    c._register(course, facts, payload)
    return payload


@pytest.mark.parametrize("name", ["Nguyễn Thị (Bé) Út", "Lê Văn A; B", 'Trần "Tí" O\'Neil',
                                  unicodedata.normalize("NFD", "Đặng Thị Ánh Hồng")])
def test_any_name_survives_and_verifies(tmp_path, name):
    payload = _issue(tmp_path, name)
    ok, message = c.verify_qr(payload, tmp_path)
    assert ok, message
    assert unicodedata.normalize("NFC", name) in message and unicodedata.is_normalized(
        "NFC", message)


def test_signed_but_unregistered_numbers_and_other_keys_are_refused(tmp_path):
    payload = _issue(tmp_path, "Phạm Văn Dũng")
    signer = c.course_signer(tmp_path)
    extra = c.CertificateFacts("CDS-2026-000099", "hv-02", "Người Lạ", "", ("TK1",),
                               dt.date(2026, 12, 1))
    ok, message = c.verify_qr(c.qr_payload(extra, signer), tmp_path)  # key leaked, no registry
    assert not ok and "không có trong sổ" in message
    other = tmp_path / "khoa-khac"
    c.course_signer(other, create=True)
    ok, message = c.verify_qr(payload, other)
    assert not ok and "giả mạo" in message
    assert c.verify_qr("CDS1;cu;kieu;cu", tmp_path)[0] is False
    assert c.verify_qr("CDS2.@@.@@", tmp_path) == (False, "Mã QR bị hỏng hoặc không đọc đủ: "
                                                   "hãy quét lại.")


def test_numbers_continue_from_the_registry(tmp_path):
    _issue(tmp_path, "A", "CDS-2026-000001")
    _issue(tmp_path, "B", "CDS-2026-000002")
    assert c.next_number(tmp_path, 2026) == "CDS-2026-000003"
    assert c.next_number(tmp_path, 2027) == "CDS-2027-000001"


def test_a_course_without_a_key_is_explained(tmp_path):
    with pytest.raises(c.CertificateError, match="chưa cấp chứng nhận nào"):
        c.verify_qr("CDS2.e30.AA", tmp_path)


def test_a_transcript_says_what_it_is_and_a_certificate_keeps_its_form(tmp_path):
    signer = c.course_signer(tmp_path, create=True)
    transcript = c.CertificateFacts("CDS-2026-000001", "hv-01", "Đỗ Thị Gấm", "", ("TK1", "AT1"),
                                    dt.date(2026, 12, 1), c.TRANSCRIPT, 5, 12)
    certificate = c.CertificateFacts("CDS-2026-000002", "hv-02", "Võ Văn Em", "", ("TK1",),
                                     dt.date(2026, 12, 1))
    assert set(certificate.body()) == {"n", "id", "ten", "nl", "ngay"}  # older QR codes still read
    for facts in (transcript, certificate):
        c._register(tmp_path, facts, c.qr_payload(facts, signer))
    ok, message = c.verify_qr(c.qr_payload(transcript, signer), tmp_path)
    assert ok and message.startswith("Bảng kết quả năng lực số CDS-2026-000001 hợp lệ")
    assert "đánh giá 5/12 năng lực" in message and "chưa phải chứng nhận khoá học" in message
    ok, message = c.verify_qr(c.qr_payload(certificate, signer), tmp_path)
    assert ok and message.startswith("Chứng nhận số CDS-2026-000002 hợp lệ")
