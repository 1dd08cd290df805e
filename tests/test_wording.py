"""Words of 2026 that a review found wrong once: the learner-facing text keeps them right."""

from __future__ import annotations

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "widgets" / "congdanso"


def _learner_texts() -> dict[str, str]:
    """Lesson prose (code cells left out), the exercise catalogue, self-checks, the apps' and
    the world's own modules (their strings are what the phone shows)."""
    texts = {}
    for source in sorted((ROOT / "course" / "src").glob("*.md")):
        prose = re.sub(r"```\{code-cell\}.*?```", "", source.read_text(encoding="utf-8"),
                       flags=re.S)
        texts[source.name] = prose
    catalogue = json.loads((PACKAGE / "grading" / "data" / "bai-tap.json").read_text("utf-8"))
    texts["bai-tap.json"] = json.dumps(catalogue, ensure_ascii=False)
    for folder in ("ui", "world", "course", "learner", "demos"):
        for module in sorted((PACKAGE / folder).rglob("*.py")):
            texts[str(module.relative_to(PACKAGE))] = module.read_text(encoding="utf-8")
    return texts


def test_no_jargon_in_what_learners_read():
    for name, text in _learner_texts().items():
        if name.endswith(".py"):
            continue  # module docstrings may name the standards; the prose below may not
        for jargon in ("PAdES", "CSDL", "nhat-ky.jsonl", "pandas"):
            assert jargon not in text, (name, jargon)


def test_one_spelling_and_the_legal_terms():
    for name, text in _learner_texts().items():
        if name == "world/society/people.py":
            continue  # given names keep their own spelling (Thủy)
        assert not re.search(r"[Ủủ]y", text), (name, "uỷ is written one way: Uỷ/uỷ")
        # the legal "căn cước điện tử" is in VNeID; a "thẻ căn cước điện tử" does not exist
        assert "thẻ căn cước điện tử" not in text, name
        assert "CSDL dân cư" not in text, name
        assert "Bộ phận một cửa" not in text and "Bộ phận Một cửa" not in text, name
        assert "chĩa" not in text.casefold(), name  # a camera is held towards a code
        if name.startswith("ui/") or name.endswith((".md", ".json")):
            assert "dd/mm/yyyy" not in text, name  # a date is asked as ngày/tháng/năm


def test_seed_figures_are_history():
    """Seed statistics (2023–24) give the year and the old unit, never the present tense."""
    lesson = (ROOT / "course" / "src" / "01-vai-tro-tinh-nguyen-vien.md").read_text("utf-8")
    prose = " ".join(lesson.split())
    assert "56/56" in prose and "năm 2024" in prose and "TP. Thuận An (cũ)" in prose
    assert "Thuận An định nhân rộng" not in lesson
