"""The trainer's live view of a class: for each learner, what they are on (lesson or exercise),
the steps done of it, whether they are stuck, and the last error the phone showed them.

It reads the learners' journals (``nhat-ky.jsonl`` anywhere in their course folders) without ever
writing to their folders: each journal is opened read-only, verified, and replayed in memory only
when it changed since the last look. As a JupyterHub service it serves one Vietnamese page, large
print, that refreshes itself; only the trainer (a hub admin) may open it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from congdanso.grading.safefiles import TooBig, read_regular
from congdanso.world.core.journal import DEFAULT_NAME, GENESIS, JournalError, parse_lines

STUCK_AFTER = dt.timedelta(minutes=10)
MAX_JOURNAL = 20 * 1024 * 1024  # a bigger file is not a learner's journal: skipped, said so
MAX_JOURNALS = 8  # per learner, the most recently changed: what they are on now
MAX_ENTRIES = 20_000  # files and folders walked in one home before giving up


@dataclass
class Status:
    learner: str
    where: str = "Chưa bắt đầu"
    done: int = 0
    total: int = 0
    last_action: str = ""
    last_at: dt.datetime | None = None
    error: str = ""
    note: str = ""
    handed_in: str = ""  # "tai-khoan-dvc lúc 13:50" for each exercise handed in, last time

    def stuck(self, now: dt.datetime, after: dt.timedelta = STUCK_AFTER) -> bool:
        unfinished = self.total == 0 or self.done < self.total
        return self.last_at is not None and unfinished and now - self.last_at > after

    def row(self, now: dt.datetime, after: dt.timedelta = STUCK_AFTER) -> dict[str, str]:
        minutes = int((now - self.last_at).total_seconds() // 60) if self.last_at else None
        return {
            "Học viên": self.learner,
            "Đang làm": self.where,
            "Bước đã làm": f"{self.done}/{self.total}" if self.total else "—",
            "Đã nộp": self.handed_in or "—",
            "Thao tác gần nhất": (f"{self.last_action} ({minutes} phút trước)"
                                  if minutes is not None else "—"),
            "Cần giúp?": (f"Có — đứng yên {minutes} phút" if self.stuck(now, after) else "Không"),
            "Lỗi gần nhất": self.error or "—",
            "Ghi chú": self.note,
        }


def _where(assignment: str) -> str:
    from congdanso.grading.variants import spec

    title = spec(assignment)["title"]
    if assignment.startswith("thuc-hanh-"):
        return f"Bài học {assignment[-2:]} — {title.split(':', 1)[-1].strip()}"
    return f"Bài tập {assignment} — {title}"


@dataclass
class _Seen:
    stamp: tuple[int, int]
    status: Status


def handed_in(exchange: Path | None,
              course_id: str = "congdanso") -> dict[str, dict[str, dt.datetime]]:
    """Learner → exercise → when they last handed it in, from the names of the class exchange's
    inbound folders (``learner+exercise+timestamp+random``, nbgrader's) and who made them (a
    learner with an account of their own must own the folder): nothing is opened."""
    found: dict[str, dict[str, dt.datetime]] = {}
    if exchange is None:
        return found
    from congdanso.cohort.classwork import exchange_time

    try:
        with os.scandir(exchange / course_id / "inbound") as entries:
            names = [(entry.name, entry.stat(follow_symlinks=False)) for entry in entries]
    except OSError:
        return found
    from congdanso.cohort.exchange import account_of

    for name, info in names:
        parts = name.split("+")
        when = exchange_time(parts[2]) if len(parts) >= 3 else None
        if when is None:
            continue
        uid = account_of(parts[0])
        if uid is not None and info.st_uid != uid:
            continue  # a classmate's folder under this learner's name: not a hand-in
        made = dt.datetime.fromtimestamp(info.st_ctime, dt.UTC)
        when = min(when, made) if uid is not None else when  # no hand-in dated in the future
        mine = found.setdefault(parts[0], {})
        if parts[1] not in mine or mine[parts[1]] < when:
            mine[parts[1]] = when
    return found


@dataclass
class ClassView:
    """Learner id → their home folder; statuses are recomputed only for changed journals.
    ``exchange``: the class exchange, whose inbound folder names say who handed in what."""

    homes: dict[str, Path]
    after: dt.timedelta = STUCK_AFTER
    exchange: Path | None = None
    notes: dict[str, str] = field(default_factory=dict)  # what the class server did (disk)
    _seen: dict[Path, _Seen] = field(default_factory=dict)

    def journals(self, home: Path) -> list[Path]:
        """The learner's journals: regular files they own, one per file (a hard link counted
        once), the :data:`MAX_JOURNALS` most recently changed; the walk gives up after
        :data:`MAX_ENTRIES` entries (a home can be made as deep and wide as its owner likes)."""
        try:
            owner = os.lstat(home).st_uid
        except OSError:
            return []
        found: dict[tuple[int, int], tuple[int, Path]] = {}
        seen = 0
        for folder, dirs, files in os.walk(home, followlinks=False):
            seen += len(dirs) + len(files)
            if seen > MAX_ENTRIES:
                break
            dirs[:] = [d for d in dirs if not d.startswith(".") and not d.endswith(".files")]
            if DEFAULT_NAME in files:
                path = Path(folder) / DEFAULT_NAME
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode) and info.st_uid == owner:
                    found[(info.st_dev, info.st_ino)] = (info.st_mtime_ns, path)
        newest = sorted(found.values(), reverse=True)[:MAX_JOURNALS]
        return [path for _, path in newest]

    def status(self, learner: str) -> Status:
        home = self.homes[learner]
        best: Status | None = None
        for path in self.journals(home):
            current = self._read(learner, path)
            if best is None or (current.last_at or dt.datetime.min.replace(tzinfo=dt.UTC)) > (
                    best.last_at or dt.datetime.min.replace(tzinfo=dt.UTC)):
                best = current
        return best or Status(learner)

    def _read(self, learner: str, path: Path) -> Status:
        try:
            info = os.lstat(path)
        except OSError:
            return Status(learner, note="không đọc được nhật ký")
        stamp = (info.st_mtime_ns, info.st_size)
        seen = self._seen.get(path)
        if seen is not None and seen.stamp == stamp:
            return seen.status
        status = self._summarise(learner, path)
        self._seen[path] = _Seen(stamp, status)
        return status

    def _summarise(self, learner: str, path: Path) -> Status:
        status = Status(learner)
        try:  # root reads what a learner made: no link, no FIFO, no hard link, capped
            data = read_regular(path, MAX_JOURNAL)
            events = parse_lines(data, start_seq=0, prev=GENESIS).events
        except (OSError, TooBig, JournalError, RecursionError) as exc:
            status.note = ("nhật ký bị sửa hoặc hỏng" if isinstance(exc, JournalError)
                           else "nhật ký quá lớn, bỏ qua" if isinstance(exc, TooBig)
                           else "không đọc được nhật ký")
            return status
        if not events:
            return status
        from congdanso.world.core.describe import TITLES

        last = events[-1].body
        status.last_action = TITLES.get(last.get("action", ""), last.get("action", ""))
        status.last_at = _wall(last.get("at"))
        failed = [e.body for e in events if not e.body.get("ok")]
        if failed:
            status.error = str(failed[-1].get("error", {}).get("message", ""))[:160]
        begun = [e.body for e in events if e.body.get("action") == "course.begin_exercise"
                 and e.body.get("ok")]
        if begun:
            assignment = begun[-1]["args"].get("assignment", "")
            try:
                status.where = _where(assignment)
                status.done, status.total = _progress(data, path, assignment,
                                                      [e.body for e in events])
            except Exception:  # an exercise this version does not know, a journal that won't replay
                status.note = "không tính được tiến độ"
        else:
            status.where = "Đang xem bài học"
        return status

    def rows(self, now: dt.datetime | None = None) -> list[dict[str, str]]:
        from dataclasses import replace

        from congdanso.world.core.clock import VIETNAM

        now = now or dt.datetime.now(dt.UTC)
        given = handed_in(self.exchange)
        rows = []
        for learner in sorted(self.homes):
            status = self.status(learner)
            mine = given.get(learner, {})
            if mine:
                status = replace(status, handed_in="; ".join(
                    f"{name} lúc {when.astimezone(VIETNAM):%H:%M}"
                    for name, when in sorted(mine.items())))
            if learner in self.notes:
                status = replace(status, note="; ".join(filter(None, [status.note,
                                                                     self.notes[learner]])))
            rows.append(status.row(now, self.after))
        return rows


def _wall(text: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


PROGRESS_SECONDS = 5  # one learner's progress on the live page; a journal that needs more is skipped


def _progress(data: bytes, path: Path, assignment: str, bodies: list[dict]) -> tuple[int, int]:
    """Steps of the exercise's checklist done (answers count once given, as in the kernel)."""
    import time

    from congdanso.grading import requirements as req
    from congdanso.grading.variants import spec
    from congdanso.world.core.files import FileStore
    from congdanso.world.world import REPLAY_DEADLINE, World

    files = FileStore(path.with_name(path.name + ".files"), read_only=True)
    deadline = REPLAY_DEADLINE.set(time.monotonic() + PROGRESS_SECONDS)  # a page, not a grade
    try:
        world = World.from_journal_bytes(data, path=None, files=files)
    finally:
        REPLAY_DEADLINE.reset(deadline)
    state = world.course.exercises.get(assignment)
    if state is None:
        return 0, 0
    _, events = req.events_since_begin(bodies, assignment)
    ctx = req.Context(world, events, state.scenario)
    checklist = spec(assignment)["checklist"]
    done = sum(req.evaluate(ctx, name, judge=False) is None for name in checklist)
    return done, len(checklist)


