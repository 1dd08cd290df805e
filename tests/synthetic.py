"""A synthetic cohort that goes through the whole course pipeline, for tests, benchmarks and demos.

Learners (invented names, several wards and khu phố) fetch each released assignment from the
nbgrader exchange, open it as the notebook's first cell does (their own scenario, from the
released table of tokens), work through the exercise with the same methods its buttons call
(tests/hands.py), and submit. Eight kinds of learner:

``dung-het``     every step done, every answer right
``chi-tra-loi``  answers every question right but never touches the phone
``bo-trong``     submits the released notebook untouched
``sai``          every step done in the phone, every answer wrong; also edits one grade cell and
                 deletes another
``sua-nhat-ky``  does everything right, then hand-edits one event of the journal
``chep-bai``     copies a ``dung-het`` classmate's journal into their own submission
``gian-lan``     does nothing, adds a cell that replaces the checker with one that passes
                 everything and puts a fake ``congdanso`` package beside the notebook
``loi-chay``     does everything right, then adds cells that crash the kernel, loop forever,
                 allocate 50 GB and try to delete the gradebook and reach the network (never
                 run: widget-only exercises start no kernel)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from congdanso.cohort import roster

PROFILES = ("dung-het", "chi-tra-loi", "bo-trong", "sai", "sua-nhat-ky", "chep-bai", "gian-lan",
            "loi-chay")
PLACES = (("Phường Lái Thiêu", "Khu phố Đông Nhì"), ("Phường Lái Thiêu", "Khu phố Đông Tư"),
          ("Phường Phú Lợi", "Khu phố 3"), ("Phường Dĩ An", "Khu phố Bình Minh"),
          ("Phường Thuận Giao", "Khu phố Hòa Lân"))
ROLES = ("Tình nguyện viên", "Tổ công nghệ số cộng đồng", "Cán bộ phường", "Công an phường",
         "Đoàn viên thanh niên")
# How many of each kind in a cohort of 30; larger cohorts repeat the pattern.
MIX = (("dung-het", 10), ("chi-tra-loi", 5), ("bo-trong", 4), ("sai", 3), ("sua-nhat-ky", 2),
       ("chep-bai", 2), ("gian-lan", 2), ("loi-chay", 2))

CHEAT = ("import congdanso.ui.exercise as e\n\n\nclass _KhongKiem:\n"
         "    def kiem_tra(self, *a, **k):\n        print('Đạt')\n\n\n"
         "e.Exercise.open = classmethod(lambda cls, *a, **k: _KhongKiem())\n"
         "bai_tap = _KhongKiem()\n")
SHADOW = ("# a fake package beside the notebook: whatever imports congdanso gets this instead\n"
          "class Exercise:\n    @classmethod\n    def open(cls, *a, **k):\n        return cls()\n"
          "    def kiem_tra(self, *a, **k):\n        print('Đạt')\n")


@dataclass(frozen=True)
class Learner(roster.Learner):
    """A learner of the roster, and the kind of work they hand in (one of :data:`PROFILES`)."""

    profile: str = "dung-het"


def cohort(size: int = 30, seed: int = 2026) -> list[Learner]:
    """``size`` learners with invented names, spread over the khu phố of :data:`PLACES`."""
    from congdanso.world.society.people import FEMALE, MALE, CitizenProvider
    from faker import Faker

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
    from congdanso.cohort.grading import load_config
    from traitlets.config import Config

    config = load_config(course)
    extra = Config()
    extra.CourseDirectory.root = str(home)
    extra.CourseDirectory.assignment_id = assignment
    extra.CourseDirectory.student_id = student
    extra.Exchange.assignment_dir = str(home)
    # nbgrader keeps a copy of every hand-in in the learner's cache, by default the machine's
    # ~/.local/share/jupyter/nbgrader_cache, where a trainer's own Assignment List would show
    # the cohort's hand-ins: the cohort's cache lives beside its course, in its temporary folder
    extra.Exchange.cache = str(cache_of(course))
    config.merge(extra)
    return config


def cache_of(course: Path) -> Path:
    """Where the synthetic learners' nbgrader hand-in cache is: beside the course."""
    return Path(course).parent / f"{Path(course).name}-nbgrader-cache"


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


def _tamper(journal: Path) -> None:
    """What a learner might do by hand: mark a step as failed, keep everything else."""
    lines = journal.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["e"]["ok"] = not event["e"].get("ok", True)
    lines[1] = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _add_cell(nb, source: str) -> None:
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))


