"""A learner's journal, verified (chain, head, replay) before anything in it is believed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congdanso.world.journal import DEFAULT_NAME


@dataclass
class LearnerJournal:
    path: Path
    events: list[dict[str, Any]]

    # -- reading ------------------------------------------------------------------------------
    def actions(self, name: str, *, ok: bool | None = True) -> Iterator[dict[str, Any]]:
        """Events of one action (successful ones by default), oldest first."""
        for body in self.events:
            if body["action"] == name and (ok is None or body.get("ok") is ok):
                yield body

    def did(self, name: str, **args: Any) -> bool:
        """Whether the learner did ``name`` successfully with these argument values."""
        return any(
            all(body["args"].get(k) == v for k, v in args.items()) for body in self.actions(name)
        )

    def portal_accounts_created_via_vneid(self) -> list[str]:
        """ID numbers whose portal account was created by logging in with VNeID."""
        return [
            body["result"]["id_number"]
            for body in self.actions("portal.finish_vneid_login")
            if body["result"].get("new_account")
        ]

    # -- checks for grade cells (raise AssertionError written for the learner) -----------------
    def require_portal_account_via_vneid(self, id_number: str | None = None) -> None:
        created = self.portal_accounts_created_via_vneid()
        if id_number is None:
            assert created, (
                "Chưa có tài khoản Cổng DVC nào được tạo bằng VNeID. Hãy giúp người "
                "dân: đăng ký mức 2 tại công an phường → kích hoạt VNeID → mở Cổng "
                "DVC, chọn đăng nhập bằng VNeID → quét mã QR → xác nhận."
            )
            return
        if id_number in created:
            return
        level2 = self.did("police.enroll_level2", id_number=id_number)
        activated = self.did("vneid.set_security_questions", id_number=id_number)
        if not level2:
            hint = "Bước còn thiếu: đăng ký tài khoản VNeID mức 2 tại công an phường."
        elif not activated:
            hint = "Bước còn thiếu: kích hoạt VNeID (OTP → mật khẩu → passcode → câu hỏi bảo mật)."
        else:
            hint = (
                "Bước còn thiếu: vào Cổng DVC, chọn đăng nhập bằng VNeID, quét mã QR trong "
                "ứng dụng VNeID và xác nhận bằng passcode."
            )
        raise AssertionError(
            f"Người dân có số định danh {id_number} chưa có tài khoản Cổng DVC "
            f"tạo bằng VNeID. {hint}"
        )


    def signed_documents(self, id_number: str) -> list[dict[str, Any]]:
        return [b["result"] for b in self.actions("kyso.confirm_signing")
                if b["result"].get("signed_by") == id_number]

    def require_signed_contract(self, id_number: str) -> None:
        if not any(d["name"].startswith("hop-dong") for d in self.signed_documents(id_number)):
            raise AssertionError(
                f"Chưa thấy hợp đồng lao động nào được người dân {id_number} ký số. Hãy: đăng ký "
                "chứng thư (VNeID mức 2) → kích hoạt ứng dụng ký số (mã PIN) → tạo hợp đồng → đặt "
                "chữ ký → xác nhận bằng mã PIN.")

    def verdicts(self) -> list[str]:
        return [b["result"]["code"] for name in ("kyso.verify", "kyso.verify_file")
                for b in self.actions(name)]

    def require_verdict_seen(self, code: str, explanation: str) -> None:
        if code not in self.verdicts():
            raise AssertionError(f"Chưa kiểm tra tài liệu nào cho kết luận \"{explanation}\". "
                                 "Hãy dùng chức năng kiểm tra chữ ký với tài liệu cần kiểm tra.")

    def paid_bills(self) -> list[str]:
        return [b["result"]["purpose"]["bill"] for b in self.actions("bank.confirm_transfer")
                if b["result"].get("status") == "thanh_cong" and "bill" in b["result"]["purpose"]]

    def require_bill_paid(self, customer_code: str) -> None:
        if not any(bill.startswith(customer_code + "-") for bill in self.paid_bills()):
            raise AssertionError(f"Hoá đơn có mã khách hàng {customer_code} chưa được thanh toán. "
                                 "Hãy tra cứu hoá đơn, kiểm tra tên người nhận, xác nhận rồi nhập "
                                 "mã OTP.")


    def submitted_dossiers(self, id_number: str, procedure: str) -> list[str]:
        return [b["result"]["code"] for b in self.actions("portal.submit_dossier")
                if b["args"].get("procedure_code") == procedure
                and b["result"].get("id_number") == id_number]

    def require_dossier_submitted(self, id_number: str, procedure: str, name: str) -> None:
        if not self.submitted_dossiers(id_number, procedure):
            raise AssertionError(f"Chưa nộp hồ sơ \"{name}\" cho người dân {id_number}. Hãy đăng "
                                 "nhập Cổng DVC bằng VNeID, tìm thủ tục, kiểm tra thông tin điền "
                                 "sẵn, khai phần còn thiếu và nộp.")

    def require_fee_paid(self, id_number: str, procedure: str) -> None:
        fees = {b["result"]["purpose"].get("fee") for b in self.actions("bank.confirm_transfer")
                if b["result"].get("status") == "thanh_cong"}
        if not any(f"PHI-{code}" in fees for code in self.submitted_dossiers(id_number,
                                                                             procedure)):
            raise AssertionError("Phí của hồ sơ chưa được thanh toán. Khi hồ sơ đã được tiếp "
                                 "nhận: Quản lý hồ sơ → Yêu cầu thanh toán → quét mã bằng ứng dụng "
                                 "ngân hàng → kiểm tra tên người nhận → OTP.")


def learner_journal(path: str | os.PathLike[str] | None = None) -> LearnerJournal:
    """Load and verify the journal next to the notebook; fail with a Vietnamese explanation."""
    from congdanso.world.check import check_journal

    journal_path = Path(path or DEFAULT_NAME)
    if not journal_path.exists():
        raise AssertionError(
            f"Không thấy nhật ký thao tác ({journal_path.name}) cạnh notebook: "
            "bạn chưa làm thao tác nào trong thế giới mô phỏng. Hãy chạy các ô "
            "bài tập (hoặc dùng ứng dụng mô phỏng) rồi kiểm tra lại."
        )
    report = check_journal(journal_path)
    if not report.ok:
        raise AssertionError(
            f"Nhật ký thao tác không tin cậy được nên không chấm: "
            f"{report.problem} Nhật ký chỉ được ghi bởi thế giới mô phỏng; đừng "
            "sửa tệp bằng tay. Hãy báo giảng viên để được làm lại."
        )
    return LearnerJournal(journal_path, report.events)
