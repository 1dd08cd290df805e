"""Login codes for a class on the shared server: one code per learner (and the trainer), printed
on a sheet with a QR that opens the login page with the learner id filled in.

A code is 8 digits (a phone's number pad, read aloud without confusion), valid for the class
(7 days by default; issuing again replaces every earlier code, :func:`reissue` one person's).
Only a salted PBKDF2 hash is kept, in the course's private folder (``.congdanso/ma-dang-nhap.json``,
0600), never the code itself: the sheet is the only copy.

Guessing is slowed without letting anyone lock a classmate (or the trainer) out:

- wrong tries are counted per learner id *and* address: after 5 from one address, that address
  waits 5 minutes for that id; every other address is unaffected. Every connection from the
  server itself (127.0.0.0/8, ::1: a learner's kernel, the trainer's browser on the server) is
  one address (:func:`congdanso.hub.auth.client_address`), so a kernel cannot multiply itself;
- all addresses together get 50 wrong tries per id per hour (someone with many addresses still
  cannot try 100 million codes);
- the counts belong to the code they were counted against (the id's salt): a new code for that
  id (``congdanso hub ma --giang-vien``, ``congdanso hub ket-thuc``, a new sheet) starts both
  at zero, and whoever wants to lock it again must guess against the new code;
- a browser that logged in once carries a device cookie for that id (OWASP's answer to lock-out
  denial of service): its tries skip both counts above and have their own, 10 wrong tries per
  5 minutes per cookie, so the trainer (or a learner) who logged in once gets in again whatever
  others type. The hub signs the cookie; it names the id and a random nonce kept here, and holds
  only while the id's code is the one it was issued under (a new code, a new sheet void it) and
  the hub has not restarted since (then one ordinary login issues a new one);
- an unknown id is answered exactly as a known id with a wrong code: same words, same counts,
  same PBKDF2 work, so the page tells nobody who is in the class;
- a try is counted before its code is checked, so parallel tries cannot get past the count;
- the PBKDF2 check runs in a small pool of threads (:meth:`Checker.login`), never on the hub's
  event loop, with a bound on waiting checks: a flood gets "busy" answers, the hub keeps serving
  (a try with a valid device cookie is not held to that bound: its own count bounds it);
- the tables of wrong tries forget entries once their wait is over and never hold more than
  ``MAX_ENTRIES`` each (the oldest go first); the device table keeps ``DEVICES_PER_NAME`` per id
  at most, ``MAX_ENTRIES`` in all.

Which sheet and which code a login used (:class:`Login` ``mark``) is kept by the hub with the
session; :meth:`Checker.current` tells whether that code is still the learner's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from collections import Counter, OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from congdanso.cohort.gradebook import write_private

CODES_FILE = Path(".congdanso") / "ma-dang-nhap.json"
TRAINER = "giang-vien"
DIGITS = 8
ITERATIONS = 60_000
MAX_WRONG = 5  # wrong tries of one id from one address ...
WAIT = dt.timedelta(minutes=5)  # ... then that address waits this long for that id
NAME_MAX_WRONG = 150  # wrong tries of one id from all addresses together (one address alone,
# 5 per 5 minutes, makes at most 60 an hour: it cannot reach this) ...
NAME_WINDOW = dt.timedelta(hours=1)  # ... within this long
MAX_ENTRIES = 10_000  # each table of wrong tries at most (oldest dropped)
WORKERS = max(1, min(4, (os.cpu_count() or 2) // 2))  # PBKDF2 threads: half the cores at most
MAX_PENDING = 64  # checks waiting for those threads at once ...
ADDRESS_PENDING = 32  # ... and from one address (a class behind one router still fits)
DEVICE_MAX_WRONG = 10  # wrong tries with one device cookie ...
DEVICE_WAIT = dt.timedelta(minutes=5)  # ... then that cookie waits this long
DEVICE_DAYS = 30  # a device cookie lasts this long after the last login it made
DEVICES_PER_NAME = 5  # device cookies honoured per id (the newest)
DEVICE_IDS = 4  # ids one browser keeps a device cookie for (a shared computer: the newest)
_USER = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
_DEVICE = re.compile(r"^([a-z][a-z0-9-]{1,30}):([A-Za-z0-9_-]{22})$")
_WRONG = ("Mã học viên hoặc mã đăng nhập chưa đúng. Đọc lại phiếu: mã học viên (ví dụ hv-01) "
          "và 8 chữ số. Còn {left} lần thử.")
_LOCKED = ("Đã nhập sai mã nhiều lần. Chờ {minutes} phút rồi thử lại, hoặc nhờ giảng viên cấp "
           "mã mới.")
_BUSY = ("Máy chủ đang kiểm tra nhiều lượt đăng nhập cùng lúc. Chờ vài giây rồi bấm "
         "Vào lớp học lại.")
_NO_SHEET = "Lớp chưa có mã đăng nhập: giảng viên cần in phiếu mã (congdanso hub ma)."
_EXPIRED = "Mã đăng nhập của lớp đã hết hạn. Nhờ giảng viên in phiếu mã mới."


class CodeError(ValueError):
    """A login refused, with what to tell the learner (Vietnamese)."""


TRAINER_LABEL = "Giảng viên"  # what the trainer's card shows, and may be typed, for TRAINER


def username(text: str) -> str:
    """A learner id as the hub and the system know it: lower case, letters, digits and '-'.
    The trainer's card reads "Giảng viên": typed as such (any case, with or without marks) it
    is the trainer's id."""
    name = str(text or "").strip().lower()
    if _plain(name) == TRAINER:
        return TRAINER
    if not _USER.match(name):
        raise CodeError("Mã học viên chỉ gồm chữ không dấu, số và dấu gạch ngang, bắt đầu bằng "
                        "chữ (ví dụ hv-01). Hãy gõ đúng mã in trên phiếu.")
    return name


