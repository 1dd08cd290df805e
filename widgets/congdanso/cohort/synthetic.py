"""A synthetic cohort that goes through the whole course pipeline, for tests, benchmarks and demos.

Learners (invented names, several wards and khu phố) fetch each released assignment from the
nbgrader exchange, do the work by driving the simulated world and the phone apps in this process
(which writes their journal, exactly as in a kernel), type their answers into the notebook, and
submit. Six kinds of learner:

``dung-het``       everything right (journal tasks done in the apps, answer cells left as released)
``dung-mot-phan``  some steps missing, some answers wrong
``bo-trong``       submits the released notebook untouched
``sai``            wrong answers and failed attempts; also edits one grade cell and deletes another
``sua-nhat-ky``    does the work, then hand-edits the journal; cheats with a patched checker once
``loi-chay``       right work, but answer cells that crash the kernel, loop forever, allocate
                   50 GB, flood the output, or try to delete the gradebook, read other learners'
                   work and reach the network
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from congdanso.cohort import roster

PROFILES = ("dung-het", "dung-mot-phan", "bo-trong", "sai", "sua-nhat-ky", "loi-chay")
PLACES = (("Phường Lái Thiêu", "Khu phố Đông Nhì"), ("Phường Lái Thiêu", "Khu phố Đông Tư"),
          ("Phường Phú Lợi", "Khu phố 3"), ("Phường Dĩ An", "Khu phố Bình Minh"),
          ("Phường Thuận Giao", "Khu phố Hòa Lân"))
ROLES = ("Tình nguyện viên", "Tổ công nghệ số cộng đồng", "Cán bộ phường", "Công an phường",
         "Đoàn viên thanh niên")
# How many of each kind in a cohort of 30; larger cohorts repeat the pattern.
MIX = (("dung-het", 10), ("dung-mot-phan", 5), ("bo-trong", 4), ("sai", 4), ("sua-nhat-ky", 3),
       ("loi-chay", 4))

LOOP_FOREVER = ("import time\nwhile True:\n    try:\n        time.sleep(0.2)\n"
                "    except KeyboardInterrupt:\n        pass  # ignores the grader's interrupt\n")
CHEAT = ("import congdanso.grading as g\n\n\nclass _KhongKiem:\n"
         "    def __getattr__(self, name):\n        return lambda *a, **k: None\n\n\n"
         "g.learner_journal = lambda *a, **k: _KhongKiem()\n\n\n"
         "class nguoi_dan:  # noqa: N801\n    id_number = \"0\"\n")


@dataclass(frozen=True)
class Learner(roster.Learner):
    """A learner of the roster, and the kind of work they hand in (one of :data:`PROFILES`)."""

    profile: str = "dung-het"


@dataclass(frozen=True)
class Attempt:
    """What a learner does for one assignment."""

    session: str = ""  # code run in this process: the work done in the apps (writes the journal)
    answer: str | None = None  # what is typed into the answer cell (None = left as released)
    tamper: bool = False  # hand-edit the journal afterwards
    edit_cells: tuple[tuple[str, str | None], ...] = ()  # (grade_id, new source or None = delete)


def solution(course: Path, assignment: str) -> str:
    """The source notebook's solution code, without the nbgrader markers."""
    nb = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    return "\n".join(line for c in cells for line in c.source.splitlines()
                     if not line.lstrip().startswith("### "))