def do_assignment(folder: Path, learner: Learner, *, copy_from: Path | None = None,
                  probe: dict[str, str] | None = None) -> None:
    """Work in a fetched assignment folder as the learner would, then save the notebook."""
    from congdanso.ui.exercise import Exercise
    from congdanso.world.core.journal import DEFAULT_NAME
    from hands import do_exercise

    path = next(folder.glob("*.ipynb"))
    assignment = folder.name
    nb = nbformat.read(path, as_version=4)
    kind = learner.profile
    way = {"chi-tra-loi": "chi-tra-loi", "sai": "sai", "bo-trong": "bo-trong",
           "gian-lan": "bo-trong", "chep-bai": "bo-trong"}.get(kind, "dung-het")
    if way != "bo-trong":
        exercise = Exercise.open(assignment, folder=folder, learner=learner.id)
        do_exercise(exercise, way)
        exercise.close()
    if kind == "sua-nhat-ky":
        _tamper(folder / DEFAULT_NAME)
    if kind == "chep-bai" and copy_from is not None:
        for item in copy_from.glob(DEFAULT_NAME + "*"):
            target = folder / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            else:
                shutil.copy2(item, target)
    if kind == "gian-lan":
        _add_cell(nb, CHEAT)
        (folder / "congdanso").mkdir(exist_ok=True)
        (folder / "congdanso" / "__init__.py").write_text(SHADOW, encoding="utf-8")
        (folder / "congdanso" / "ui").mkdir(exist_ok=True)
        (folder / "congdanso" / "ui" / "__init__.py").write_text("", encoding="utf-8")
        (folder / "congdanso" / "ui" / "exercise.py").write_text(SHADOW, encoding="utf-8")
    if kind == "loi-chay":
        probe = probe or {}
        _add_cell(nb, "import os\nos._exit(1)  # kernel chết\n")
        _add_cell(nb, "while True:\n    pass\n")
        _add_cell(nb, "rat_lon = bytearray(50 * 2**30)\n")
        _add_cell(nb, f"import os, urllib.request\nos.remove({probe.get('gradebook', '')!r})\n"
                      f"urllib.request.urlopen({probe.get('url', '')!r}, timeout=3)\n")
    if kind == "sai":
        for index, cell in enumerate(nb.cells):
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = 'print("Đạt")'
                del nb.cells[index + 1]
                break
    with warnings.catch_warnings():  # released notebooks predate cell ids; nbformat warns
        warnings.simplefilter("ignore")
        nbformat.write(nb, path)


def new_course(course: Path, assignments: list[str] | None = None) -> Path:
    """A course folder as a trainer starts one: the repository's nbgrader config, answer key
    and the source of ``assignments`` (all of them by default)."""
    root = Path(__file__).resolve().parents[1] / "exercises"
    course.mkdir(parents=True)
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copy(root / "dap-an.json", course)
    for name in assignments or sorted(p.name for p in (root / "source").iterdir() if p.is_dir()):
        shutil.copytree(root / "source" / name, course / "source" / name)
    return course


def build(course_dir: str | os.PathLike[str], learners: list[Learner],
          assignments: list[str], *, probe_url: str = "http://127.0.0.1:9/",
          jobs: int = 1) -> dict[str, Path]:
    """Import the roster, generate and release the assignments, let every learner fetch, work
    and submit (``jobs`` learners at a time), collect. Returns the paths escaping code would
    aim at."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course = Path(course_dir)
    import_roster(write_roster(learners, course / "danh-sach.csv"), course)
    grading.generate(course, assignments)
    grading.release(course, assignments)
    homes = course.parent / f"{course.name}-hoc-vien"
    victim = learners[0]
    probe = {"gradebook": str(course / "gradebook.db"),
             "other": str(course / "submitted" / victim.id / assignments[0]
                          / f"{assignments[0]}.ipynb"),
             "url": probe_url}
    model = next((x for x in learners if x.profile == "dung-het"), None)
    work = [(course, homes, learner, assignments, model, probe) for learner in learners]
    first = [w for w in work if w[2] is model]  # copiers copy the model's finished work
    for item in first:
        _learner_work(item)
    rest = [w for w in work if w[2] is not model]
    if jobs > 1 and len(rest) > 1:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
            list(pool.map(_learner_work, rest))
    else:
        for item in rest:
            _learner_work(item)
    grading.collect(course, assignments)
    return {"gradebook": Path(probe["gradebook"]), "other": Path(probe["other"]), "homes": homes}


def _learner_work(item) -> None:
    """One learner fetches, does and submits every assignment."""
    course, homes, learner, assignments, model, probe = item
    home = homes / learner.id
    home.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        _exchange_step("fetch", course, home, learner.id, assignment)
        copy_from = homes / model.id / assignment if model is not None else None
        do_assignment(home / assignment, learner, copy_from=copy_from, probe=probe)
        _exchange_step("submit", course, home, learner.id, assignment)