def _sorted(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(rows, key=lambda r: (not r["Cần giúp?"].startswith("Có"), r["Học viên"]))


def summary(rows: list[dict[str, str]]) -> str:
    """The line above the table (also what a screen reader announces when it changes)."""
    helping = sum(r["Cần giúp?"].startswith("Có") for r in rows)
    return (f"{len(rows)} học viên; {helping} người có thể cần giúp (đứng yên quá lâu ở một bước "
            "chưa xong).")


def table(rows: list[dict[str, str]]) -> str:
    """The table alone (what the page fetches to refresh itself): who needs help first."""
    rows = _sorted(rows)
    head = "".join(f'<th scope="col">{html.escape(k)}</th>' for k in (rows[0] if rows else {}))
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{html.escape(v)}</th>' if k == "Học viên" else
             f'<td data-cot="{html.escape(k if k.endswith("?") else k + ":")}" '
             f'class="{"can-giup" if k == "Cần giúp?" and v.startswith("Có") else ""}">'
             f"{'⚠ ' if k == 'Cần giúp?' and v.startswith('Có') else ''}{html.escape(v)}</td>")
            for k, v in r.items()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(rows: list[dict[str, str]], *, refresh: int = 15, title: str = "Lớp học đang làm gì",
         xsrf: str = "") -> str:
    """The live view as one HTML page. It refreshes its table in place every ``refresh`` seconds
    (no page reload: focus, scroll position and a screen reader's place are kept) and can be
    paused; without JavaScript, a link reloads it. ``xsrf``: the hub's token, which a script's
    request must carry for the hub's cookie to count (JupyterHub ≥ 4.1)."""
    every = int(refresh)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 20px; margin: 0; color: #111; }}
