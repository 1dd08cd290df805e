"""The grading sandbox on its own: what a learner's kernel can and cannot do, and how grading
survives a crash, an endless loop, a huge allocation and an output flood."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from congdanso.grading import sandbox
from congdanso.grading.sandbox import SandboxedExecute, SandboxUnavailable
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parents[1]


def _run(folder: Path, cells: list[str], timeout: int = 3, sandbox_spare: bool = True,
         **kwargs):
    if not sandbox_spare:
        sandbox.discard_spare()
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    sandbox.INCIDENTS.clear()
    SandboxedExecute(timeout=timeout, **kwargs).preprocess(
        nb, {"metadata": {"path": str(folder)}})
    shown = []
    for cell in nb.cells:
        shown.append("".join(str(o.get("text", "")) + str(o.get("ename", ""))
                             + str(o.get("evalue", "")) for o in cell.outputs))
    return shown, list(sandbox.INCIDENTS)


@pytest.fixture
def folder(tmp_path):
    mine = tmp_path / "hv-a" / "bai"
    mine.mkdir(parents=True)
    other = tmp_path / "hv-b" / "bai"
    other.mkdir(parents=True)
    (other / "bai.ipynb").write_text("bài của người khác", encoding="utf-8")
    return mine


def test_kernel_sees_only_its_own_folder_and_no_network(folder):
    sandbox.discard_spare()  # a kernel started ahead would run in a folder of its own
    secret = folder.parent.parent / "hv-b" / "bai" / "bai.ipynb"
    (folder / "du-lieu.txt").write_text("của bài", encoding="utf-8")
    shown, incidents = _run(folder, [
        "import os\nprint(os.getcwd(), os.getuid())\nopen('ket-qua.txt', 'w').write('ok')\n"
        "print(open('du-lieu.txt').read(), open('ket-qua.txt').read())",
        f"print(os.path.exists({str(secret)!r}), os.path.exists({str(ROOT / 'exercises')!r}))",
        f"open({str(secret)!r}, 'w').write('xoá')",
        "import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(('1.1.1.1', 80))",
        "from congdanso import World\nprint(len(World().population))",
    ])
    # its own folder (its files copied in), an unprivileged user; it can write there, in memory
    assert shown[0] == f"{folder} 65534\ncủa bài ok\n"
    assert not (folder / "ket-qua.txt").exists()  # nothing it writes reaches the host's disk
    assert shown[1] == "False False\n"
    assert "FileNotFoundError" in shown[2]
    assert secret.read_text(encoding="utf-8") == "bài của người khác"
    assert "OSError" in shown[3] or "unreachable" in shown[3]
    assert shown[4] == "518\n"  # the course package works inside
    assert incidents == []


def test_crash_loop_memory_and_flood_are_contained(folder):
    shown, incidents = _run(folder, [
        "x = 41",
        "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
        "    except KeyboardInterrupt:\n        pass",
        "print(x + 1)",
        "import os\nos._exit(3)",
        "print('vẫn chấm tiếp', x)",
        "b = bytearray(50 * 2**30)",
        "while True:\n    print('x' * 500)",
        "print('xong')",
    ], output_kb=16)
    assert "Ô chạy quá 3 giây" in shown[1]
    assert shown[2] == "42\n"  # a new kernel, with the earlier cells run again
    assert "Kernel dừng đột ngột" in shown[3]
    assert shown[4] == "vẫn chấm tiếp 41\n"
    assert "MemoryError" in shown[5] and "quá bộ nhớ" in shown[5]
    assert "phần sau đã bị cắt" in shown[6] and len(shown[6]) < 20_000
    assert shown[7] == "xong\n"
    assert [i["kind"] for i in incidents] == ["qua-gio", "kernel-chet", "bo-nho", "dau-ra",
                                              "qua-gio"]


def test_unsandboxed_mode_runs_without_bubblewrap(folder):
    """--khong-cach-ly: the learner's code runs as the grader (for one's own work only)."""
    import os

    from traitlets.config import Config

    config = Config({"SandboxedKernelManager": {"sandboxed": False}})
    shown, _ = _run(folder, ["import os\nprint(os.getuid(), os.path.exists('/work'))"],
                    timeout=30, config=config)
    assert shown[0] == f"{os.getuid()} {Path('/work').exists()}\n"


def test_missing_bubblewrap_is_a_clear_message(monkeypatch, capsys, tmp_path):
    from congdanso.cli import main

    def unavailable():
        raise SandboxUnavailable("Không tìm thấy chương trình bwrap. " + sandbox.SANDBOX_HELP)

    course = tmp_path / "khoa"
    (course / "source" / "bai").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    (course / "source" / "bai" / "bai.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sandbox, "check_sandbox", unavailable)
    assert main(["autograde", "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "apt-get install bubblewrap" in err and "--khong-cach-ly" in err


def test_trainer_commands_explain_a_wrong_course_or_assignment(capsys, tmp_path):
    from congdanso.cli import main

    assert main(["autograde", "--course", str(tmp_path)]) == 1
    assert "không phải thư mục khoá học nbgrader" in capsys.readouterr().err
    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source", course / "source")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    assert main(["generate", "bai-khong-co", "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "Không có bài bai-khong-co" in err and "tai-khoan-dvc" in err
    assert main(["autograde", "--course", str(course)]) == 1
    assert "Chưa có bài nộp nào" in capsys.readouterr().err


def test_generate_never_ships_a_trainers_journal(tmp_path):
    """A trainer who ran the source notebook has a journal beside it; learners must not get it."""
    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source/an-toan-lua-dao", course / "source" /
                    "an-toan-lua-dao")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    (course / "source/an-toan-lua-dao/nhat-ky.jsonl").write_text("{}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "congdanso.cli", "generate", "--course",
                             str(course)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    released = sorted(p.name for p in (course / "release/an-toan-lua-dao").iterdir())
    assert released == ["an-toan-lua-dao.ipynb"]
    text = (course / "release/an-toan-lua-dao/an-toan-lua-dao.ipynb").read_text("utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and nbformat.reads(text, as_version=4).cells


def test_next_kernel_is_started_ahead_in_a_staged_copy(tmp_path):
    """While one submission runs, the next kernel starts in an empty folder of its own; the next
    submission's files are offered to it and copied in before its first cell."""
    first, second = tmp_path / "hv-a", tmp_path / "hv-b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "bai-lam.txt").write_text(folder.name, encoding="utf-8")
    code = ["import os\nprint(os.getcwd())\nprint(open('bai-lam.txt').read())\n"
            "open('ket-qua.txt', 'w').write('xong')"]
    sandbox.discard_spare()
    shown_first, _ = _run(first, code)
    assert sandbox._SPARE  # started during the first run
    shown_second, _ = _run(second, code)
    cwd, content = shown_second[0].splitlines()
    assert content == "hv-b" and cwd != str(second) and "congdanso-cham-" in cwd
    assert not (second / "ket-qua.txt").exists() and not Path(cwd).exists()
    assert shown_first[0].splitlines() == [str(first), "hv-a"]
    sandbox.discard_spare()
    assert not sandbox._SPARE


