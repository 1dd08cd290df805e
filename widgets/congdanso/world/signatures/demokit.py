"""The trainer's demo kit: one sample PDF per verification verdict, plus the CA files.

Everything is made in a fresh simulated world (seed 74), so `congdanso kyso verify` on any file
of the kit gives the verdict its name promises, on any machine, without network.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from congdanso.world.scenarios import activate_vneid

KIT = (
    ("01-hop-le.pdf", "hop_le", "Hợp đồng lao động được ký đúng cách."),
    ("02-bi-sua-sau-khi-ky.pdf", "bi_sua",
     "Cùng hợp đồng, nhưng mức lương bị sửa từ 8.500.000 thành 5.500.000 sau khi ký."),
    ("03-chung-thu-het-han.pdf", "het_han", "Ký bằng chứng thư chữ ký số đã hết hạn từ năm 2024."),
    ("04-chung-thu-bi-thu-hoi.pdf", "bi_thu_hoi",
     "Ký bằng chứng thư chữ ký số mà người dùng đã báo mất và đề nghị thu hồi."),
    ("05-ca-khong-tin-cay.pdf", "khong_tin_cay",
     "Ký bằng chứng thư do một \"CA\" tự tạo cấp (kẻ gian mạo tên tổ chức chính thức)."),
    ("06-chua-ky.pdf", "chua_ky", "Hợp đồng chưa ký số (chỉ là tệp PDF thường)."),
    ("07-khong-phai-pdf.pdf", "hong", "Một ảnh chụp được đổi đuôi thành .pdf."),
    ("08-chung-thu-tam-dung.pdf", "tam_dung",
     "Ký bằng chứng thư chữ ký số đang bị tạm dừng: người dùng báo nghi lộ mã PIN."),
)
CRL_NAME = "ca-cong-cong-mo-phong.crl"
ROOT_NAME = "ca-goc-mo-phong.crt"


def build_demo_kit(folder: str | Path) -> list[Path]:
    from cryptography.hazmat.primitives import serialization

    from congdanso.world import World
    from congdanso.world.money.qrimage import to_png
    from congdanso.world.signatures.pki import _name, build_cert, derive_key, fake_ca
    from congdanso.world.signatures.signing import sign_pdf

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    world = World()
    people = world.population.practice_residents()
    signer, lost = people[0], people[1]
    files: dict[str, bytes] = {}

    session = activate_vneid(world, signer)
    world.kyso.request_certificate(signer.id_number, "vneid", session.token)
    world.kyso.activate(signer.id_number, world.inbox(signer.phone).latest_otp(), "258036",
                        "258036")
    contract = world.kyso.new_document(signer.id_number, "hop_dong")
    request = world.kyso.start_signing(signer.id_number, contract.id)
    signed = world.kyso.confirm_signing(request.id, "258036")
    changed = world.kyso.change_after_signing(signed["id"], salary=5_500_000)
    files["01-hop-le.pdf"] = world.kyso.content(signed["id"])
    files["02-bi-sua-sau-khi-ky.pdf"] = world.kyso.content(changed.id)
    files["06-chua-ky.pdf"] = world.kyso.content(contract.id)

    pki = world.kyso.pki
    old = pki.issue(900, signer.id_number, signer.full_name,
                    not_before=dt.datetime(2021, 1, 4, 8, 0, tzinfo=dt.UTC), years=3)
    files["03-chung-thu-het-han.pdf"] = sign_pdf(files["06-chua-ky.pdf"], old.cert, old.key,
                                                 [pki.ca, pki.root],
                                                 when=dt.datetime(2023, 6, 1, 9, 0))

    session2 = activate_vneid(world, lost)
    world.kyso.request_certificate(lost.id_number, "vneid", session2.token)
    world.kyso.activate(lost.id_number, world.inbox(lost.phone).latest_otp(), "258036", "258036")
    lost_doc = world.kyso.new_document(lost.id_number, "hop_dong")
    lost_signed = world.kyso.confirm_signing(
        world.kyso.start_signing(lost.id_number, lost_doc.id).id, "258036")
    world.advance(hours=2)
    world.kyso.revoke(lost.id_number, "Mất điện thoại")
    files["04-chung-thu-bi-thu-hoi.pdf"] = world.kyso.content(lost_signed["id"])

    worried = people[2]  # thinks someone saw the PIN: the certificate is suspended, not revoked
    session3 = activate_vneid(world, worried)
    world.kyso.request_certificate(worried.id_number, "vneid", session3.token)
    world.kyso.activate(worried.id_number, world.inbox(worried.phone).latest_otp(), "258036",
                        "258036")
    held_doc = world.kyso.new_document(worried.id_number, "hop_dong")
    held_signed = world.kyso.confirm_signing(
        world.kyso.start_signing(worried.id_number, held_doc.id).id, "258036")
    world.advance(hours=1)
    world.kyso.suspend(worried.id_number)
    files["08-chung-thu-tam-dung.pdf"] = world.kyso.content(held_signed["id"])

    fake_cert, fake_key = fake_ca(world.seed)
    key = derive_key(world.seed, "fake-user")
    cert = build_cert(_name(signer.full_name, "Cá nhân", uid=f"CCCD:{signer.id_number}"),
                      fake_cert.subject, key.public_key(), fake_key, 77, ca=False,
                      not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                      not_after=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    files["05-ca-khong-tin-cay.pdf"] = sign_pdf(files["06-chua-ky.pdf"], cert, key, [fake_cert],
                                                when=world.now)
    files["07-khong-phai-pdf.pdf"] = to_png("ANH CHUP HOP DONG - KHONG PHAI PDF", caption=None)

    written = []
    for name, _, _ in KIT:
        (out / name).write_bytes(files[name])
        written.append(out / name)
    moment = world.now.replace(tzinfo=dt.UTC) + dt.timedelta(minutes=1)
    (out / CRL_NAME).write_bytes(pki.crls(moment)[0].public_bytes(serialization.Encoding.DER))
    (out / ROOT_NAME).write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    lines = ["BỘ TÀI LIỆU MẪU KIỂM TRA CHỮ KÝ SỐ (tập huấn Công Dân Số)", "",
             "Mọi tài liệu, người ký và chứng thư đều là mô phỏng, không có giá trị pháp lý.",
             "Kiểm tra từng tệp bằng lệnh:  congdanso kyso verify TÊN-TỆP.pdf", "",
             f"{CRL_NAME}: danh sách chứng thư bị thu hồi của CA công cộng mô phỏng (lệnh kiểm "
             "tra tự đọc tệp .crl nằm cùng thư mục).",
             f"{ROOT_NAME}: chứng thư của CA gốc mô phỏng (được tin cậy).", ""]
    from congdanso.world.signatures.signing import VERDICTS

    for name, code, story in KIT:
        lines.append(f"{name}\n   Tình huống: {story}\n   Kết quả đúng: {VERDICTS[code][0]}")
    (out / "HUONG-DAN.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written
