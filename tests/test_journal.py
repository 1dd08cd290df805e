"""The journal: replay rebuilds state, tampering is caught, crashes and concurrency lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from congdanso.cli import main as cli_main
from congdanso.world import DomainError, JournalError, World
from congdanso.world.core.check import check_journal
from congdanso.world.core.journal import FileJournal, encode
from congdanso.world.scenarios import activate_vneid, portal_login_with_vneid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _full_flow(world: World) -> str:
    person = world.population.practice_residents()[0]
    session = portal_login_with_vneid(world, activate_vneid(world, person))
    guest = world.population.people[40].id_number
    dossier = world.portal.submit_dossier(session.token, "CT-TBLT", {
        "guest_id_number": guest, "stay_from": "02/03/2026", "stay_to": "05/03/2026"})
    world.advance(days=1)
    world.portal.download_result(session.token, dossier.code)
    return dossier.code


def _state(world: World) -> dict:
    """Everything observable about a world, to compare an original with its replay."""
    return {
        "now": world.now.isoformat(),
        "vneid": {k: a.record() for k, a in world.vneid.accounts.items()},
        "portal": {k: a.record() for k, a in world.portal.accounts.items()},
        "dossiers": {k: (d.record(), d.history) for k, d in world.portal.dossiers.items()},
        "inboxes": {p: [m.record() for m in world.inboxes[p].messages]
                    for p in sorted(world.inboxes._by_phone) if world.inboxes[p].messages},
    }


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "nhat-ky.jsonl"


def test_reopening_replays_to_the_same_state(journal_path):
    world = World.open(journal_path, pace="manual")
    code = _full_flow(world)
    again = World.open(journal_path, pace="manual")
    assert _state(again) == _state(world)
    assert again.portal.dossiers[code].status == "da_tra_ket_qua"
    assert again.journal.seq == world.journal.seq == 15


def test_rerunning_never_erases_and_start_over_is_an_event(journal_path):
    world = World.open(journal_path, pace="manual")
    _full_flow(world)
    size = journal_path.stat().st_size
    fresh = {n: a.record() for n, a in World().vneid.accounts.items()}  # made with the cards
    world.start_over()
    assert {n: a.record() for n, a in world.vneid.accounts.items()} == fresh
    assert world.portal.dossiers == {}
    assert journal_path.stat().st_size > size
    reopened = World.open(journal_path, pace="manual")
    assert {n: a.record() for n, a in reopened.vneid.accounts.items()} == fresh
    assert json.loads(journal_path.read_text().splitlines()[-1])["e"]["action"] == \
        "world.start_over"


def test_failed_actions_are_journaled_and_replayed(journal_path):
    world = World.open(journal_path, pace="manual")
    with pytest.raises(DomainError):
        world.vneid.register("123", "0900000000")
    last = json.loads(journal_path.read_text().splitlines()[-1])["e"]
    assert last["ok"] is False and last["error"]["field"] == "id_number"
    assert check_journal(journal_path).ok


def test_the_journal_seed_wins(journal_path):
    World.open(journal_path, seed=5, pace="manual")
    again = World.open(journal_path, seed=9, pace="manual")
    assert again.seed == 5 and "hạt giống 5" in again.warnings[0]


def _append_many(path: str, worker: int, count: int) -> None:
    world = World.open(path, pace="manual")
    for i in range(count):
        world.advance(minutes=worker * 100 + i)


def test_two_kernels_appending_at_once(journal_path):
    World.open(journal_path, pace="manual")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(journal_path), w, 25)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    report = check_journal(journal_path)
    assert report.ok, report.problem
    assert len(report.events) == 51


def test_each_kernel_sees_the_others_work(journal_path):
    first = World.open(journal_path, pace="manual")
    second = World.open(journal_path, pace="manual")
    person = first.population.practice_residents()[0]
    first.police.enroll_level2(person.id_number, person.phone)
    second.vneid.activate(person.id_number, person.phone)  # second kernel catches up first
    assert person.id_number in second.vneid.accounts
    assert check_journal(journal_path).ok


def test_interrupted_write_is_reported_and_kept(journal_path):
    world = World.open(journal_path, pace="manual")
    world.advance(minutes=5)
    complete = journal_path.read_bytes()
    _, line = encode({"seq": 3, "prev": "x", "action": "world.advance"})
    journal_path.write_bytes(complete + line[: len(line) // 2])  # the power went out here
    report = check_journal(journal_path)
    assert report.ok and len(report.events) == 2
    assert any("ghi dở" in w for w in report.warnings)
    reopened = World.open(journal_path, pace="manual")
    assert any("ghi dở" in w for w in reopened.warnings)
    reopened.advance(minutes=1)  # the next write sets the torn bytes aside, never deletes them
    torn = journal_path.with_name("nhat-ky.jsonl.torn").read_bytes()
    assert torn.startswith(line[: len(line) // 2])
    assert check_journal(journal_path).ok and World.open(journal_path).journal.seq == 3


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _tamper_cases():
    def modify(lines):
        lines[3] = lines[3].replace(b'"minutes":3', b'"minutes":30')
        return lines

    def remove(lines):
        del lines[2]
        return lines

    def reorder(lines):
        lines[2], lines[3] = lines[3], lines[2]
        return lines

    def insert(lines):
        lines.insert(2, lines[4])
        return lines

    def remove_last(lines):
        return lines[:-1]

    def rehash_forged(lines):
        """Rewrite an outcome and recompute every hash: only replay can catch this."""
        from congdanso.world.core.journal import GENESIS

        out, prev = [], GENESIS
        for raw in lines:
            body = json.loads(raw)["e"]
            body["prev"] = prev
            if body["action"] == "world.advance" and body["args"]["minutes"] == 3:
                body["result"] = "2030-01-01T00:00:00"
            prev, line = encode(body)
            out.append(line)
        return out

    return {"modified": modify, "removed": remove, "reordered": reorder, "inserted": insert,
            "removed-at-end": remove_last, "forged-and-rehashed": rehash_forged}


@pytest.mark.parametrize("case", list(_tamper_cases()))
def test_tampering_is_caught(journal_path, case, capsys):
    world = World.open(journal_path, pace="manual")
    for minutes in range(1, 6):
        world.advance(minutes=minutes)
    head_before = journal_path.with_name("nhat-ky.jsonl.head").read_text()
    lines = _tamper_cases()[case](_lines(journal_path))
    journal_path.write_bytes(b"".join(lines))
    if case == "forged-and-rehashed":  # a careful forger also rewrites the head
        last = json.loads(lines[-1])
        journal_path.with_name("nhat-ky.jsonl.head").write_text(
            json.dumps({"seq": last["e"]["seq"], "hash": last["h"]}))
    else:
        assert journal_path.with_name("nhat-ky.jsonl.head").read_text() == head_before
    report = check_journal(journal_path)
    assert not report.ok and report.problem
    assert cli_main(["journal", "check", str(journal_path)]) == 1
    assert "KHÔNG TIN CẬY" in capsys.readouterr().err
    if case != "removed-at-end":
        with pytest.raises(JournalError, match="Tệp vẫn được giữ nguyên"):
            World.open(journal_path, pace="manual")
        assert journal_path.read_bytes() == b"".join(lines)  # nothing the learner had is lost


def test_check_prints_what_the_learner_did(journal_path, capsys):
    world = World.open(journal_path, pace="manual")
    _full_flow(world)
    assert cli_main(["journal", "check", str(journal_path)]) == 0
    out = capsys.readouterr().out
    assert "Đăng ký tài khoản VNeID mức 2 tại công an phường" in out
    assert "Vào Cổng DVC bằng VNeID (tài khoản mới được tạo): thành công" in out
    assert "Nộp hồ sơ trực tuyến" in out and "toàn vẹn" in out
    assert "TapHuan@2026" not in out  # passwords never printed
    assert cli_main(["journal", "check", str(journal_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["actions"][0]["action"] == "world.created"
    assert all("TapHuan@2026" not in json.dumps(a["args"]) for a in data["actions"])
    assert any(a["args"].get("password") == "•••" for a in data["actions"])


def test_check_of_a_missing_or_foreign_file(tmp_path, capsys):
    assert cli_main(["journal", "check", str(tmp_path / "khong-co.jsonl")]) == 2
    notes = tmp_path / "ghi-chu.jsonl"
    notes.write_text('{"ho_ten": "Nguyễn Văn A"}\n', encoding="utf-8")
    assert cli_main(["journal", "check", str(notes)]) == 1
    assert "không đúng định dạng" in capsys.readouterr().err


def test_cli_entry_point():
    result = subprocess.run([sys.executable, "-m", "congdanso", "--help"], capture_output=True,
                            text=True, check=True)
    assert "journal" in result.stdout and "Công Dân Số" in result.stdout
    version = subprocess.run([sys.executable, "-m", "congdanso", "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.strip().startswith("congdanso 0.")


def test_file_journal_refuses_unlocked_appends(journal_path):
    with pytest.raises(RuntimeError):
        FileJournal(journal_path).append({"action": "x"})


# -- property: replaying any journal rebuilds the same state -------------------------------
_PEOPLE = World().population.practice_residents()[:3]
_ANY_TEXT = st.text(alphabet="0123456789abcAB@ ", max_size=14)
_step = st.one_of(
    st.tuples(st.just("register"), st.sampled_from(_PEOPLE)),
    st.tuples(st.just("enroll"), st.sampled_from(_PEOPLE)),
    st.tuples(st.just("activate"), st.sampled_from(_PEOPLE)),
    st.tuples(st.just("otp"), st.sampled_from(_PEOPLE), st.booleans()),
    st.tuples(st.just("password"), st.sampled_from(_PEOPLE), _ANY_TEXT),
    st.tuples(st.just("advance"), st.integers(0, 600)),
    st.tuples(st.just("login_qr"), st.sampled_from(_PEOPLE)),
    st.tuples(st.just("start_over")),
)


def _run_step(world: World, step: tuple) -> None:
    kind, *rest = step
    try:
        if kind == "register":
            world.vneid.register(rest[0].id_number, rest[0].phone)
        elif kind == "enroll":
            world.police.enroll_level2(rest[0].id_number, rest[0].phone)
        elif kind == "activate":
            world.vneid.activate(rest[0].id_number, rest[0].phone)
        elif kind == "otp":
            code = world.inbox(rest[0].phone).latest_otp() or "000000"
            world.vneid.verify_otp(rest[0].id_number, code if rest[1] else "999999")
        elif kind == "password":
            world.vneid.set_password(rest[0].id_number, rest[1], rest[1])
        elif kind == "advance":
            world.advance(minutes=rest[0])
        elif kind == "login_qr":
            activate_vneid(world, rest[0])
        elif kind == "start_over":
            world.start_over()
    except DomainError:
        pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_step, max_size=25))
def test_replaying_any_journal_rebuilds_the_same_state(steps):
    world = World()
    for step in steps:
        _run_step(world, step)
    replayed = World.from_journal_bytes(world.journal.data())
    assert _state(replayed) == _state(world)


def test_rerunning_a_lesson_cell_resumes_instead_of_failing(journal_path):
    """A learner re-runs the cell that activates VNeID: it logs in again, nothing breaks."""
    world = World.open(journal_path, pace="manual")
    person = world.population.practice_residents()[0]
    first = activate_vneid(world, person)
    again = World.open(journal_path, pace="manual")
    second = activate_vneid(again, person)
    assert second.id_number == first.id_number and second.token != first.token
    assert check_journal(journal_path).ok


def test_an_empty_or_missing_head_is_a_warning_not_tampering(journal_path):
    world = World.open(journal_path, pace="manual")
    for minutes in range(1, 4):
        world.advance(minutes=minutes)
    head = journal_path.with_name("nhat-ky.jsonl.head")
    head.write_text("")
    report = check_journal(journal_path)
    assert report.ok and len(report.events) == 4 and "rỗng" in " ".join(report.warnings)
    head.unlink()
    report = check_journal(journal_path)
    assert report.ok and "Không có tệp .head" in " ".join(report.warnings)


APPENDER = """
import sys
from congdanso.world import World
world = World.open(sys.argv[1], pace="manual")
print("san-sang", flush=True)
while True:
    world.advance(minutes=1)
