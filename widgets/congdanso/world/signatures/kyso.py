"""Personal digital signatures: certificates from the training CA, remote signing (ký số từ xa)
confirmed by PIN in the signing app, and verification with a Vietnamese verdict.

A certificate is issued only after the checks of the brief: a level-2 VNeID account, or the
citizen in person with the ID card. The remote-signing flow is VNeID-like: log in, upload a PDF,
place the signature, confirm with a 6-digit PIN; five wrong PINs lock signing for 30 minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from congdanso.world.core.actions import action
from congdanso.world.core.errors import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.files import FileStore
from congdanso.world.core.journal import JournalError
from congdanso.world.core.validate import check_passcode
from congdanso.world.identity.idnumber import clean_id_number
from congdanso.world.identity.security import AttemptLimiter, hash_secret

if TYPE_CHECKING:
    from congdanso.world.signatures.pki import TrainingPKI
    from congdanso.world.signatures.signing import Verdict
    from congdanso.world.society.people import Person
    from congdanso.world.world import World

SENDER = "KySo"
EMPLOYER = "Công ty TNHH May mặc Sông Bé (mô phỏng)"
EMPLOYER_ADDRESS = "Khu công nghiệp VSIP, phường Bình Hòa, Thành phố Hồ Chí Minh"
MAX_PDF_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class Document:
    id: str
    name: str
    sha256: str
    owner_id: str
    kind: str  # "hop_dong", "to_khai", "tai_len", "da_ky", "bi_sua"
    signed_by: str | None = None
    made: dict[str, Any] = field(default_factory=dict)  # how a generated PDF was made

    def record(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "sha256": self.sha256,
            "kind": self.kind,
            "signed_by": self.signed_by,
        }


@dataclass(slots=True)
class SigningAccount:
    id_number: str
    serial: int
    status: str = "cho_kich_hoat"  # → "hoat_dong"; "thu_hoi" once revoked, "tam_dung" suspended
    pin_hash: str | None = None
    pins: AttemptLimiter = field(default_factory=AttemptLimiter)

    def record(self) -> dict:
        return {"id_number": self.id_number, "serial": self.serial, "status": self.status}


@dataclass(slots=True)
class SignRequest:
    id: str
    id_number: str
    document_id: str
    page: int

    def record(self) -> dict:
        return {"id": self.id, "document_id": self.document_id, "page": self.page}


class SigningService:
    def __init__(self, world: World):
        self.world = world
        self._pki: TrainingPKI | None = None
        self.accounts: dict[str, SigningAccount] = {}
        self.documents: dict[str, Document] = {}
        self.requests: dict[str, SignRequest] = {}
        self.files: FileStore = world.files

    @property
    def pki(self) -> TrainingPKI:
        """The training CA, built on first use (cryptography loads only when signing is used)."""
        if self._pki is None:
            from congdanso.world.signatures.pki import TrainingPKI

            self._pki = TrainingPKI(self.world.seed)
        return self._pki

    # -- helpers ------------------------------------------------------------------------------
    def _person(self, id_number: str) -> Person:
        return self.world.population.require(id_number)

    def _account(self, id_number: str) -> SigningAccount:
        account = self.accounts.get(clean_id_number(id_number))
        if account is None:
            raise NotFoundError(
                "Người dân chưa có chứng thư chữ ký số. Hãy đăng ký chứng thư trước "
                "(cần VNeID mức 2 hoặc thẻ căn cước).",
                field="id_number",
            )
        return account

    def _utc(self) -> dt.datetime:
        return self.world.now.replace(tzinfo=dt.UTC)

    def _new_document(
        self,
        data: bytes,
        name: str,
        owner: str,
        kind: str,
        signed_by: str | None = None,
        made: dict[str, Any] | None = None,
    ) -> Document:
        digest = self.files.put(data)
        doc = Document(
            f"TL{self.world.counter('document'):05d}",
            name,
            digest,
            owner,
            kind,
            signed_by,
            dict(made or {}),
        )
        self.documents[doc.id] = doc
        return doc

    def document(self, document_id: str) -> Document:
        doc = self.documents.get(str(document_id))
        if doc is None:
            raise NotFoundError("Không có tài liệu này.", field="document")
        return doc

    def content(self, document_id: str) -> bytes:
        doc = self.document(document_id)
        data = self.files.get(doc.sha256)
        if data is None:
            raise NotFoundError(
                f"Tệp của tài liệu {doc.name} không còn trong thư mục .files cạnh nhật ký.",
                field="document",
            )
        return data

    def export(self, document_id: str, path: str | Path) -> Path:
        """Save a document to a file a learner can open or send (not an action)."""
        target = Path(path)
        target.write_bytes(self.content(document_id))
        return target

    def _recorded_file(self, key: str) -> bytes | None:
        """On replay, the bytes an action produced the first time (looked up by their hash)."""
        recorded = self.world.recorded_result()
        if recorded is None:
            return None
        return self.recorded_bytes(recorded.get(key) if isinstance(recorded, dict) else None)

    def recorded_bytes(self, digest: str | None) -> bytes:
        """A file an action made the first time, by its hash; a missing one breaks the replay."""
        data = self.files.get(digest) if digest else None
        if data is None:
            raise JournalError(
                "Một tệp PDF mà nhật ký ghi là đã tạo không còn trong thư mục "
                ".files cạnh nhật ký (bị xoá hoặc sửa).",
                kind="missing-file",
            )
        return data

    # -- certificates -------------------------------------------------------------------------
    @action("kyso.request_certificate")
    def request_certificate(
        self,
        id_number: str,
        proof: str = "vneid",
        vneid_token: str | None = None,
        present: bool = False,
    ) -> dict:
        """Get a personal certificate: proof "vneid" (level-2 session) or "cccd" (in person)."""
        person = self._person(id_number)
        if (
            person.id_number in self.accounts
            and self.accounts[person.id_number].status != "thu_hoi"
        ):
            raise StateError("Người dân đã có chứng thư chữ ký số còn hiệu lực.")
        if proof == "vneid":
            session = self.world.vneid.sessions.get(vneid_token or "")
            if session is None or session.id_number != person.id_number:
                raise AuthError(
                    "Hãy đăng nhập VNeID của chính người dân để xác thực.", field="vneid_token"
                )
            if session.level < 2:
                raise PermissionDeniedError(
                    "Cần tài khoản VNeID mức 2 để đăng ký chứng thư chữ ký số "
                    "trực tuyến. Hoặc mang thẻ căn cước đến điểm đăng ký."
                )
        elif proof == "cccd":
            if not present:
                raise PermissionDeniedError(
                    "Đăng ký bằng thẻ căn cước cần người dân có mặt cùng thẻ bản gốc."
                )
            if not person.has_chip_card:
                raise PermissionDeniedError("Người dân chưa có thẻ căn cước gắn chip.")
        else:
            raise ValidationError(
                "Chọn cách xác thực: VNeID mức 2 hoặc thẻ căn cước.", field="proof"
            )
        if not person.phone:
            raise PermissionDeniedError("Cần số điện thoại để nhận mã kích hoạt.", field="phone")
        serial = 1000 + self.world.counter("certificate")
        issued = self.pki.issue(serial, person.id_number, person.full_name, not_before=self._utc())
        self.accounts[person.id_number] = SigningAccount(person.id_number, serial)
        self.world.issue_otp(
            person.phone,
            "kyso",
            SENDER,
            "Chứng thư chữ ký số tập huấn của bạn đã được cấp. Mã kích hoạt ứng dụng "
            "ký số là {code}. Không cung cấp mã này cho ai.",
        )
        return issued.record()

    @action("kyso.activate", secret=("otp", "pin", "confirm"))
    def activate(self, id_number: str, otp: str, pin: str, confirm: str) -> SigningAccount:
        """Activate the signing app: the SMS code, then a 6-digit PIN for every signature."""
        account = self._account(id_number)
        if account.status == "hoat_dong":
            raise StateError("Ứng dụng ký số đã kích hoạt.")
        if account.status == "thu_hoi":
            raise StateError("Chứng thư đã bị thu hồi; hãy đăng ký chứng thư mới.")
        value = check_passcode(pin)
        if value != str(confirm).strip():
            raise ValidationError("Hai lần nhập mã PIN không giống nhau.", field="confirm")
        person = self._person(id_number)
        self.world.otps[f"kyso:{person.phone}"].verify(otp, self.world.now)
        account.pin_hash = hash_secret(self.world.seed, value)
        account.status = "hoat_dong"
        return account

    @action("kyso.revoke")
    def revoke(self, id_number: str, reason: str = "Người dùng đề nghị thu hồi") -> dict:
        """Revoke the certificate (lost phone, leaked PIN): published in the CA's CRL."""
        account = self._account(id_number)
        if account.status == "thu_hoi":
            raise StateError("Chứng thư này đã bị thu hồi trước đó.")
        self.pki.revoke(account.serial, self._utc(), reason)
        account.status = "thu_hoi"
        return {"serial": account.serial, "revoked_at": self._utc().isoformat()}

    @action("kyso.suspend")
    def suspend(self, id_number: str) -> dict:
        """Suspend the certificate ("tạm dừng", Decree 23/2025), e.g. while a suspected leak is
        checked: signatures are not valid meanwhile; the CA's list shows it as on hold."""
        account = self._account(id_number)
        if account.status in ("thu_hoi", "tam_dung"):
            raise StateError("Chứng thư chữ ký số này đã bị thu hồi hoặc đang tạm dừng.")
        from congdanso.world.signatures.pki import SUSPENDED

        self.pki.suspend(account.serial, self._utc())
        account.status = SUSPENDED
        return {"serial": account.serial, "suspended_at": self._utc().isoformat()}

    # -- documents ----------------------------------------------------------------------------
    @action("kyso.new_document")
    def new_document(
        self,
        id_number: str,
        kind: str = "hop_dong",
        salary: int = 8_500_000,
        procedure: str = "HT-XNHN",
    ) -> Document:
        """Make a practice PDF: "hop_dong" (labour contract) or "to_khai" (dossier form)."""
        from congdanso.world import documents

        person = self._person(id_number)
        profile = self.world.portal._profile(person)
        when = self.world.now
        if kind == "hop_dong":
            if not isinstance(salary, int) or not 1_000_000 <= salary <= 999_999_999:
                raise ValidationError(
                    "Mức lương phải là số đồng từ 1.000.000 trở lên.", field="salary"
                )
            data = self._contract(person, salary, when)
            name = f"hop-dong-lao-dong-{person.id_number}.pdf"
            made = {"salary": salary, "when": when.isoformat()}
        elif kind == "to_khai":
            procedure_obj = self.world.portal.procedure(procedure)
            data = documents.dossier_form(
                procedure=procedure_obj.name,
                profile={
                    "Họ và tên": profile["full_name"],
                    "Ngày sinh": profile["birth_date"],
                    "Số định danh": profile["id_number"],
                    "Nơi thường trú": profile["permanent_address"],
                },
                fields={},
                when=when,
            )
            name = f"to-khai-{procedure}-{person.id_number}.pdf"
            made = {"procedure": procedure, "when": when.isoformat()}
        else:
            raise ValidationError("Loại tài liệu phải là hop_dong hoặc to_khai.", field="kind")
        return self._new_document(data, name, person.id_number, kind, made=made)

    def _contract(self, person, salary: int, when: dt.datetime) -> bytes:
        from congdanso import __version__

        def make() -> bytes:
            from congdanso.world import documents

            return documents.labour_contract(
                employer=EMPLOYER,
                employer_address=EMPLOYER_ADDRESS,
                employee=self.world.portal._profile(person),
                job="Công nhân may",
                salary=salary,
                start=(when + dt.timedelta(days=14)).date(),
                when=when,
            )

        recipe = {"document": "hop_dong", "seed": self.world.seed, "person": person.id_number,
                  "salary": salary,
                  "when": when.isoformat(), "version": __version__}
        return self.files.made(recipe, make)

    def upload(self, id_number: str, path: str | Path) -> Document:
        """Upload a PDF from disk to the signing app (the file is kept by its hash)."""
        source = Path(path)
        if not source.is_file():
            raise NotFoundError(f"Không thấy tệp {source.name}. Hãy chọn lại tệp.", field="path")
        if source.stat().st_size > MAX_PDF_BYTES:
            raise ValidationError(
                "Tệp lớn hơn 10 MB: hãy giảm dung lượng rồi tải lại.", field="path"
            )
        digest = self.files.put(source.read_bytes())
        return self.upload_file(id_number, source.name, digest)

    @action("kyso.upload_file")
    def upload_file(self, id_number: str, name: str, sha256: str) -> Document:
        """The journaled half of ``upload``: a file already in the store, by its hash."""
        person = self._person(id_number)
        data = self.files.get(sha256)
        if data is None:
            raise NotFoundError("Không còn tệp đã tải lên trong thư mục .files.", field="path")
        if not data.lstrip()[:5].startswith(b"%PDF-"):
            raise ValidationError(
                "Chỉ ký được tệp PDF. Tệp này không phải PDF (có thể là ảnh "
                "hoặc tệp Word đổi tên).",
                field="path",
            )
        return self._new_document(data, name, person.id_number, "tai_len")

    @action("kyso.start_signing")
    def start_signing(self, id_number: str, document_id: str, page: int = 1) -> SignRequest:
        """Place the signature on a page; the app asks the citizen to confirm with the PIN."""
        account = self._account(id_number)
        if account.status != "hoat_dong":
            raise StateError("Ứng dụng ký số chưa kích hoạt hoặc chứng thư đã bị thu hồi.")
        issued = self.pki.issued[account.serial]
        if self._utc() > issued.not_after:
            raise StateError("Chứng thư chữ ký số đã hết hạn. Hãy gia hạn trước khi ký.")
        doc = self.document(document_id)
        if doc.owner_id != account.id_number:
            raise PermissionDeniedError("Chỉ ký được tài liệu của chính mình.")
        if page != 1:
            raise ValidationError(
                "Tài liệu tập huấn chỉ có 1 trang: hãy đặt chữ ký ở trang 1.", field="page"
            )
        request = SignRequest(
            f"YC{self.world.counter('sign-request'):05d}", account.id_number, doc.id, page
        )
        self.requests[request.id] = request
        person = self._person(id_number)
        self.world.send_sms(
            person.phone,
            SENDER,
            f'Yêu cầu ký tài liệu "{doc.name}". Mở ứng '
            "dụng ký số và nhập mã PIN nếu đúng là bạn yêu cầu.",
            kind="app",
        )
        return request

    @action("kyso.confirm_signing", secret=("pin",))
    def confirm_signing(self, request_id: str, pin: str) -> dict:
        """Confirm in the app with the PIN; the signed PDF is a new document."""
        request = self.requests.get(request_id)
        if request is None:
            raise NotFoundError("Không có yêu cầu ký này (đã ký hoặc đã huỷ).")
        account = self._account(request.id_number)
        account.pins.check_open(self.world.now, "Ký số")
        if hash_secret(self.world.seed, str(pin).strip()) != account.pin_hash:
            raise account.pins.fail(self.world.now, "ký số", secret="Mã PIN", field="pin")
        account.pins.succeed()
        doc = self.document(request.document_id)
        signed = self._recorded_file("sha256")
        if signed is None:  # first run: really sign (replay reuses the stored signed file)
            from congdanso.world.signatures.signing import sign_pdf

            issued = self.pki.issued[account.serial]
            signed = sign_pdf(
                self.content(doc.id), issued.cert, issued.key, [self.pki.ca, self.pki.root]
            )
        del self.requests[request_id]
        name = doc.name.removesuffix(".pdf") + "-da-ky.pdf"
        new = self._new_document(signed, name, doc.owner_id, "da_ky", account.id_number)
        return new.record()

    @action("kyso.change_after_signing")
    def change_after_signing(self, document_id: str, salary: int = 5_500_000) -> Document:
        """For "spot the problem" practice: someone raises the salary in a signed contract."""
        doc = self.document(document_id)
        return self._new_document(
            self.changed_bytes(document_id, salary), doc.name.replace("-da-ky", "-bi-sua"),
            doc.owner_id, "bi_sua")

    def changed_bytes(self, document_id: str, salary: int) -> bytes:
        """A signed contract's bytes with the salary changed after signing (signature kept)."""
        from congdanso.world.signatures.signing import changed_copy

        doc = self.document(document_id)
        original_doc = next(
            (
                d
                for d in self.documents.values()
                if doc.kind == "da_ky"
                and d.kind == "hop_dong"
                and d.name == doc.name.replace("-da-ky.pdf", ".pdf")
                and d.owner_id == doc.owner_id
            ),
            None,
        )
        if original_doc is None:
            raise ValidationError("Chỉ dùng với hợp đồng lao động đã ký.", field="document")
        when = dt.datetime.fromisoformat(original_doc.made["when"])
        person = self._person(doc.owner_id)
        try:
            return changed_copy(
                self.content(original_doc.id),
                self._contract(person, int(salary), when),
                self.content(doc.id),
            )
        except ValueError:
            raise ValidationError(
                "Mức lương mới phải có cùng số chữ số với mức lương cũ (ví dụ 8.500.000 → 5.500.000).",
                field="salary",
            ) from None

    # -- verification -------------------------------------------------------------------------
    def verdict_of(self, data: bytes) -> Verdict:
        from congdanso.world.signatures.signing import verify_pdf

        # A check made in the same simulated second as a revocation must already see it.
        moment = self._utc() + dt.timedelta(seconds=1)
        return verify_pdf(
            data, trust_roots=[self.pki.root], crls=self.pki.crls(moment), moment=moment
        )

    @action("kyso.verify")
    def verify(self, document_id: str) -> dict[str, Any]:
        """Check a document's signature now; the verdict names what is wrong, in Vietnamese."""
        doc = self.document(document_id)
        verdict = self.verdict_of(self.content(doc.id))
        return {**verdict.record(), "document": doc.id, "sha256": doc.sha256}

    def check_file(self, name: str, content: bytes) -> dict[str, Any]:
        """Check any file a learner drops on the verifier (a non-PDF gets its own verdict)."""
        return self.verify_file(name, self.files.put(content))

    @action("kyso.verify_file")
    def verify_file(self, name: str, sha256: str) -> dict[str, Any]:
        data = self.files.get(sha256)
        if data is None:
            raise NotFoundError("Không còn tệp cần kiểm tra trong thư mục .files.", field="path")
        return {**self.verdict_of(data).record(), "file": name, "sha256": sha256}
