"""A training PKI: "CA gốc mô phỏng" (root) and a subordinate public CA issuing citizens'
certificates, with revocation published as CRLs.

Real X.509 built with cryptography. Keys are ECDSA P-256 derived from the world's seed and
certificates and CRLs are signed with deterministic ECDSA (RFC 6979), so replaying a journal
rebuilds byte-identical certificates. Every certificate says it is training material and has no
legal value. Vietnamese CAs put the ID number in the subject's UID as "CCCD:<số định danh>".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

UTC = dt.UTC
TRAINING_OU = "Chứng thư tập huấn – không có giá trị pháp lý"
ROOT_CN = "CA gốc mô phỏng"
PUBLIC_CA_CN = "CA công cộng mô phỏng"
FAKE_CA_CN = "CA Chữ Ký Số Quốc Gia"  # what a scammer's self-made CA calls itself
CERT_YEARS = 3
_N = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


SUSPENDED = "tam_dung"  # the reason recorded for a suspended certificate


def derive_key(seed: int, label: str) -> ec.EllipticCurvePrivateKey:
    value = int.from_bytes(hashlib.sha256(f"congdanso-pki:{seed}:{label}".encode()).digest(), "big")
    return ec.derive_private_key(value % (_N - 1) + 1, ec.SECP256R1())


def _name(cn: str, org: str, *, uid: str | None = None, province: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if province:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, province))
    attrs += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TRAINING_OU),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(attrs)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def build_cert(
    subject: x509.Name,
    issuer: x509.Name,
    public_key,
    issuer_key,
    serial: int,
    *,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


@dataclass(slots=True)
class Issued:
    serial: int
    id_number: str
    full_name: str
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    revoked_at: dt.datetime | None = None
    reason: str | None = None

    @property
    def not_after(self) -> dt.datetime:
        return self.cert.not_valid_after_utc

    def record(self) -> dict:
        return {
            "serial": self.serial,
            "id_number": self.id_number,
            "subject": self.full_name,
            "not_before": self.cert.not_valid_before_utc.isoformat(),
            "not_after": self.not_after.isoformat(),
            "revoked": self.revoked_at is not None,
        }


@dataclass
class TrainingPKI:
    seed: int
    epoch: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=UTC)
    issued: dict[int, Issued] = field(default_factory=dict)
    _crl_cache: dict[tuple, list] = field(default_factory=dict, repr=False)

    @cached_property
    def root_key(self) -> ec.EllipticCurvePrivateKey:
        return derive_key(self.seed, "root")

    @cached_property
    def ca_key(self) -> ec.EllipticCurvePrivateKey:
        return derive_key(self.seed, "public-ca")

    @cached_property
    def root(self) -> x509.Certificate:
        name = _name(ROOT_CN, "Tập huấn Công Dân Số")
        return build_cert(
            name,
            name,
            self.root_key.public_key(),
            self.root_key,
            1,
            ca=True,
            not_before=self.epoch,
            not_after=self.epoch.replace(year=2046),
        )

    @cached_property
    def ca(self) -> x509.Certificate:
        return build_cert(
            _name(PUBLIC_CA_CN, "Nhà cung cấp chữ ký số mô phỏng"),
            self.root.subject,
            self.ca_key.public_key(),
            self.root_key,
            2,
            ca=True,
            not_before=self.epoch,
            not_after=self.epoch.replace(year=2041),
        )

    def issue(
        self,
        serial: int,
        id_number: str,
        full_name: str,
        *,
        not_before: dt.datetime,
        years: int = CERT_YEARS,
        province: str | None = "TP. Hồ Chí Minh",
    ) -> Issued:
        key = derive_key(self.seed, f"citizen:{id_number}:{serial}")
        subject = _name(full_name, "Cá nhân", uid=f"CCCD:{id_number}", province=province)
        not_after = not_before.replace(year=not_before.year + years)
        cert = build_cert(
            subject,
            self.ca.subject,
            key.public_key(),
            self.ca_key,
            serial,
            ca=False,
            not_before=not_before,
            not_after=not_after,
        )
        issued = Issued(serial, id_number, full_name, cert, key)
        self.issued[serial] = issued
        return issued

    def revoke(self, serial: int, when: dt.datetime, reason: str) -> None:
        self.issued[serial].revoked_at = when
        self.issued[serial].reason = reason

    def suspend(self, serial: int, when: dt.datetime) -> None:
        """Suspend ("tạm dừng", Decree 23/2025): listed in the CRL as certificate hold."""
        self.revoke(serial, when, SUSPENDED)

    def _crl(
        self, issuer: x509.Certificate, key, number: int, now: dt.datetime, revoked: list[Issued]
    ) -> x509.CertificateRevocationList:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(now)
            .next_update(now.replace(year=now.year + 5))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
            )
        )
        for item in revoked:
            assert item.revoked_at is not None
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(item.serial)
                .revocation_date(item.revoked_at)
            )
            if item.reason == SUSPENDED:
                entry = entry.add_extension(
                    x509.CRLReason(x509.ReasonFlags.certificate_hold), critical=False
                )
            builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)

    def crls(self, now: dt.datetime) -> list[x509.CertificateRevocationList]:
        """The CRLs a verifier needs at ``now``: the public CA's and the root's."""
        revoked = [i for i in self.issued.values() if i.revoked_at and i.revoked_at <= now]
        last = max([i.revoked_at for i in revoked if i.revoked_at] + [self.epoch])
        key = (last, tuple(sorted(i.serial for i in revoked)))
        if key not in self._crl_cache:  # the same revocations give the same (deterministic) CRLs
            self._crl_cache[key] = self._build_crls(last, revoked)
        return self._crl_cache[key]

    def with_fresh_crls(self, crls: list[x509.CertificateRevocationList]
                        ) -> list[x509.CertificateRevocationList]:
        """``crls`` plus, for each CA of ours that has none there, a fresh list (none revoked)."""
        have = {c.issuer for c in crls}
        return list(crls) + [c for c in self.crls(self.epoch) if c.issuer not in have]

    def _build_crls(self, last: dt.datetime, revoked: list[Issued]
                    ) -> list[x509.CertificateRevocationList]:
        return [
            self._crl(self.ca, self.ca_key, 1 + len(revoked), last, revoked),
            self._crl(self.root, self.root_key, 1, self.epoch, []),
        ]


def fake_ca(seed: int) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-made CA that imitates an official name: its certificates are not trusted."""
    key = derive_key(seed, "fake-ca")
    name = _name(FAKE_CA_CN, "Trung tâm Chứng thực Điện tử")
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    return build_cert(
        name,
        name,
        key.public_key(),
        key,
        7,
        ca=True,
        not_before=start,
        not_after=start.replace(year=2036),
    ), key