def attempts(course: Path, probe: dict[str, str]) -> dict[tuple[str, str], Attempt]:
    """(profile, assignment) → attempt. ``probe`` names what the escaping code aims at: the
    gradebook, another learner's folder and a local URL (``gradebook``, ``other``, ``url``)."""
    right = {a: solution(course, a) for a in (
        "tai-khoan-dvc", "ky-so-hop-dong", "thanh-toan-hoa-don", "ho-so-truc-tuyen",
        "an-toan-lua-dao", "ho-tro-nguoi-dan")}
    ky_so_signed = right["ky-so-hop-dong"].split("ban_bi_sua")[0]
    ho_so_submitted = right["ho-so-truc-tuyen"].split("world.advance")[0]
    escape = (
        "import os\nimport urllib.request\n"
        f"for duong_dan in [{probe['gradebook']!r}, {probe['other']!r}]:\n"
        "    try:\n        os.remove(duong_dan)\n        print('ĐÃ XOÁ', duong_dan)\n"
        "    except OSError as loi:\n        print('không xoá được', duong_dan, type(loi).__name__)\n"
        f"print(urllib.request.urlopen({probe['url']!r}, timeout=3).read())\n")
    vneid_partial = ("so = nguoi_dan.id_number\nworld.police.enroll_level2(so, nguoi_dan.phone)\n"
                     "world.vneid.activate(so, nguoi_dan.phone)\n"
                     "world.vneid.verify_otp(so, world.inbox(nguoi_dan.phone).latest_otp())\n")
    plan = {
        ("dung-het", "tai-khoan-dvc"): Attempt(session=right["tai-khoan-dvc"]),
        ("dung-het", "ky-so-hop-dong"): Attempt(session=right["ky-so-hop-dong"]),
        ("dung-het", "thanh-toan-hoa-don"): Attempt(session=right["thanh-toan-hoa-don"],
                                                    answer=right["thanh-toan-hoa-don"]),
        ("dung-het", "ho-so-truc-tuyen"): Attempt(session=right["ho-so-truc-tuyen"]),
        ("dung-het", "an-toan-lua-dao"): Attempt(answer=right["an-toan-lua-dao"]),
        ("dung-het", "ho-tro-nguoi-dan"): Attempt(session=right["ho-tro-nguoi-dan"],
                                                  answer=right["ho-tro-nguoi-dan"]),

        ("dung-mot-phan", "tai-khoan-dvc"): Attempt(session=vneid_partial, answer=vneid_partial),
        ("dung-mot-phan", "ky-so-hop-dong"): Attempt(session=ky_so_signed, answer=ky_so_signed),
        ("dung-mot-phan", "thanh-toan-hoa-don"): Attempt(
            session=right["thanh-toan-hoa-don"],
            answer=right["thanh-toan-hoa-don"] + "\nso_tai_khoan_nhan = \"999702\"\n"),
        ("dung-mot-phan", "ho-so-truc-tuyen"): Attempt(session=ho_so_submitted),
        ("dung-mot-phan", "an-toan-lua-dao"): Attempt(answer='cau_1 = "B"\ncau_2 = "B"\n'),
        ("dung-mot-phan", "ho-tro-nguoi-dan"): Attempt(
            session=right["ho-tro-nguoi-dan"],
            answer=right["ho-tro-nguoi-dan"].replace(
                "len(ho_dong_nhi)", "len(world.population.households)")),

        ("sai", "tai-khoan-dvc"): Attempt(
            session=vneid_partial.replace("world.inbox(nguoi_dan.phone).latest_otp()",
                                          '"000000"'),
            answer=vneid_partial.replace("world.inbox(nguoi_dan.phone).latest_otp()",
                                         '"000000"')),
        ("sai", "ky-so-hop-dong"): Attempt(session=ky_so_signed.replace(
            'ky_so.confirm("258036")', 'ky_so.confirm("111111")')),
        ("sai", "thanh-toan-hoa-don"): Attempt(
            session=right["thanh-toan-hoa-don"].replace(
                "world.inbox(nguoi_dan.phone).latest_otp()", '"000000"'),
            answer='so_tai_khoan_nhan = "999702"\n'),
        ("sai", "ho-so-truc-tuyen"): Attempt(session=right["ho-so-truc-tuyen"].split(
            "cong.open_procedure")[0].replace("PRACTICE_PASSCODE)", '"000000")')),
        ("sai", "an-toan-lua-dao"): Attempt(
            answer='cau_1 = "A"\ncau_2 = "C"\n',
            edit_cells=(("kiem-tra-cau-1", 'print("Đạt câu 1.")'), ("kiem-tra-cau-2", None))),
        ("sai", "ho-tro-nguoi-dan"): Attempt(answer='ty_le_dong_nhi = "ba mươi"\n'),

        ("loi-chay", "tai-khoan-dvc"): Attempt(
            session=right["tai-khoan-dvc"],
            answer="import os\nos._exit(1)  # kernel chết\n" + right["tai-khoan-dvc"]),
        ("loi-chay", "ky-so-hop-dong"): Attempt(
            session=right["ky-so-hop-dong"], answer=LOOP_FOREVER + right["ky-so-hop-dong"]),
        ("loi-chay", "thanh-toan-hoa-don"): Attempt(
            session=right["thanh-toan-hoa-don"],
            answer=right["thanh-toan-hoa-don"] + "\nrat_lon = bytearray(50 * 2**30)\n"),
        ("loi-chay", "ho-so-truc-tuyen"): Attempt(
            session=right["ho-so-truc-tuyen"], answer=escape + right["ho-so-truc-tuyen"]),
        ("loi-chay", "an-toan-lua-dao"): Attempt(
            answer='cau_1 = "B"\nwhile True:\n    print("x" * 2000)\ncau_2 = "A"\n'),
        ("loi-chay", "ho-tro-nguoi-dan"): Attempt(
            session=right["ho-tro-nguoi-dan"],
            answer=right["ho-tro-nguoi-dan"] + "\nimport urllib.request\n"
            f"urllib.request.urlopen({probe['url']!r}, timeout=3)\n"),
    }
    for assignment, code in right.items():
        plan[("bo-trong", assignment)] = Attempt()
        journal_task = assignment != "an-toan-lua-dao"
        plan[("sua-nhat-ky", assignment)] = Attempt(
            session=code if journal_task else "", tamper=journal_task,
            answer={"tai-khoan-dvc": CHEAT, "an-toan-lua-dao": code,
                    "thanh-toan-hoa-don": 'so_tai_khoan_nhan = "8888123456"\n'}.get(assignment))
    return plan


