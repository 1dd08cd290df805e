"""Hostile submissions and a hurried trainer: the exchange, grading, feedback and the trainer's
files hold against links, strangers, oversized folders, killed runs and formulas.

The cases of the hostile-input issue; the sandbox's own cases (root-only files, processes,
memory of children together, /tmp and folder sizes, endless loops, crashes, output floods) are
in test_grading_sandbox.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "an-toan-lua-dao"
LEARNERS = ["hv-a", "hv-b", "hv-c", "hv-d", "hv-e", "hv-f"]

pytestmark = pytest.mark.nbgrader


def _roster(path: Path, ids: list[str]) -> Path:
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em",
             "Đỗ Thị Gấm"]
    lines = ["Mã học viên,Họ và tên,Phường,Khu phố,Vai trò"]
    lines += [f"{i},{n},Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên"
              for i, n in zip(ids, names, strict=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stamp(hour: int) -> str:
    return f"2026-03-02 {hour:02d}:00:00.000000 UTC"


def _submit(course: Path, student: str, hour: int, extra: dict[str, bytes] | None = None,
            name: str | None = None) -> Path:
    """A learner's submission as nbgrader's ``submit`` leaves it in the inbound folder."""
    inbound = course / "exchange" / "congdanso" / "inbound"
    folder = inbound / (name or f"{student}+{ASSIGNMENT}+{_stamp(hour)}+r{hour}")
    folder.mkdir(parents=True)
    shutil.copy(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
    (folder / "timestamp.txt").write_text(_stamp(hour), encoding="utf-8")
    (folder / "submission_secret.txt").write_text(f"bi-mat-{student}-{hour}", encoding="utf-8")
    for file, data in (extra or {}).items():
        (folder / file).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course = tmp_path_factory.mktemp("khoa")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write("\nc.CourseDirectory.max_dir_size = 2000  # KB, for the oversized case\n")
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    import_roster(_roster(course / "ds.csv", LEARNERS), course)
    grading.generate(course)
    grading.release(course)
    return course


@pytest.fixture(scope="module")
def collected(course, tmp_path_factory) -> dict:
    from congdanso.cohort import grading

    host = tmp_path_factory.mktemp("may-chu") / "bi-mat.txt"
    host.write_text("tệp riêng của máy", encoding="utf-8")
    host.chmod(0o600)
    a = _submit(course, "hv-a", 8)
    (a / "so-diem.db").symlink_to(course / "gradebook.db")
    (a / "nguon").symlink_to(course / "source" / ASSIGNMENT)
    (a / "may-chu.txt").symlink_to(host)
    os.mkfifo(a / "ong")
    _submit(course, "hv-b", 8)
    _submit(course, "hv-b", 9, {"lan-2.txt": b"lan 2"})
    _submit(course, "hv-la", 8)  # not in the roster
    _submit(course, "hv-c", 8, {"video.mp4": os.urandom(3_000_000)})  # over 2000 KB
    _submit(course, "hv-f", 8, {"that.txt": b"bai that"})  # genuine, then a newer one refused
    _submit(course, "hv-f", 9, {"video.mp4": os.urandom(3_000_000)})
    if os.geteuid() == 0:  # dated 2099, with a file a classmate's account put in it
        planted = _submit(course, "hv-f", 10,
                          name=f"hv-f+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+x")
        os.chown(planted / f"{ASSIGNMENT}.ipynb", 4242, 4242)
    _submit(course, "hv-a", 8, name=f"hv-a+{ASSIGNMENT}+khong-phai-ngay+x")
    elsewhere = tmp_path_factory.mktemp("noi-khac")
    (course / "exchange/congdanso/inbound" / f"hv-e+{ASSIGNMENT}+{_stamp(8)}+r").symlink_to(
        elsewhere)
    if os.geteuid() == 0:  # a classmate's account made this folder under hv-d's id
        d = _submit(course, "hv-d", 8)
        for path in (d, *d.iterdir()):
            os.chown(path, 4242, 4242)
    result = grading.collect(course)
    return {"result": result, "host": host, "notes": [str(n) for n in result.notes]}


def _note(collected: dict, student: str, words: str) -> str:
    found = [n for n in collected["notes"] if n.startswith(student + " ") and words in n]
    assert found, collected["notes"]
    return found[0]


def test_collect_takes_regular_files_only(course, collected):
    mine = course / "submitted" / "hv-a" / ASSIGNMENT
    assert sorted(p.name for p in mine.iterdir()) == [f"{ASSIGNMENT}.ipynb",
                                                      "submission_secret.txt", "timestamp.txt"]
    note = _note(collected, "hv-a", "không lấy")
    for name in ("so-diem.db", "nguon", "may-chu.txt", "ong"):
        assert name in note
    assert "symlink" in note and "không phải tệp thường" in note


def test_collect_checks_identity_and_goes_on_past_bad_folders(course, collected):
    submitted = course / "submitted"
    assert not (submitted / "hv-la").exists()
    _note(collected, "hv-la", "không có trong danh sách lớp")
    assert not (submitted / "hv-c").exists()
    _note(collected, "hv-c", "quá lớn")
    _note(collected, "hv-a", "tên sai dạng")
    assert not (submitted / "hv-e").exists()
    _note(collected, "hv-e", "liên kết")
    assert (submitted / "hv-b" / ASSIGNMENT / "lan-2.txt").exists()  # the latest of two
    _note(collected, "hv-b", "đã nộp 2 lần")
    if os.geteuid() == 0:
        assert not (submitted / "hv-d").exists()  # left out before the latest was chosen
        _note(collected, "hv-d", "mang tên học viên này nhưng do uid 4242 tạo")
    # a newer hand-in refused does not hide the learner's genuine earlier one
    assert (submitted / "hv-f" / ASSIGNMENT / "that.txt").exists()
    _note(collected, "hv-f", "thu lần nộp trước đó, lúc 08:00:00")
    assert collected["result"].counts == {ASSIGNMENT: 3}


def test_a_replaced_submission_is_kept_and_reported(course, collected):
    from congdanso.cohort import grading

    _submit(course, "hv-b", 10, {"lan-3.txt": b"lan 3"})
    again = grading.collect(course)
    mine = course / "submitted" / "hv-b" / ASSIGNMENT
    assert (mine / "lan-3.txt").exists() and not (mine / "lan-2.txt").exists()
    [kept] = (course / "submitted-cu" / "hv-b" / ASSIGNMENT).iterdir()
    assert (kept / "lan-2.txt").read_bytes() == b"lan 2"
    assert any("nộp lại" in str(n) and str(kept.relative_to(course)) in str(n)
               for n in again.notes)


def test_grading_and_feedback_never_act_through_links(course, collected):
    from congdanso.cohort import grading

    host = collected["host"]
    mine = course / "submitted" / "hv-a" / ASSIGNMENT
    (mine / "quyen.txt").symlink_to(host)  # put there after collect (by hand, or an old tool)
    (mine / "nguon.ipynb").symlink_to(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    feedback = course / "feedback" / "hv-a" / ASSIGNMENT
    feedback.mkdir(parents=True)
    (feedback / f"{ASSIGNMENT}.html").symlink_to(course / "gradebook.db")
    results = {r.student: r for r in grading.autograde(course, jobs=1)}
    assert any("tệp bị từ chối" in f and "quyen.txt" in f for f in results["hv-a"].flags)
    assert oct(host.stat().st_mode & 0o777) == "0o600"  # autograde's chmod never reached it
    graded = course / "autograded" / "hv-a" / ASSIGNMENT
    assert not any(p.is_symlink() for p in graded.rglob("*"))
    grading.feedback(course)
    published = list((course / "exchange/congdanso/feedback").iterdir())
    assert published and all(p.is_file() and not p.is_symlink() for p in published)
    for page in published:
        assert not page.read_bytes().startswith(b"SQLite format")
        text = page.read_text(encoding="utf-8")
        assert '<html lang="vi">' in text and "Phản hồi bài" in text and "Điểm:" in text
    with sqlite3.connect(course / "gradebook.db") as db:  # intact, and never published
        assert db.execute("select count(*) from student").fetchone()[0] == len(LEARNERS)
    assert host.read_text(encoding="utf-8") == "tệp riêng của máy"


# -- a killed grading run ----------------------------------------------------------------------
KERNEL_SOURCE = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "lam", "outputs": [],
         "metadata": {"nbgrader": {"grade": False, "grade_id": "lam", "locked": False,
                                   "schema_version": 3, "solution": True, "task": False}},
         "source": "import time\ntime.sleep(600)  # the learner's endless work"},
        {"cell_type": "code", "execution_count": None, "id": "kiem", "outputs": [],
         "metadata": {"nbgrader": {"grade": True, "grade_id": "kiem", "locked": True,
                                   "points": 1, "schema_version": 3, "solution": False,
                                   "task": False}},
         "source": "assert True"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5}


def _family(pid: int) -> list:
    """The processes a command started (workers, sandboxes, kernels), still running."""
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _running(processes: list) -> list:
    import psutil

    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_kill_9_of_autograde_leaves_nothing_running_and_the_next_run_cleans_up(tmp_path):
    import psutil
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster
    from congdanso.grading.sandbox import SCRATCH_PREFIX, Cgroup

    course = tmp_path / "khoa-code"
    (course / "source" / "bai").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    (course / "source" / "bai" / "bai.ipynb").write_text(json.dumps(KERNEL_SOURCE), "utf-8")
    import_roster(_roster(tmp_path / "ds.csv", ["hv-a", "hv-b"]), course)
    grading.generate(course)
    grading.release(course)
    for learner in ("hv-a", "hv-b"):
        shutil.copytree(course / "release" / "bai", course / "submitted" / learner / "bai")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.Popen([sys.executable, "-m", "congdanso", "autograde", "--course",
                            str(course), "--jobs", "2", "--timeout", "300"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def sandboxes() -> list:
        """Kernels running inside a sandbox: by then bubblewrap has armed --die-with-parent
        (a bwrap process alone may still be starting, and one killed in that instant has no
        parent death signal yet: what the next run's clean-up is for)."""
        found = []
        for process in _running(_family(run.pid)):
            try:  # a short-lived helper may exit between listing and reading
                if "ipykernel" in " ".join(process.cmdline()) and any(
                        parent.name() == "bwrap" for parent in process.parents()):
                    found.append(process)
            except psutil.Error:
                pass
        return found

    deadline = time.time() + 120
    while time.time() < deadline and len(sandboxes()) < 2:  # both kernels are running
        time.sleep(0.5)
    assert len(sandboxes()) >= 2, "the two sandboxed kernels never started"
    family = _family(run.pid)
    workers = {str(p.pid) for p in family}
    scratch = [p for p in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*")
               if p.name.split("-")[2] in workers | {str(run.pid)}]
    assert scratch
    os.kill(run.pid, signal.SIGKILL)
    run.wait(30)
    deadline = time.time() + 20
    while time.time() < deadline and _running(family):
        time.sleep(0.5)
    assert not _running(family), "workers or sandboxes outlived the killed grader"
    removed = grading.cleanup_leftovers()
    assert removed >= 1
    assert not any(p.exists() for p in scratch)
    for parent in Cgroup.parents().values():
        assert not [g for g in parent.glob(Cgroup.PREFIX + f"{run.pid}-*")]
