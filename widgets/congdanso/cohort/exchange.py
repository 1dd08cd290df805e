"""nbgrader's exchange, hardened: it knows who submitted and follows no link.

The exchange's inbound folder is writable by every learner, so whatever is in it is untrusted.
Stock nbgrader's collect takes a folder's name as the learner's identity (a submission made under
a classmate's id replaces their work), follows links with the trainer's rights, stops the whole
class at the first folder over the size limit or with a malformed name, and deletes the earlier
submission when a newer one arrives. :class:`SafeCollect` keeps nbgrader's layout and choice of
the latest submission (before the due date when asked), and:

* refuses ids that are not in the roster (the gradebook's learners);
* on a machine where learners have accounts of their own (a shared server), refuses a submission
  whose folder or files are not owned by that learner's account; elsewhere they must belong to the
  trainer's own account (learners then submit through the trainer's tools);
* copies regular files only (:mod:`congdanso.grading.safefiles`); links and special files are
  refused and listed;
* skips and lists a submission that is too large, unreadable or misnamed, and goes on;
* keeps the earlier collected copy in ``submitted-cu/<học viên>/<bài>/<thời điểm>`` when a newer
  submission replaces it, and says so.

:class:`SafeReleaseFeedback` hands back only regular feedback files. :class:`SafeRelease` refuses
to release into an exchange whose folders someone else made first (a learner who creates
``congdanso/outbound`` before the first release would otherwise serve classmates an exercise of
their own): every folder of the course in the exchange must be the trainer's, not a link, and
writable by nobody else (the inbound folder excepted, where learners may only add); the class
server makes them at start with those owners and modes (:func:`prepare`). All three are plugged
into the course's ``nbgrader_config.py`` (``ExchangeFactory``), so nbgrader's own commands and the
formgrader use them too; :data:`NOTES` gathers what the trainer must read.
"""

from __future__ import annotations

import datetime
import glob
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import parse_utc

from congdanso.grading import safefiles
from congdanso.world.core.errors import os_error_vi

OLD_DIR = "submitted-cu"
CLOCK_SLACK = datetime.timedelta(minutes=10)  # a hand-in's named time vs. its folder's ctime
REFUSED_DIR = "bi-tu-choi"


@dataclass(frozen=True)
class Note:
    student: str
    assignment: str
    message: str
    collected: bool = False  # the submission was still collected (a note, not a refusal)

    def __str__(self) -> str:
        return f"{self.student} · {self.assignment}: {self.message}"


NOTES: list[Note] = []


def account_of(learner: str) -> int | None:
    """The uid of the learner's own account on this machine, if they have one."""
    if sys.platform == "win32":
        return None
    import pwd

    try:
        return pwd.getpwnam(learner).pw_uid
    except KeyError:
        return None


def owner_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def foreign_owners(folder: str, expected: set[int]) -> list[str]:
    """Entries of ``folder`` (itself included) owned by an account not in ``expected``."""
    found = []
    top = os.lstat(folder)
    if top.st_uid not in expected:
        found.append(f". ({owner_name(top.st_uid)})")
    for dirpath, dirnames, filenames, dirfd in os.fwalk(folder, follow_symlinks=False):
        for name in dirnames + filenames:
            info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            if info.st_uid not in expected:
                rel = os.path.relpath(os.path.join(dirpath, name), folder)
                found.append(f"{rel} ({owner_name(info.st_uid)})")
    return found