def cohort(size: int = 30, seed: int = 2026) -> list[Learner]:
    """``size`` learners with invented names, spread over the khu phố of :data:`PLACES`."""
    from faker import Faker

    from congdanso.world.people import FEMALE, MALE, CitizenProvider

    fake = Faker("vi_VN")
    fake.add_provider(CitizenProvider)
    fake.seed_instance(seed)
    kinds = [kind for kind, count in MIX for _ in range(count)]
    learners = []
    for i in range(size):
        ward, khu_pho = PLACES[i * len(PLACES) // size]  # blocks: khu phố differ
        name = fake.citizen_name(FEMALE if i % 2 else MALE)
        learners.append(Learner(f"hv-{i + 1:02d}", name, ward, khu_pho, ROLES[i % len(ROLES)],
                                kinds[i % len(kinds)]))
    return learners


def write_roster(learners: list[Learner], path: Path) -> Path:
    lines = ["Mã học viên,Họ và tên,Phường,Khu phố,Vai trò"]
    lines += [f"{x.id},{x.name},{x.ward},{x.khu_pho},{x.role}" for x in learners]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- the learner's side of the exchange --------------------------------------------------------------
def _exchange_config(course: Path, home: Path, student: str, assignment: str):
    from traitlets.config import Config

    from congdanso.cohort.grading import load_config

    config = load_config(course)
    extra = Config()
    extra.CourseDirectory.root = str(home)
    extra.CourseDirectory.assignment_id = assignment
    extra.CourseDirectory.student_id = student
    extra.Exchange.assignment_dir = str(home)
    config.merge(extra)
    return config


def _exchange_step(kind: str, course: Path, home: Path, student: str, assignment: str) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    config = _exchange_config(course, home, student, assignment)
    coursedir = CourseDirectory(config=config)
    factory = ExchangeFactory(config=config)
    cls = {"fetch": factory.FetchAssignment, "submit": factory.Submit}[kind]
    cls(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _setup_code(nb) -> str:
    """The released cells that run before the answer cell (opening the world, the phone)."""
    code = []
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("solution"):
            break
        if cell.cell_type == "code":
            code.append(cell.source)
    return "\n".join(code)


def _tamper(journal: Path) -> None:
    """What a learner might do by hand: mark a step as failed, keep everything else."""
    lines = journal.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["e"]["ok"] = not event["e"].get("ok", True)
    lines[1] = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")


def do_assignment(folder: Path, attempt: Attempt) -> None:
    """Work in a fetched assignment folder as the learner would, then save the notebook."""
    from congdanso.world.journal import DEFAULT_NAME

    path = next(folder.glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    if attempt.session:
        namespace: dict = {"__name__": "__main__"}
        with _inside(folder), contextlib.redirect_stdout(io.StringIO()):
            exec(compile(_setup_code(nb), str(path), "exec"), namespace)
            # A learner's failed attempt raises, as it would in the notebook.
            with contextlib.suppress(Exception):
                exec(compile(attempt.session, str(path), "exec"), namespace)
    if attempt.tamper:
        _tamper(folder / DEFAULT_NAME)
    if attempt.answer is not None:
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        cell.source = attempt.answer
    for grade_id, source in attempt.edit_cells:
        index = next(i for i, c in enumerate(nb.cells)
                     if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        if source is None:
            del nb.cells[index]
        else:
            nb.cells[index].source = source
    with warnings.catch_warnings():  # released notebooks predate cell ids; nbformat warns
        warnings.simplefilter("ignore")
        nbformat.write(nb, path)


def build(course_dir: str | os.PathLike[str], learners: list[Learner],
          assignments: list[str], *, probe_url: str = "http://127.0.0.1:9/") -> dict[str, Path]:
    """Generate and release the assignments, let every learner fetch, work and submit, collect.

    Returns the paths the escaping learners aim at, so a test can check nothing was touched.
    """
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course = Path(course_dir)
    grading.generate(course, assignments)
    grading.release(course, assignments)
    import_roster(write_roster(learners, course / "danh-sach.csv"), course)
    homes = course.parent / f"{course.name}-hoc-vien"
    victim = learners[0]
    probe = {"gradebook": str(course / "gradebook.db"),
             "other": str(course / "submitted" / victim.id / assignments[0]
                          / f"{assignments[0]}.ipynb"),
             "url": probe_url}
    plan = attempts(course, probe)
    for learner in learners:
        home = homes / learner.id
        home.mkdir(parents=True, exist_ok=True)
        for assignment in assignments:
            _exchange_step("fetch", course, home, learner.id, assignment)
            do_assignment(home / assignment, plan[(learner.profile, assignment)])
            _exchange_step("submit", course, home, learner.id, assignment)
    grading.collect(course, assignments)
    return {"gradebook": Path(probe["gradebook"]), "other": Path(probe["other"]), "homes": homes}

