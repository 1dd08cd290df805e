"""One machine is a class of one: the learner on ``make start`` receives, does and hands in the
graded exercises from the home page, and the trainer's commands on that machine see the hand-in.

The learner gives their name (and khu phố, role) once. They are added to the course's roster
(the same ``roster.csv`` and gradebook ``congdanso roster import`` fills) — or recognised when the
trainer's roster already has that name — and their roster id is what nbgrader hands in under, not
the machine's login name. The learner's folder gets:

- ``hoc-vien.json``: who the learner is;
- ``nbgrader_config.py``: the course, its exchange, the learner's roster id, and an nbgrader
  cache inside the folder (the user's ``~/.local/share/jupyter`` is never touched);
- ``.congdanso/phuong-an.json``: the learner's own exercise tokens, as the class server gives
  each learner (:func:`congdanso.grading.variants.tokens_of`).

An exercise not yet handed out is generated and released on the learner's first "Nhận bài":
on one machine the course's owner and the learner are the same person at the same keyboard.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from congdanso.world.core.text import clean_name

PROFILE = "hoc-vien.json"
CONFIG = "nbgrader_config.py"


@dataclass(frozen=True)
class Registered:
    id: str
    name: str
    ward: str
    khu_pho: str
    role: str


class NotRegistered(ValueError):
    """What the learner typed cannot be registered; the message says what to fix."""


def _same_name(text: str) -> str:
    """A name as written (NFC), in any case: "Lê Văn Tâm" is not "Lê Văn Tám"."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)+$")  # letters, spaces, ' and -


def choices() -> list[tuple[str, list[str]]]:
    """(ward, its khu phố) for the registration form."""
    from congdanso.world.society.places import WARDS

    return [(ward.name, list(ward.khu_pho)) for ward in WARDS]


class Machine:
    """The course ``course`` (an nbgrader course folder) and the learner's folder ``work``."""

    def __init__(self, course: str | os.PathLike[str], work: str | os.PathLike[str]):
        self.course = Path(course).resolve()
        self.work = Path(work).resolve()

    # -- who the learner is ---------------------------------------------------------------------
    def learner(self) -> Registered | None:
        try:
            data = json.loads((self.work / PROFILE).read_text("utf-8"))
            return Registered(**{k: str(data[k]) for k in Registered.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def register(self, name: str, khu_pho: str, role: str) -> Registered:
        """Add the learner to the roster (or find them there) and set their folder up."""
        from congdanso.cohort.roster import ROLES, RosterError, import_roster, read_table

        known = self.learner()
        if known is not None:  # the hand-ins of the learner registered keep their owner
            raise NotRegistered(f"Máy này đã lưu tên {known.name}. Muốn đổi người học, nhờ "
                                "giảng viên.")

        # a name typed in lower case or capitals is written as on an ID card: "Nguyễn Thị Lan"
        name = " ".join(w[:1].upper() + w[1:].lower() for w in clean_name(name or "").split())
        if len(name.split(" ")) < 2:
            raise NotRegistered("Hãy gõ đủ họ và tên (ví dụ: Nguyễn Thị Lan).")
        if len(name) > 80:
            raise NotRegistered("Họ và tên dài quá 80 ký tự; hãy gõ lại.")
        if not NAME.match(name):
            raise NotRegistered("Họ và tên chỉ gồm chữ cái và dấu cách (ví dụ: Nguyễn Thị Lan); "
                                "hãy gõ lại, không có số hay ký hiệu.")
        ward = next((w for w, khu in choices() if khu_pho in khu), None)
        if ward is None:
            raise NotRegistered("Hãy chọn khu phố nơi bạn hỗ trợ người dân trong danh sách.")
        if role not in ROLES:
            raise NotRegistered("Hãy chọn vai trò của bạn trong danh sách.")
        from congdanso.cohort.roster import _slug

        table = read_table(self.course)
        same = [row for row in table.values()
                if _same_name(row.get("name", "")) == _same_name(name)]
        if len(same) == 1:  # the trainer's roster already has this learner
            row = same[0]
            who = Registered(row["id"], row["name"], row["ward"], row["khu_pho"], row["role"])
        else:
            base = _slug(f"hv-{name}")  # as the roster makes ids: the same id it stores
            learner_id, n = base, 2
            while learner_id in table:
                learner_id, n = f"{base}-{n}", n + 1
            with tempfile.TemporaryDirectory() as tmp:
                sheet = Path(tmp) / "hoc-vien.csv"
                with open(sheet, "w", encoding="utf-8", newline="") as f:
                    writer = csv.writer(f)
                    writer.writerow(["Mã học viên", "Họ và tên", "Phường", "Khu phố", "Vai trò"])
                    writer.writerow([learner_id, name, ward, khu_pho, role])
                try:
                    import_roster(sheet, self.course)
                except RosterError as exc:
                    raise NotRegistered(str(exc)) from None
            who = Registered(learner_id, name, ward, khu_pho, role)
        self.work.mkdir(parents=True, exist_ok=True)
        self._write(self.work / PROFILE, json.dumps(who.__dict__, ensure_ascii=False, indent=1))
        self.configure(who)
        return who

    # -- the learner's folder -------------------------------------------------------------------
    def configure(self, who: Registered | None = None) -> None:
        """Write the folder's nbgrader configuration and the learner's own tokens."""
        from congdanso.cohort.gradebook import exchange_root
        from congdanso.cohort.grading import load_config
        from congdanso.grading.variants import OWN_TOKENS, tokens_of

        who = who or self.learner()
        config = load_config(self.course)
        course_id = config.CourseDirectory.get("course_id", "congdanso")
        exchange = exchange_root(self.course) or config.Exchange.get(
            "root", str(self.course / "exchange"))
        lines = [
            '"""The learner\'s folder on this machine (written by congdanso hoc: do not edit)."""',
            "c = get_config()  # noqa: F821",
            f"c.CourseDirectory.course_id = {course_id!r}",
            f"c.Exchange.root = {str(exchange)!r}",
            f"c.Exchange.cache = {str(self.work / '.nbgrader-cache')!r}",
        ]
        if who is not None:
            lines.append(f"c.CourseDirectory.student_id = {who.id!r}")
        self.work.mkdir(parents=True, exist_ok=True)
        self._write(self.work / CONFIG, "\n".join(lines) + "\n")
        if who is not None:
            own = self.work / OWN_TOKENS
            own.parent.mkdir(parents=True, exist_ok=True)
            self._write(own, json.dumps({"learner": who.id,
                                         "tokens": tokens_of(self.course, who.id)}))
            os.chmod(own, 0o600)

    def environment(self) -> dict[str, str]:
        """What the learner's kernels need to know: who they are, where their tokens are."""
        who = self.learner()
        env = {"CONGDANSO_HOME": str(self.work)}
        if who is not None:
            env["CONGDANSO_LEARNER"] = who.id
        return env

    def ensure_released(self, assignment: str) -> None:
        """Generate and release ``assignment`` if the course has not handed it out yet."""
        from congdanso.cohort import grading

        if assignment not in grading.assignments(self.course):
            raise NotRegistered(f"Khoá học không có bài {assignment}.")
        if not (self.course / "release" / assignment).is_dir():
            grading.generate(self.course, [assignment])
        grading.release(self.course, [assignment])

    def available(self) -> list[str]:
        """Every exercise of the course (released or not: on one machine it is released on the
        learner's first "Nhận bài")."""
        from congdanso.cohort import grading

        return grading.assignments(self.course)

    @staticmethod
    def _write(path: Path, text: str) -> None:
        tmp = path.with_name("." + path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