def test_release_twice_keeps_the_first_unless_forced(capsys, tmp_path):
    from congdanso.cli import main

    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source/an-toan-lua-dao",
                    course / "source" / "an-toan-lua-dao")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    assert main(["generate", "--course", str(course)]) == 0
    assert main(["release", "--course", str(course)]) == 1  # no roster yet: no scenarios
    assert "nhập danh sách lớp trước" in capsys.readouterr().err
    roster = tmp_path / "lop.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n"
                      "hv-a,Nguyễn Văn An,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n",
                      encoding="utf-8")
    assert main(["roster", "import", str(roster), "--course", str(course)]) == 0
    assert main(["release", "--course", str(course)]) == 0
    assert "Đã phát 1 bài cho học viên: an-toan-lua-dao." in capsys.readouterr().out
    released = course / "exchange" / "congdanso" / "outbound" / "an-toan-lua-dao"
    assert (released / "an-toan-lua-dao.ipynb").exists()
    (released / "cu.txt").write_text("bản cũ", encoding="utf-8")
    assert main(["release", "--course", str(course)]) == 0
    assert "Đã phát từ trước, giữ nguyên: an-toan-lua-dao" in capsys.readouterr().out
    assert (released / "cu.txt").exists()
    assert main(["release", "--force", "--course", str(course)]) == 0
    assert "Đã phát 1 bài" in capsys.readouterr().out and not (released / "cu.txt").exists()


def test_autograde_never_overwrites_a_learners_journal_with_the_trainers(tmp_path):
    """nbgrader copies every non-notebook file of source/ over the submission; a trainer who ran
    the source notebook has a journal there."""
    from congdanso.cohort import grading

    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source/an-toan-lua-dao",
                    course / "source" / "an-toan-lua-dao")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    grading.generate(course)
    from congdanso.grading.variants import course_secret

    course_secret(course)  # made by release, which this test skips
    (course / "source/an-toan-lua-dao/nhat-ky.jsonl").write_text("của giảng viên\n", "utf-8")
    mine = course / "submitted" / "hv-a" / "an-toan-lua-dao"
    mine.mkdir(parents=True)
    shutil.copy(course / "release/an-toan-lua-dao/an-toan-lua-dao.ipynb", mine)
    (mine / "nhat-ky.jsonl").write_text("của học viên\n", encoding="utf-8")
    [result] = grading.autograde(course, jobs=1)
    graded = course / "autograded" / "hv-a" / "an-toan-lua-dao" / "nhat-ky.jsonl"
    assert graded.read_text(encoding="utf-8") == "của học viên\n"
    assert result.ok and result.journal_trusted is False and result.score == 0