class SafeCollect(ExchangeCollect):
    """Collect that checks identity, follows no link and never stops for one bad folder."""

    def _note(self, student: str, message: str, collected: bool = False) -> None:
        note = Note(student, self.coursedir.assignment_id, message, collected)
        NOTES.append(note)
        self.log.warning(str(note))

    def init_src(self):  # type: ignore[override]
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        records = []
        for path in glob.glob(pattern):
            name = os.path.basename(path)
            parts = name.rsplit("+", 3)
            try:
                if len(parts) < 3:
                    raise ValueError
                record = {"username": parts[0], "filename": name,
                          "timestamp": parse_utc(parts[2])}
            except (ValueError, OverflowError):
                self._note(parts[0], f"bỏ qua thư mục nộp có tên sai dạng: {name}")
                continue
            if self._genuine(record, path):
                records.append(record)
        from congdanso.cohort.grading import learners_in_roster

        self.known = set(learners_in_roster(self.coursedir.db_url))
        self.groups = groupby(records, lambda r: r["username"])
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for _student, mine in self.groups.items():
            mine = self._sort_by_timestamp(mine)
            if self.duedate is not None and self.before_duedate:
                early = [r for r in mine if r["timestamp"] <= self.duedate]
                mine = early or mine
            self.src_records.append({**mine[0], "fallbacks": mine[1:]})

    def _genuine(self, record: dict, path: str) -> bool:
        """Before the latest hand-in is chosen: a folder under a learner's name that another
        account made is left out (a classmate could otherwise make one dated 2099 and the real
        hand-in would never be collected), and, where learners hand in from accounts of their
        own, a date in the name that the folder's change time contradicts (back-dated to dodge
        the due date, or in the future) is replaced by that time. (Elsewhere the trainer may
        have copied the exchange, which gives every folder a new change time.)"""
        student = record["username"]
        try:
            info = os.lstat(path)
        except OSError:
            return False
        allowed, who = self._allowed_owners(student)
        if info.st_uid not in allowed:
            self._note(student, f"bỏ qua thư mục {record['filename']}: mang tên học viên này "
                       f"nhưng do {owner_name(info.st_uid)} tạo, không phải {who}.")
            return False
        changed = datetime.datetime.fromtimestamp(info.st_ctime, datetime.UTC).replace(
            tzinfo=None)
        own_account = account_of(student) is not None  # a class server: learners hand in
        if own_account and abs(record["timestamp"] - changed) > CLOCK_SLACK:
            named = record["timestamp"]
            self._note(student, f"giờ nộp ghi trong tên thư mục ({named:%H:%M %d/%m/%Y}) không "
                       f"khớp lúc thư mục được tạo; dùng giờ của máy ({changed:%H:%M %d/%m/%Y}, "
                       "UTC).", collected=True)
            record["timestamp"], record["corrected"] = changed, True
        return True

    def _allowed_owners(self, student: str) -> tuple[set[int], str]:
        uid = account_of(student)
        if uid is not None:
            return {uid}, f"tài khoản {student} của máy"
        return {os.geteuid()}, f"tài khoản {owner_name(os.geteuid())} (người thu bài)"

    def copy_files(self):  # type: ignore[override]
        for rec in sorted(self.src_records, key=lambda r: r["username"]):
            student = rec["username"]
            # A newer hand-in refused (someone else's files, too big, not a folder) does not
            # block the learner's genuine one: the newest acceptable hand-in is collected.
            for candidate in [rec, *rec.get("fallbacks", [])]:
                try:
                    if self._collect_one(candidate):
                        break
                except Exception as exc:  # one learner's folder never stops the class
                    self._note(student, f"không thu được ({type(exc).__name__}: {exc}); các "
                               "bài khác vẫn được thu.")
                    break
                following = rec.get("fallbacks", [])
                index = [rec, *following].index(candidate)
                if index < len(following):
                    shown = f"{candidate['timestamp']:%H:%M:%S %d/%m/%Y}"
                    earlier = f"{following[index]['timestamp']:%H:%M:%S %d/%m/%Y}"
                    self._note(student, f"lần nộp lúc {shown} không thu được; thu lần nộp trước "
                               f"đó, lúc {earlier} (UTC).", collected=True)

    def _collect_one(self, rec: dict) -> bool:
        """Collect one hand-in; False when this folder was refused (an earlier one may do)."""
        student = rec["username"]
        src = os.path.join(self.inbound_path, rec["filename"])
        if student not in self.known:
            self._note(student, f"mã học viên \"{student}\" không có trong danh sách lớp nên bài "
                       "không được thu. Nếu đúng là học viên của lớp, hãy nhập danh sách lớp có "
                       "mã này (congdanso roster import) rồi thu lại.")
            return True
        try:
            top = os.lstat(src)
        except OSError as exc:
            self._note(student, f"không đọc được bài nộp ({os_error_vi(exc)}).")
            return False
        if not stat.S_ISDIR(top.st_mode):
            self._note(student, "bài nộp là liên kết hoặc tệp đặc biệt, không phải thư mục: "
                       "không thu.")
            return False
        allowed, who = self._allowed_owners(student)
        strangers = foreign_owners(src, allowed)
        if strangers:
            self._note(student, f"bài nộp không thuộc {who} ({', '.join(strangers[:3])}): có "
                       "thể ai đó nộp dưới tên học viên này, nên không thu.")
            return False
        if len(self.groups.get(student, [])) > 1:
            self._note(student, f"đã nộp {len(self.groups[student])} lần; thu lần nộp lúc "
                       f"{rec['timestamp']:%H:%M:%S %d/%m/%Y} (UTC).", collected=True)
        dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                               self.coursedir.assignment_id))
        previous = self.coursedir.get_existing_timestamp(str(dest)) if dest.is_dir() else None
        if dest.is_dir() and previous is not None and previous >= rec["timestamp"]:
            return True  # what was collected is already the latest
        staging = dest.parent / f".dang-thu-{self.coursedir.assignment_id}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            report = safefiles.copy_regular(
                src, staging, ignore=list(self.coursedir.ignore),
                max_file_bytes=self.coursedir.max_file_size * 1000,
                max_total_bytes=self.coursedir.max_dir_size * 1000)
        except safefiles.TooBig as exc:
            shutil.rmtree(staging, ignore_errors=True)
            self._note(student, f"bài nộp quá lớn ({exc}) nên không thu. Nhờ học viên xoá tệp "
                       "thừa trong thư mục bài rồi nộp lại.")
            return False
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            self._note(student, f"không đọc được bài nộp ({os_error_vi(exc)}); không thu.")
            return False
        if rec.get("corrected"):  # the grader's late penalty reads this file
            (staging / "timestamp.txt").write_text(
                rec["timestamp"].strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC", encoding="utf-8")
        if report.refused:
            self._note(student, "không lấy " + ", ".join(map(str, report.refused[:5]))
                       + (" …" if len(report.refused) > 5 else ""), collected=True)
        if report.skipped:
            self._note(student, "bỏ qua tệp quá lớn: " + ", ".join(report.skipped[:5]),
                       collected=True)
        if dest.exists():
            when = (previous or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
            keep = (Path(self.coursedir.root) / OLD_DIR / student / self.coursedir.assignment_id
                    / when)
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(keep, ignore_errors=True)
            os.rename(dest, keep)
            self._note(student, f"nộp lại: thu bản mới, bản thu trước được giữ ở "
                       f"{keep.relative_to(self.coursedir.root)}.", collected=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, dest)
        self.log.info("Collected %s %s", student, self.coursedir.assignment_id)
        return True


MAX_FEEDBACK = 100 * 1024 * 1024  # one feedback page, images of the notebook included


def read_text(path: str) -> str:
    """Text of a regular file, refusing a link, a FIFO or a hard link in its place."""
    return safefiles.read_regular(path, MAX_FEEDBACK).decode("utf-8")


class SafeReleaseFeedback(ExchangeReleaseFeedback):
    """Release feedback HTML, regular files only (never what a link points to)."""

    def copy_files(self):  # type: ignore[override]
        import re

        from nbgrader.utils import notebook_hash

        exclude = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        pattern = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        for html_file in glob.glob(os.path.join(self.src_path, "*.html")):
            match = re.match(pattern, html_file)
            if match is None or match["student_id"] in exclude:
                continue
            student, notebook = match["student_id"], match["notebook_id"]
            folder = os.path.dirname(html_file)
            try:
                page = read_text(html_file)
                timestamp = read_text(os.path.join(folder, "timestamp.txt"))
                secret = read_text(os.path.join(folder, "submission_secret.txt"))
            except (OSError, UnicodeDecodeError, safefiles.TooBig) as exc:
                NOTES.append(Note(student, self.coursedir.assignment_id,
                                  f"không trả phản hồi {notebook}: {exc}"))
                continue
            checksum = notebook_hash(secret=secret, notebook_id=notebook)
            partial = os.path.join(self.dest_path, f"{checksum}-tmp.html")
            with open(partial, "w", encoding="utf-8") as out:
                out.write(page)
            os.replace(partial, os.path.join(self.dest_path, f"{checksum}.html"))
            self.log.info("Released feedback for %s (%s, %s)", student, notebook,
                          timestamp.strip())


# The exchange's folders of a course, and their modes: nbgrader's own (inbound: learners add,
# nobody lists; feedback: entered by name only), owned by whoever releases (root on a class server).
LAYOUT = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}


def squatted(root: str | os.PathLike[str], course_id: str, owner: int | None = None) -> list[str]:
    """What in the exchange's course folders is not the trainer's to trust, in Vietnamese: a
    link, something that is not a folder, a folder of another account, a folder others may
    change. Empty when releasing there is safe."""
    owner = os.geteuid() if owner is None else owner
    problems = []
    try:
        top = os.lstat(root)
    except FileNotFoundError:
        return []
    if stat.S_ISLNK(top.st_mode) or not stat.S_ISDIR(top.st_mode):
        problems.append(f"{root} không phải thư mục thật")
    elif top.st_uid not in (owner, 0):
        problems.append(f"{root} do tài khoản {owner_name(top.st_uid)} tạo")
    elif top.st_mode & 0o002 and not top.st_mode & stat.S_ISVTX:
        problems.append(f"{root} cho mọi người đổi tên, xoá thư mục của người khác")
    for name in LAYOUT:
        path = os.path.join(root, course_id, name)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            problems.append(f"{path} không phải thư mục thật")
        elif info.st_uid != owner:
            problems.append(f"{path} do tài khoản {owner_name(info.st_uid)} tạo")
        elif name != "inbound" and info.st_mode & 0o022:
            problems.append(f"{path} cho người khác ghi vào")
    return problems


def prepare(root: str | os.PathLike[str], course_id: str) -> None:
    """The exchange of a class, made by the account that releases (root on the class server)
    before any learner can log in: the top folder sticky (everyone may add, nobody removes or
    renames what others made), the course's folders with nbgrader's modes. Raises
    :class:`PermissionError` (Vietnamese) if something is already there that is not ours."""
    problems = squatted(root, course_id)
    if problems:
        raise PermissionError(squat_message(problems))
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o1777)
    for name, mode in LAYOUT.items():
        path = os.path.join(root, course_id, name)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)


