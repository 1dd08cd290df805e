"""The World: one simulated society, its services, and the journal that records it.

>>> world = World()                     # in memory, for a quick try
>>> world = World.open()                # journal "nhat-ky.jsonl" next to the notebook

Every service (``world.vneid``, ``world.portal``, ``world.police``) is plain Python; each action
method is journaled (see ``actions.py``). The world's state is the replay of its journal: opening
an existing journal replays it and checks that every recorded outcome comes out the same.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from congdanso import __version__
from congdanso.world.core.actions import REGISTRY, action, to_args, to_record
from congdanso.world.core.clock import START, SimClock, format_time
from congdanso.world.core.errors import DomainError, ValidationError
from congdanso.world.core.files import FileStore
from congdanso.world.core.journal import (
    DEFAULT_NAME,
    Event,
    FileJournal,
    Journal,
    JournalError,
    MemoryJournal,
)
from congdanso.world.identity.inbox import Inbox, Inboxes
from congdanso.world.identity.security import OTP_VALID_FOR, OtpChallenge, derive_secret
from congdanso.world.society.people import Population

# A grader replaying an untrusted journal sets a deadline (time.monotonic()) for the replay.
REPLAY_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "replay_deadline", default=None)
DEFAULT_SEED = 74  # the ID-number code of Bình Dương: every learner meets the same residents
PACES = ("real", "manual")


@functools.lru_cache(maxsize=4)
def shared_population(seed: int, households_per_khu_pho: int) -> Population:
    """The population of a seed, generated once per process: nothing in the world changes a
    person or a household after generation (services keep their own state), so every world of
    the same seed reads the same one — a grader replaying thousands of journals, a test suite.
    ``tests/test_world.py`` checks that a whole practice leaves it as generated."""
    return Population(seed, households_per_khu_pho=households_per_khu_pho)


class World:
    """The simulated world. Build it with ``World()`` (memory) or ``World.open(path)`` (file)."""

    def __init__(
        self,
        seed: int | None = None,
        *,
        journal: Journal | None = None,
        pace: str = "manual",
        households_per_khu_pho: int | None = None,
        files: FileStore | None = None,
    ):
        if pace not in PACES:
            raise ValueError(f"pace must be one of {PACES}")
        self.pace = pace
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.warnings: list[str] = []
        self._depth = 0
        self._replaying = False
        self._recorded: Any = None
        self._last_wall: dt.datetime | None = None
        self._observers: list[Callable[[Event], None]] = []
        # Files made in the world (uploaded and signed PDFs) live beside the journal, by hash.
        path = self.journal.path
        self.files = files or FileStore(path.with_name(path.name + ".files") if path else None)
        with self.journal.locked():
            events = self.journal.read_new()
            if events:
                first = events[0].body
                if first.get("action") != "world.created":
                    raise JournalError(
                        "Sự kiện đầu tiên của nhật ký phải là việc tạo thế giới; "
                        "nhật ký này bị cắt mất phần đầu.",
                        line=1,
                    )
                config = first["args"]
                if seed is not None and seed != config["seed"]:
                    self.warnings.append(
                        f"Nhật ký đã có thế giới với hạt giống {config['seed']}; dùng hạt giống "
                        f"đó thay cho {seed} để giữ nguyên những gì đã làm."
                    )
            else:
                config = {
                    "seed": DEFAULT_SEED if seed is None else int(seed),
                    "households_per_khu_pho": households_per_khu_pho or 5,
                    "version": __version__,
                }
            self.config = config
            self.seed: int = config["seed"]
            self.population = shared_population(self.seed, config["households_per_khu_pho"])
            self.clock = SimClock(START)
            self._reset_state()
            if events:
                self._last_wall = _parse_wall(first.get("at"))
                self._replay(events[1:])
            else:
                self._append("world.created", config, ok=True, result=None)
            self._note_torn()

    # -- construction helpers ----------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        seed: int | None = None,
        pace: str = "real",
    ) -> World:
        """Open (or start) the journal file next to the notebook and rebuild the world from it."""
        journal_path = Path(path or DEFAULT_NAME)
        try:
            return cls(seed, journal=FileJournal(journal_path), pace=pace)
        except JournalError as exc:
            raise JournalError(
                f"Không mở được nhật ký {journal_path.name}: {exc.message} Tệp vẫn được giữ "
                "nguyên, không bị xoá. Để tập tiếp, hãy mở một nhật ký mới, ví dụ "
                'World.open("nhat-ky-moi.jsonl"), và báo giảng viên.',
                line=exc.line,
                kind=exc.kind,
            ) from None

    @classmethod
    def from_journal_bytes(
        cls, data: bytes, *, path: Path | None = None, files: FileStore | None = None
    ) -> World:
        """Replay a journal held in memory (used by checkers); nothing is written anywhere.
        ``path`` says where the journal lives, so its ``.files`` folder can be read."""
        if not data.strip():
            raise JournalError("Nhật ký rỗng: chưa có sự kiện nào.", kind="empty")
        journal = _LoadedJournal(data)
        journal.path = path
        return cls(journal=journal, files=files)

    def _reset_state(self) -> None:
        from congdanso.world.core.course import CourseService
        from congdanso.world.dossiers.portal import PortalService
        from congdanso.world.identity.carrier import CarrierService
        from congdanso.world.identity.vneid import PoliceService, VneidService
        from congdanso.world.money.bills import BillService
        from congdanso.world.money.payments import BankService
        from congdanso.world.signatures.kyso import SigningService
        from congdanso.world.society.support import SupportPointService

        self.inboxes = Inboxes()
        self._counters: dict[str, int] = {}
        self.otps: dict[str, OtpChallenge] = {}
        self.carrier = CarrierService(self)  # first: every SMS asks it whether the SIM is lost
        self.vneid = VneidService(self)
        self.police = PoliceService(self)
        self.portal = PortalService(self)
        self.bills = BillService(self)
        self.bank = BankService(self)
        self.kyso = SigningService(self)
        self.course = CourseService(self)
        self.support = SupportPointService(self)

    @property
    def world(self) -> World:  # so World's own actions use the same decorator as services
        return self

    # -- deterministic helpers for services ---------------------------------------------------
    def counter(self, name: str) -> int:
        value = self._counters.get(name, 0) + 1
        self._counters[name] = value
        return value

    def token(self, kind: str) -> str:
        n = self.counter("token:" + kind)
        return hashlib.sha256(f"{self.seed}:{kind}:{n}".encode()).hexdigest()[:16]

    def issue_otp(self, phone: str, purpose: str, sender: str, text: str) -> OtpChallenge:
        """Send a 6-digit HOTP by SMS; ``text`` has a ``{code}`` placeholder."""
        import pyotp

        code = pyotp.HOTP(derive_secret(self.seed, "otp")).at(self.counter("otp"))
        challenge = OtpChallenge(phone, purpose, code, self.clock.now + OTP_VALID_FOR)
        self.otps[f"{purpose}:{phone}"] = challenge
        self.send_sms(phone, sender, text.format(code=code))
        return challenge

    def send_sms(self, phone: str, sender: str, text: str, kind: str = "sms") -> None:
        if self.carrier.is_lost(phone):  # the SIM went with the lost phone: nobody reads it
            return
        self.inboxes.send(phone, sender, text, self.clock.now, kind)

    def inbox(self, phone: str) -> Inbox:
        """The SMS / notification inbox of a phone number (what the resident's phone shows)."""
        from congdanso.world.identity.phone import parse_phone

        return self.inboxes[parse_phone(phone)]

    def recorded_result(self) -> Any:
        """While replaying, the result the current event recorded (for outputs that cannot be
        recomputed byte for byte, such as a signed PDF); ``None`` otherwise."""
        return self._recorded if self._replaying else None

    @property
    def now(self) -> dt.datetime:
        return self.clock.now

    # -- world actions ------------------------------------------------------------------------
    @action("world.advance")
    def advance(self, days: int = 0, hours: int = 0, minutes: int = 0) -> str:
        """Let time pass in the world (e.g. to see a dossier processed). Returns the new time."""
        for value, unit in ((days, "ngày"), (hours, "giờ"), (minutes, "phút")):
            if not isinstance(value, int) or value < 0:
                raise ValidationError(f"Số {unit} phải là số nguyên không âm.", field=unit)
        if days > 366:
            raise ValidationError("Chỉ cho thời gian trôi tối đa 366 ngày một lần.", field="ngày")
        self.clock.advance(dt.timedelta(days=days, hours=hours, minutes=minutes))
        self._tick()
        return self.clock.now.isoformat(timespec="seconds")

    @action("world.start_over")
    def start_over(self) -> None:
        """Start the practice again: accounts, dossiers and messages are cleared. The journal
        keeps everything (this is itself an event), and the clock keeps going."""
        self._reset_state()

    # -- the action machinery -----------------------------------------------------------------
    def perform(
        self, name: str, fn: Callable[..., Any], service: Any, arguments: dict[str, Any]
    ) -> Any:
        if self._depth or self._replaying:
            return fn(service, **arguments)
        with self.journal.locked():
            self._catch_up()
            self._move_clock()
            self._tick()
            started = self.clock.now  # replay sets the clock to this, then runs the action
            self._depth += 1
            error: DomainError | None = None
            result: Any = None
            try:
                result = fn(service, **arguments)
            except DomainError as exc:
                error = exc
            finally:
                self._depth -= 1
            event = self._append(
                name,
                arguments,
                ok=error is None,
                result=None if error else result,
                error=error,
                at=started,
            )
        self._notify(event)
        if error is not None:
            raise error
        return result

    def _append(
        self,
        name: str,
        arguments: dict[str, Any],
        *,
        ok: bool,
        result: Any,
        error: DomainError | None = None,
        at: dt.datetime | None = None,
    ) -> Event:
        wall = dt.datetime.now(dt.UTC)
        body: dict[str, Any] = {
            "t": (at or self.clock.now).isoformat(timespec="seconds"),
            "at": wall.isoformat(timespec="milliseconds"),
            "action": name,
            "args": to_args(arguments),
            "ok": ok,
        }
        if ok:
            body["result"] = to_record(result)
        else:
            assert error is not None
            body["error"] = error.record()
        event = self.journal.append(body)
        self._last_wall = wall
        return event

    def _move_clock(self) -> None:
        if self.pace == "real" and self._last_wall is not None:
            elapsed = dt.datetime.now(dt.UTC) - self._last_wall
            if elapsed > dt.timedelta(0):
                self.clock.advance(dt.timedelta(seconds=int(elapsed.total_seconds())))

    def _tick(self) -> None:
        """Let the simulated agencies do what is due by now (receive, process, return dossiers)."""
        self.portal.tick(self.clock.now)

    def _catch_up(self) -> None:
        events = self.journal.read_new()
        if events:
            self._replay(events)
            for event in events:
                self._notify(event)
        self._note_torn()

    def _note_torn(self) -> None:
        if self.journal.torn_reported:
            message = (
                "Sự kiện cuối cùng của nhật ký bị ghi dở (máy tắt hoặc kernel dừng giữa "
                "chừng). Mọi sự kiện trước nó vẫn nguyên vẹn; phần ghi dở sẽ được cất "
                "sang file .torn ở lần ghi tiếp theo, không bị xoá."
            )
            if message not in self.warnings:
                self.warnings.append(message)

    def _replay(self, events: Iterable[Event]) -> None:
        deadline = REPLAY_DEADLINE.get()
        self._replaying = True
        try:
            for event in events:
                if deadline is not None and time.monotonic() > deadline:
                    raise JournalError(
                        f"Chạy lại nhật ký quá thời gian cho phép (dừng ở sự kiện số {event.seq}):"
                        " nhật ký dài bất thường, không chấm.", line=event.seq, kind="too-long")
                self._apply(event)
        finally:
            self._replaying = False

    def _apply(self, event: Event) -> None:
        body = event.body
        name = body.get("action")
        if name == "world.created" or name not in REGISTRY:
            raise JournalError(
                f"Sự kiện số {event.seq} có loại lạ ({name!r}) — nhật ký đã bị "
                "sửa hoặc được tạo bởi phiên bản khác.",
                line=event.seq,
            )
        when = dt.datetime.fromisoformat(body["t"])
        if when < self.clock.now:
            raise JournalError(
                f"Sự kiện số {event.seq} có thời gian lùi về trước sự kiện trước nó.",
                line=event.seq,
            )
        self.clock.set(when)
        self._tick()
        service_name, fn = REGISTRY[name]
        service = self if service_name == "world" else getattr(self, service_name)
        self._recorded = body.get("result") if body.get("ok") else None
        try:
            outcome: dict[str, Any] = {"ok": True, "result": to_record(fn(service, **body["args"]))}
        except DomainError as exc:
            outcome = {"ok": False, "error": exc.record()}
        except TypeError as exc:
            raise JournalError(
                f"Sự kiện số {event.seq} ({name}) có tham số không hợp lệ: {exc}", line=event.seq
            ) from None
        recorded = {"ok": body.get("ok")}
        recorded.update(
            {"result": body.get("result")} if body.get("ok") else {"error": body.get("error")}
        )
        if not outcome["ok"] and isinstance(recorded.get("error"), dict):
            # A refusal is the same refusal if its kind, code and field are: its Vietnamese
            # wording may be improved between versions of the course without making a learner's
            # honest journal look edited (edits are caught by the hash chain).
            outcome["error"] = {k: v for k, v in outcome["error"].items() if k != "message"}
            recorded["error"] = {k: v for k, v in recorded["error"].items() if k != "message"}
        if outcome != recorded:
            raise JournalError(
                f"Sự kiện số {event.seq} ({name}) không tái hiện được: chạy lại cho kết quả khác "
                "với kết quả đã ghi — nhật ký đã bị sửa.",
                line=event.seq,
                kind="replay",
            )
        self._last_wall = _parse_wall(body.get("at")) or self._last_wall

    # -- observers (views refresh on every event) ---------------------------------------------
    def subscribe(self, callback: Callable[[Event], None]) -> None:
        self._observers.append(callback)

    def unsubscribe(self, callback: Callable[[Event], None]) -> None:
        if callback in self._observers:
            self._observers.remove(callback)

    def _notify(self, event: Event) -> None:
        for callback in list(self._observers):
            callback(event)

    def __repr__(self) -> str:
        where = self.journal.path or "bộ nhớ"
        return (
            f"<World hạt giống {self.seed}: {len(self.population)} người dân, "
            f"{format_time(self.clock.now)}, nhật ký {where} ({self.journal.seq} sự kiện)>"
        )


class _LoadedJournal(MemoryJournal):
    """A read-only journal over bytes: ``read_new`` verifies them once, ``append`` is refused."""

    def __init__(self, data: bytes):
        super().__init__()
        self._data = data

    def read_new(self) -> list[Event]:
        from congdanso.world.core.journal import parse_lines

        if self._data is None:
            return []
        result = parse_lines(self._data, start_seq=0, prev=self.last_hash)
        self._data = None  # type: ignore[assignment]
        if result.events:
            self.seq = result.events[-1].seq
            self.last_hash = result.events[-1].hash
        self.torn_reported = result.torn
        return result.events

    def append(self, body: dict) -> Event:
        raise JournalError("Nhật ký này chỉ để kiểm tra, không ghi thêm được.", kind="readonly")


def _parse_wall(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
