from __future__ import annotations

import pytest
from congdanso.cli import main as cli
from congdanso.world.money.qrimage import read_image, to_png, to_svg
from congdanso.world.money.vietqr import VietQR, VietQRError, crc16, decode, encode, training_qr
from hypothesis import given, settings
from hypothesis import strategies as st

# A real-format VietQR of Vietcombank (account number synthetic), built by hand from the spec.
VCB_BODY = ("00020101021138540010A00000072701240006970436011001234567890208QRIBFTTA"
            "53037045802VN6304")
VCB = VCB_BODY + crc16(VCB_BODY)


def test_crc_is_ccitt_false():
    assert crc16("123456789") == "29B1"  # the standard check value of CRC-16/CCITT-FALSE


def test_decode_names_a_real_bank_from_its_bin():
    qr = decode(VCB)
    assert (qr.bank_name, qr.account, qr.service, qr.dynamic) == (
        "Vietcombank", "0123456789", "QRIBFTTA", False)
    assert qr.amount is None and not qr.is_training


def test_dynamic_card_payment_with_additional_data():
    qr = VietQR("970418", "9704180012345678", service="QRIBFTTC", amount=250_000, dynamic=True,
                additional={"01": "HD0001", "05": "REF42", "08": "TIEN HOC"})
    back = decode(encode(qr))
    assert back == qr
    assert ("Số tiền", "250.000 đồng") in back.explain()


@pytest.mark.parametrize(("payload", "tag", "fragment"), [
    ("https://vietqr.example/pay", "00", "bắt đầu bằng 000201"),
    (VCB[:-4] + "0000", "63", "Sai mã kiểm tra CRC"),
    (VCB[:40], "63", "Thiếu mã kiểm tra CRC"),
    ("", None, "trống"),
])
def test_malformed_payloads_name_the_tag(payload, tag, fragment):
    with pytest.raises(VietQRError) as err:
        decode(payload)
    assert err.value.tag == tag and fragment in err.value.message


def _with_crc(body: str) -> str:
    return body + "6304" + crc16(body + "6304")


@pytest.mark.parametrize(("body", "tag", "fragment"), [
    ("00020101021338540010A00000072701240006970436011001234567890208QRIBFTTA53037045802VN",
     "01", "11 (mã tĩnh) hoặc 12"),
    ("00020101021138540010A00000072701240006970436011001234567890208QRIBFTTA53038405802VN",
     "53", "704"),
    ("00020101021138540010A00000072701240006970436011001234567890208QRIBFTXX53037045802VN",
     "38.02", "QRIBFTTA"),
    ("00020101021138540010A00000072801240006970436011001234567890208QRIBFTTA53037045802VN",
     "38.00", "A000000727"),
    ("00020101021138540010A00000072701240006970A36011001234567890208QRIBFTTA53037045802VN",
     "38.01.00", "6 chữ số"),
    ("00020101021138540010A00000072701240006970436011001234567890208QRIBFTTA5303704540512.505802VN",
     "54", "số nguyên"),
    ("000201010211530370458", "58", "bị cắt"),
    ("00020101021153037045802VN", "38", "Thiếu trường 38"),
])
def test_each_broken_element_is_reported(body, tag, fragment):
    with pytest.raises(VietQRError) as err:
        decode(_with_crc(body))
    assert err.value.tag == tag, err.value.message
    assert fragment in err.value.message


def test_training_codes_cannot_use_a_real_bank():
    with pytest.raises(VietQRError, match="ngân hàng mô phỏng"):
        training_qr("970436", "0123456789")
    qr = decode(encode(training_qr("999702", "123", amount=1000, message="Phí hồ sơ")))
    assert qr.is_training and qr.message == "TAP HUAN PHI HO SO"


_accounts = st.text(alphabet="0123456789", min_size=6, max_size=19)
_messages = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ăâđêôơư", max_size=40)


@settings(max_examples=40, deadline=None)
@given(bank=st.sampled_from(["999701", "999702", "999703"]), account=_accounts,
       amount=st.one_of(st.none(), st.integers(1, 500_000_000)), message=_messages,
       bill=st.one_of(st.none(), st.text(alphabet="ABC0123456789", min_size=1, max_size=20)))
def test_round_trip_through_a_png(bank, account, amount, message, bill):
    qr = training_qr(bank, account, amount=amount, message=message or None, bill_number=bill)
    payload = encode(qr)
    assert decode(payload) == qr
    assert read_image(to_png(payload)) == payload


def test_svg_is_an_svg_with_a_title():
    svg = to_svg(encode(training_qr("999701", "0123456789")))
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:200]
    assert "TẬP HUẤN" in svg


def test_reading_pictures_that_are_not_qr_codes(tmp_path):
    from congdanso.world.core.errors import ValidationError

    with pytest.raises(ValidationError, match="không phải ảnh"):
        read_image(b"%PDF-1.7 not an image")
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    with pytest.raises(ValidationError, match="Không tìm thấy mã QR"):
        read_image(blank.getvalue())


def test_cli_decode_and_encode(tmp_path, capsys):
    assert cli(["vietqr", "decode", VCB]) == 0
    assert "Vietcombank" in capsys.readouterr().out
    assert cli(["vietqr", "decode", VCB[:-1] + "0", "--json"]) == 1
    assert '"tag": "63"' in capsys.readouterr().out
    png = tmp_path / "ma.png"
    assert cli(["vietqr", "encode", "--account", "0123456789", "--amount", "75000",
                "--message", "Tiền rác", "--png", str(png)]) == 0
    capsys.readouterr()
    assert cli(["vietqr", "decode", "--image", str(png), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"amount": 75000' in out and '"training": true' in out
    assert cli(["vietqr", "decode", "--image", str(tmp_path / "khong-co.png")]) == 2
    assert cli(["vietqr", "encode", "--bank", "970436", "--account", "1"]) == 1