def _plain(text: str) -> str:
    """Vietnamese without its marks, words joined by '-': "giảng viên" -> "giang-vien"."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.replace("đ", "d"))
                   if not unicodedata.combining(c))
    return "-".join(bare.split())


def _digest(code: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), salt, ITERATIONS).hex()


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def _stored(code: str) -> dict[str, str]:
    salt = secrets.token_bytes(16)
    return {"salt": salt.hex(), "hash": _digest(code, salt)}


def issue(course: str | os.PathLike[str], learners: list[str], *, days: int = 7,
          now: dt.datetime | None = None) -> dict[str, str]:
    """New codes for ``learners`` and the trainer; returns them (the only time they are seen)."""
    now = now or dt.datetime.now(dt.UTC)
    names = sorted({username(x) for x in learners} | {TRAINER})
    plain = {name: _new_code() for name in names}
    write_private(Path(course) / CODES_FILE, json.dumps({
        "issued": now.isoformat(timespec="seconds"),
        "expires": (now + dt.timedelta(days=days)).isoformat(timespec="seconds"),
        "codes": {name: _stored(code) for name, code in plain.items()},
    }, ensure_ascii=False, indent=1))
    return plain


def reissue(course: str | os.PathLike[str], learner: str, *,
            now: dt.datetime | None = None) -> str:
    """A new code for one person of the current sheet, everyone else's unchanged; returns it
    (the only time it is seen). Their old code stops working, the sessions it opened end at
    their next check, and the wrong tries counted against them are forgotten."""
    now = now or dt.datetime.now(dt.UTC)
    name = username(learner)
    path = Path(course) / CODES_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise CodeError("Lớp chưa có phiếu mã: cấp phiếu cho cả lớp trước (congdanso hub ma "
                        "--dia-chi …).") from None
    except ValueError:
        raise CodeError(f"Không đọc được phiếu mã {path}: cấp phiếu mới cho cả lớp "
                        "(congdanso hub ma --dia-chi …).") from None
    if now > dt.datetime.fromisoformat(data["expires"]):
        raise CodeError("Phiếu mã của lớp đã hết hạn, nên mọi phiên đăng nhập đã kết thúc. Cấp "
                        "phiếu mới cho cả lớp (congdanso hub ma --dia-chi …).")
    if name not in data["codes"]:
        raise CodeError(f"Không có {name} trong phiếu mã hiện tại. Xem lại mã học viên trong "
                        "danh sách lớp, hoặc cấp phiếu mới cho cả lớp (congdanso hub ma).")
    code = _new_code()
    data["codes"][name] = _stored(code)
    write_private(path, json.dumps(data, ensure_ascii=False, indent=1))
    return code


def pretty(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


@dataclass
class Login:
    """A successful login: the hub username, and which sheet and which code it used (what the
    hub keeps with the session, to end it when that code is no longer the learner's)."""

    name: str
    mark: dict[str, str]
    device: str = ""  # the browser's device cookie from now on ("" when nothing to set)


@dataclass
class _Wrong:
    count: int
    since: dt.datetime  # pair: the last wrong try; id: the start of its window
    generation: str  # the id's salt when counted: a new code starts the count over


@dataclass
class _Try:
    name: str
    address: str
    entry: dict[str, str] | None
    mark: dict[str, str]
    device: str = ""  # the nonce of the valid device cookie the try came with
    cookie: str = ""  # the browser's device cookie as it came (its other ids are kept)


@dataclass
class _Device:
    generation: str  # the id's salt when issued: a new code voids the cookie
    used: dt.datetime  # its last login
    wrong: int = 0
    since: dt.datetime | None = None  # its last wrong try


@dataclass
class Checker:
    """Checks codes against the course's file and counts wrong tries (in memory, per hub)."""

    course: Path
    pairs: OrderedDict[tuple[str, str], _Wrong] = field(default_factory=OrderedDict, init=False)
    names: OrderedDict[str, _Wrong] = field(default_factory=OrderedDict, init=False)
    # id -> nonce -> device, the least recently used first (ids and each id's devices)
    devices: OrderedDict[str, OrderedDict[str, _Device]] = field(default_factory=OrderedDict,
                                                                 init=False)

    def __post_init__(self) -> None:
        self._sheet: tuple[tuple[int, int, int], dict] | None = None
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="ma-dang-nhap")
        self._waiting: Counter[str] = Counter()

    def sheet(self) -> dict:
        """The course's codes, read again only when the file changed."""
        path = self.course / CODES_FILE
        try:
            info = path.stat()
            key = (info.st_ino, info.st_mtime_ns, info.st_size)
            if self._sheet is None or self._sheet[0] != key:
                self._sheet = (key, json.loads(path.read_text("utf-8")))
        except (OSError, ValueError):
            raise CodeError(_NO_SHEET) from None
        return self._sheet[1]

    def current(self, name: str, mark: object, now: dt.datetime | None = None) -> bool:
        """Whether a session opened with ``mark`` may go on: the sheet it used is the class's
        and unexpired, and the learner's code is still the one it was opened with."""
        now = now or dt.datetime.now(dt.UTC)
        try:
            data = self.sheet()
        except CodeError:
            return False
        entry = data["codes"].get(name)
        return (entry is not None and now <= dt.datetime.fromisoformat(data["expires"])
                and mark == {"issued": data["issued"], "salt": entry["salt"]})

    def check(self, user: str, code: str, now: dt.datetime | None = None,
              address: str = "", device: str | None = None) -> str:
        """The hub username when the code is right; otherwise :class:`CodeError`. Checks in
        this thread: the hub uses :meth:`login`."""
        now = now or dt.datetime.now(dt.UTC)
        attempt = self._begin(user, address, now, device, busy=False)
        return self._finish(attempt, _matches(attempt.entry, code), now).name

    async def login(self, user: str, code: str, address: str,
                    now: dt.datetime | None = None, *, device: str | None = None) -> Login:
        """:meth:`check` for the hub: the PBKDF2 work in the pool, the event loop free.
        ``device``: the browser's device cookie, as the hub verified its signature (None
        without one); the :class:`Login` says what the cookie becomes."""
        now = now or dt.datetime.now(dt.UTC)
        busy = (self._waiting.total() >= MAX_PENDING
                or self._waiting[address] >= ADDRESS_PENDING)
        attempt = self._begin(user, address, now, device, busy=busy)
        self._waiting[address] += 1
        try:
            right = await asyncio.get_running_loop().run_in_executor(
                self._pool, _matches, attempt.entry, code)
        finally:
            self._waiting[address] -= 1
            if not self._waiting[address]:
                del self._waiting[address]
        return self._finish(attempt, right, now)

    def _begin(self, user: str, address: str, now: dt.datetime, cookie: str | None, *,
               busy: bool) -> _Try:
        """Refuse a locked id and address (or a locked device cookie); otherwise count the try
        as wrong until it proves right (parallel tries see each other's count)."""
        name = username(user)
        data = self.sheet()
        if now > dt.datetime.fromisoformat(data["expires"]):
            raise CodeError(_EXPIRED)
        entry = data["codes"].get(name)
        generation = entry["salt"] if entry else ""
        mark = {"issued": data["issued"], "salt": generation}
        self._forget(now)
        known = self._device(cookie, name, generation, now)
        if known is not None:  # its own count, whatever others typed for this id
            nonce, device = known
            if device.wrong >= DEVICE_MAX_WRONG:
                raise CodeError(_LOCKED.format(minutes=_minutes(
                    DEVICE_WAIT - (now - device.since))))
            device.wrong += 1
            device.since = now
            return _Try(name, address, entry, mark, nonce, cookie or "")
        if busy:
            raise CodeError(_BUSY)
        pair = self._entry(self.pairs, (name, address), generation, now)
        every = self._entry(self.names, name, generation, now)
        waits = []
        if pair and pair.count >= MAX_WRONG:
            waits.append(WAIT - (now - pair.since))
        if every and every.count >= NAME_MAX_WRONG:
            waits.append(NAME_WINDOW - (now - every.since))
        if waits:
            raise CodeError(_LOCKED.format(minutes=_minutes(max(waits))))
        self._count(self.pairs, (name, address), pair, generation, now, move=True)
        self._count(self.names, name, every, generation, now, move=False)
        return _Try(name, address, entry, mark, "", cookie or "")

    def _finish(self, attempt: _Try, right: bool, now: dt.datetime) -> Login:
        if attempt.device:
            device = self.devices.get(attempt.name, {}).get(attempt.device)
            if right:
                return Login(attempt.name, attempt.mark, self._remember(attempt, now))
            left = DEVICE_MAX_WRONG - (device.wrong if device else DEVICE_MAX_WRONG)
            if left > 0:
                raise CodeError(_WRONG.format(left=left))
            raise CodeError(_LOCKED.format(minutes=_minutes(
                DEVICE_WAIT - (now - device.since) if device and device.since else DEVICE_WAIT)))
        pair = self.pairs.get((attempt.name, attempt.address))
        if right:
            self.pairs.pop((attempt.name, attempt.address), None)
            every = self.names.get(attempt.name)
            if every is not None and every.count:
                every.count -= 1  # this try was counted before it proved right
            return Login(attempt.name, attempt.mark, self._remember(attempt, now))
        left = MAX_WRONG - (pair.count if pair else MAX_WRONG)
        if left > 0:
            raise CodeError(_WRONG.format(left=left))
        raise CodeError(_LOCKED.format(minutes=_minutes(WAIT - (now - pair.since) if pair
                                                        else WAIT)))

    def _device(self, cookie: str | None, name: str, generation: str,
                now: dt.datetime) -> tuple[str, _Device] | None:
        """The device the browser's cookie holds for ``name``, when it is still valid: issued
        here, for this id, under the id's current code, used within ``DEVICE_DAYS``."""
        nonce = _devices(cookie).get(name)
        mine = self.devices.get(name)
        if nonce is None or mine is None or nonce not in mine:
            return None
        device = mine[nonce]
        if (device.generation != generation or not generation
                or now - device.used > dt.timedelta(days=DEVICE_DAYS)):
            del mine[nonce]
            if not mine:
                del self.devices[name]
            return None
        if device.since is not None and now - device.since >= DEVICE_WAIT:
            device.wrong, device.since = 0, None  # its wait is over
        return nonce, device

    def _remember(self, attempt: _Try, now: dt.datetime) -> str:
        """After a right code: the browser's device for this id (the one it came with, or a
        new one) is this id's newest; returns the cookie's new value (its other ids kept)."""
        name, generation = attempt.name, attempt.mark["salt"]
        mine = self.devices.pop(name, None) or OrderedDict()
        for nonce in [n for n, d in mine.items() if d.generation != generation]:
            del mine[nonce]  # issued under an earlier code
        nonce = attempt.device if attempt.device in mine else secrets.token_urlsafe(16)
        mine.pop(nonce, None)
        mine[nonce] = _Device(generation, now)
        while len(mine) > DEVICES_PER_NAME:
            mine.popitem(last=False)
        while len(self.devices) >= max(1, MAX_ENTRIES // DEVICES_PER_NAME):
            self.devices.popitem(last=False)
        self.devices[name] = mine
        held = {k: v for k, v in _devices(attempt.cookie).items() if k != name}
        held[name] = nonce
        return " ".join(f"{k}:{v}" for k, v in list(held.items())[-DEVICE_IDS:])

    def _forget(self, now: dt.datetime) -> None:
        """Entries whose wait is over go (each table is kept oldest first)."""
        while self.pairs:
            key, oldest = next(iter(self.pairs.items()))
            if now - oldest.since < WAIT:
                break
            del self.pairs[key]
        while self.names:
            key, oldest = next(iter(self.names.items()))
            if now - oldest.since < NAME_WINDOW:
                break
            del self.names[key]

    @staticmethod
    def _entry(table: OrderedDict, key, generation: str, now: dt.datetime) -> _Wrong | None:
        found = table.get(key)
        if found is not None and found.generation != generation:  # a new code since
            del table[key]
            return None
        return found

    @staticmethod
    def _count(table: OrderedDict, key, found: _Wrong | None, generation: str,
               now: dt.datetime, *, move: bool) -> None:
        if found is None:
            while len(table) >= MAX_ENTRIES:
                table.popitem(last=False)
            table[key] = _Wrong(1, now, generation)
            return
        found.count += 1
        if move:  # a pair waits from its last wrong try; an id's window stays where it began
            found.since = now
            table.move_to_end(key)


def _devices(cookie: str | None) -> dict[str, str]:
    """id -> nonce of a device cookie's value ("id:nonce id:nonce", the newest last)."""
    found = {}
    for item in str(cookie or "").split()[-DEVICE_IDS:]:
        match = _DEVICE.match(item)
        if match:
            found.pop(match[1], None)
            found[match[1]] = match[2]
    return found


def _matches(entry: dict[str, str] | None, code: str) -> bool:
    """The PBKDF2 comparison (thread-safe: touches nothing shared). An unknown id costs the
    same work as a known one."""
    typed = re.sub(r"\D", "", str(code or ""))
    if entry is None:
        _digest(typed or "0", b"x" * 16)
        return False
    return hmac.compare_digest(_digest(typed, bytes.fromhex(entry["salt"])), entry["hash"])


def _minutes(wait: dt.timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


def sheet_pdf(people: list[tuple[str, str]], codes: dict[str, str], login_url: str,
              *, class_name: str = "Lớp tập huấn Công Dân Số") -> bytes:
    """The cards to cut and hand out: name, learner id, code, and a QR that opens the login
    page with the id filled in (the code is typed: a photo of the QR alone opens nothing)."""
    import io
    from urllib.parse import urlencode

    import segno
    from fpdf import FPDF

    from congdanso.world.signatures.fonts import font_path

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_compression(False)  # a few kB more, and every font size can be checked
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    card_w, card_h, margin = 95, 66, 10
    for i, (learner, full_name) in enumerate(people):
        if i % 8 == 0:
            pdf.add_page()
            pdf.set_font("DejaVu", "B", 14)
            pdf.set_xy(margin, 4)
            pdf.cell(0, 6, f"{class_name} — phiếu đăng nhập (cắt theo đường kẻ)")
        col, row = i % 2, (i % 8) // 2
        x, y = margin + col * card_w, 12 + row * (card_h + 3)
        pdf.set_draw_color(120, 120, 120)
        pdf.rect(x, y, card_w - 5, card_h)
        url = f"{login_url.rstrip('/')}/hub/login?{urlencode({'username': learner})}"
        png = io.BytesIO()
        segno.make(url, error="m").save(png, kind="png", scale=6, border=2)
        pdf.image(png, x + card_w - 5 - 34, y + 4, 30, 30, alt_text="Mã QR mở trang đăng nhập")
        pdf.set_xy(x + 4, y + 4)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(card_w - 45, 7, full_name)
        pdf.set_font("DejaVu", "", 13)
        pdf.set_x(x + 4)
        # what to type in the login page's first box; the trainer's reads "Giảng viên"
        # (:func:`username` takes it), never the id "giang-vien"; wrapped left of the QR
        line = (f"Tên đăng nhập: {TRAINER_LABEL}" if learner == TRAINER
                else f"Mã học viên: {learner}")
        pdf.multi_cell(card_w - 45, 6, line, align="L")
        pdf.set_xy(x + 4, y + 36)
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(0, 6, "Mã đăng nhập:")
        pdf.set_xy(x + 4, y + 43)
        pdf.set_font("DejaVu", "B", 22)
        pdf.cell(card_w - 13, 11, pretty(codes[learner]))
        pdf.set_xy(x + 4, y + 55)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(card_w - 13, 5, "Quét mã QR để mở trang đăng nhập. Không đưa mã cho ai.")
    return bytes(pdf.output())