# -- hostile kernels: what the sandbox caps (the hostile-input issue) ---------------------------
def _limited(**limits):
    from traitlets.config import Config

    return Config({"SandboxedKernelManager": limits})


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader could leak root's rights")
def test_a_root_grader_runs_the_kernel_as_an_unprivileged_host_user(folder, tmp_path):
    secret = Path(sys.prefix) / f"chi-root-{os.getpid()}.txt"  # bound into the sandbox
    secret.write_text("của root", encoding="utf-8")
    secret.chmod(0o600)
    try:
        shown, _ = _run(folder, [
            "import os\nprint(os.getuid(), os.getgid(), os.getgroups())",
            f"open({str(secret)!r}).read()",
            "open('/etc/shadow').read()",
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')])",
        ], sandbox_spare=False)
    finally:
        secret.unlink()
    assert shown[0] == "65534 65534 []\n"
    assert "PermissionError" in shown[1] and "PermissionError" in shown[2]
    assert shown[3] == "['0000000000000000']\n"


def test_processes_are_capped_for_the_whole_submission(folder):
    shown, _ = _run(folder, [
        "import subprocess\nstarted = []\ntry:\n    for _ in range(300):\n"
        "        started.append(subprocess.Popen(['sleep', '30']))\nexcept OSError as exc:\n"
        "    print(type(exc).__name__)\nprint(len(started))"], timeout=30,
        config=_limited(processes=24))
    error, count = shown[0].split()
    assert error in ("BlockingIOError", "OSError") and int(count) < 24


def _cgroups_here() -> bool:
    group = sandbox.Cgroup(f"{os.getpid()}-sonde", memory_mb=64, processes=8)
    try:
        return group.available
    finally:
        group.remove()


@pytest.mark.skipif(not _cgroups_here(), reason="no writable cgroup on this machine")
def test_memory_is_capped_for_the_kernel_and_its_children_together(folder):
    """Each child stays under the per-process cap; together they pass the submission's cap."""
    shown, incidents = _run(folder, [
        "import subprocess, sys\n"
        "code = \"b = b'x' * (200 * 2**20); import time; time.sleep(4); print('ok')\"\n"
        "kids = [subprocess.Popen([sys.executable, '-c', code]) for _ in range(4)]\n"
        "print(sorted(k.wait() for k in kids))"], timeout=60, config=_limited(memory_mb=500))
    assert shown[0] != "[0, 0, 0, 0]\n"  # 800 MB together never ran to the end
    assert "-9" in shown[0] or any(i["kind"] == "kernel-chet" for i in incidents)


def test_tmp_and_the_working_folder_have_size_caps(folder):
    fill = ("import errno\nwritten = 0\ntry:\n    with open({path!r}, 'wb') as f:\n"
            "        for _ in range(100):\n            f.write(b'x' * 2**20)\n"
            "            f.flush()\n            written += 1\n"
            "except OSError as exc:\n    print(errno.errorcode[exc.errno], written)")
    shown, _ = _run(folder, [fill.format(path="/tmp/day.bin"), fill.format(path="day.bin")],
                    timeout=30, config=_limited(tmp_mb=16, folder_mb=24))
    tmp_error, tmp_mb = shown[0].split()
    folder_error, folder_mb = shown[1].split()
    assert tmp_error == "ENOSPC" and int(tmp_mb) <= 16
    assert folder_error == "ENOSPC" and int(folder_mb) <= 24
    assert not (folder / "day.bin").exists()


def test_links_in_a_submission_are_not_offered_to_the_kernel(folder, tmp_path):
    outside = tmp_path / "ngoai.txt"
    outside.write_text("không phải của bài", encoding="utf-8")
    (folder / "ngoai.txt").symlink_to(outside)
    (folder / "thu-muc").symlink_to(tmp_path)
    (folder / "cua-bai.txt").write_text("của bài", encoding="utf-8")
    shown, incidents = _run(folder, [
        "import os\nprint(sorted(os.listdir('.')))"])
    assert shown[0] == "['cua-bai.txt']\n"
    [note] = [i for i in incidents if i["kind"] == "tep-bai"]
    assert "ngoai.txt" in note["message"] and "thu-muc" in note["message"]