main {{ padding: 12px 16px; }}
.bang {{ overflow-x: auto; }}
table {{ border-collapse: collapse; min-width: 100%; }}
th, td {{ border: 1px solid #888; padding: 6px 10px; text-align: left; vertical-align: top; }}
thead th {{ background: #e8eefc; }}
td.can-giup {{ font-weight: 700; color: #8b0000; background: #fff0f0; }}
button {{ font: inherit; min-height: 44px; padding: 4px 14px; border: 2px solid #0b3d91;
  border-radius: 8px; background: #fff; color: #0b3d91; cursor: pointer; }}
.dieu-khien {{ display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }}
/* on a phone (a trainer walking round the hall): one card per learner, each value named */
@media (max-width: 700px) {{
  table, tbody, tr, th, td {{ display: block; min-width: 0; }}
  thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  tr {{ border: 2px solid #888; border-radius: 10px; margin: 0 0 12px; padding: 4px 0; }}
  th, td {{ border: none; padding: 3px 10px; }}
  th[scope="row"] {{ font-size: 22px; }}
  td::before {{ content: attr(data-cot) " "; font-weight: 700; }}
  td:empty {{ display: none; }}
}}
:focus {{ outline: 4px solid #0b3d91; outline-offset: 2px; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p id="tom-tat" role="status">{html.escape(summary(rows))}</p>
<div class="dieu-khien">
<button type="button" id="tam-dung" aria-pressed="false">Tạm dừng tự cập nhật</button>
<span id="luc">Tự cập nhật mỗi {every} giây; không ghi gì vào thư mục của học viên.</span>
<noscript><a href="">Tải lại trang</a></noscript>
</div>
<div class="bang" id="bang" tabindex="0" role="region" aria-label="Bảng tiến độ của lớp">
{table(rows)}</div>
</main>
<script>
(() => {{
  const every = {every} * 1000, pause = document.getElementById("tam-dung");
  let paused = false;
  pause.addEventListener("click", () => {{
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Tiếp tục tự cập nhật" : "Tạm dừng tự cập nhật";
  }});
  async function update() {{
    if (paused) return;
    try {{
      const answer = await fetch("?phan=bang", {{cache: "no-store", credentials: "same-origin",
                                                 headers: {{"X-XSRFToken": {json.dumps(xsrf)}}}}});
      if (!answer.ok) throw new Error(answer.status);
      const data = await answer.json();
      document.getElementById("bang").innerHTML = data.table;
      const status = document.getElementById("tom-tat");
      if (status.textContent !== data.summary) status.textContent = data.summary;
      document.getElementById("luc").textContent = "Cập nhật lúc " + data.time +
        "; tự cập nhật mỗi {every} giây.";
    }} catch (error) {{
      document.getElementById("luc").textContent =
        "Chưa cập nhật được (máy chủ lớp không trả lời); sẽ thử lại sau {every} giây.";
    }}
  }}
  setInterval(update, every);
}})();
</script></body></html>"""