def squat_message(problems: list[str]) -> str:
    return ("Thư mục trao đổi bài có chỗ không an toàn, nên không phát bài vào đó: "
            + "; ".join(problems[:6]) + ". Có thể một học viên đã tạo trước để phát bài giả. "
            "Giảng viên: xoá những thư mục đó (hoặc dùng thư mục trao đổi mới với --trao-doi) "
            "rồi phát lại.")


class SafeRelease(ExchangeReleaseAssignment):
    """nbgrader's release, refusing an exchange whose course folders are not the trainer's."""

    def ensure_root(self):  # type: ignore[override]
        super().ensure_root()
        info = os.lstat(self.root)
        if info.st_uid == os.geteuid() and not info.st_mode & stat.S_ISVTX:
            os.chmod(self.root, stat.S_IMODE(info.st_mode) | stat.S_ISVTX)

    def init_dest(self):  # type: ignore[override]
        problems = squatted(self.root, self.coursedir.course_id)
        if problems:
            self.fail(squat_message(problems))
        super().init_dest()

    def copy_files(self):  # type: ignore[override]
        """On a class-server course no table of every learner's token is published (each
        learner's server is given only its own), whichever way the release was started."""
        from congdanso.grading.variants import CLASS_MARK, VARIANTS_FILE

        if (Path(self.coursedir.root) / CLASS_MARK).exists():
            table = Path(self.src_path) / VARIANTS_FILE
            table.unlink(missing_ok=True)
        super().copy_files()