"""


def test_a_kernel_killed_while_writing_never_makes_an_honest_journal_look_tampered(tmp_path):
    """kill -9 at random moments of a busy writer: the journal always checks out (a torn last
    line or a lagging head at most), the head is never left empty."""
    import random
    import signal
    import time

    rng = random.Random(13)
    for round_ in range(6):
        path = tmp_path / f"lan-{round_}" / "nhat-ky.jsonl"
        path.parent.mkdir()
        writer = subprocess.Popen([sys.executable, "-c", APPENDER, str(path)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "san-sang"
        time.sleep(rng.uniform(0.05, 0.4))
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        head = path.with_name("nhat-ky.jsonl.head")
        assert head.read_text().strip(), "an empty head after a kill"
        report = check_journal(path)
        assert report.ok, report.problem
        assert len(report.events) > 1


def test_a_refusal_reworded_in_a_later_version_still_replays(journal_path):
    """Messages are presentation: a journal made when a refusal was worded differently (an
    older version of the course) is the same work; its code and field must still match."""
    from congdanso.world.core.journal import GENESIS

    world = World.open(journal_path, pace="manual")
    with pytest.raises(DomainError):
        world.vneid.register("07419000001", "0912345678")  # 11 digits: refused
    lines, out, prev = _lines(journal_path), [], GENESIS
    for raw in lines:
        body = json.loads(raw)["e"]
        body["prev"] = prev
        if body.get("error"):
            body["error"]["message"] = "Cách nói cũ của lời từ chối này."
        prev, line = encode(body)
        out.append(line)
    journal_path.write_bytes(b"".join(out))
    journal_path.with_name("nhat-ky.jsonl.head").unlink()
    report = check_journal(journal_path)
    assert report.ok, report.problem
    forged = json.loads(out[-1])["e"]
    forged["error"]["code"] = "khac"  # but another kind of refusal is not the same work
    _, line = encode(forged)
    journal_path.write_bytes(b"".join(out[:-1]) + line)
    assert not check_journal(journal_path).ok


def test_every_action_says_in_vietnamese_what_it_did():
    """`congdanso journal check` tells a trainer what the learner did: every action has a title."""
    from congdanso.world.core.actions import REGISTRY
    from congdanso.world.core.describe import TITLES

    World()  # every service registers its actions
    assert set(REGISTRY) <= set(TITLES), sorted(set(REGISTRY) - set(TITLES))
