"""The competency framework (exercises/competencies.json): what a trainer certifies.

Loaded and checked here so a typo in the data file is a clear message, not a wrong report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FRAMEWORK = Path(__file__).resolve().parents[3] / "exercises" / "competencies.json"
DIGCOMP = {f"{a}.{b}" for a, n in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4)) for b in range(1, n + 1)}


@dataclass(frozen=True)
class Competency:
    id: str
    group: str
    name: str
    description: str
    digcomp: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    mastery: float
    groups: dict[str, str]
    competencies: dict[str, Competency]

    def mastered(self, fraction: float) -> bool:
        return fraction >= self.mastery - 1e-9


class FrameworkError(ValueError):
    pass


def load_framework(path: Path = FRAMEWORK) -> Framework:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FrameworkError(f"Không đọc được khung năng lực {path.name}: {exc}") from None
    mastery = data.get("mastery")
    if not isinstance(mastery, int | float) or not 0 < mastery <= 1:
        raise FrameworkError("\"mastery\" phải là tỷ lệ trong khoảng (0, 1], ví dụ 0.85.")
    groups = {g["id"]: g["name"] for g in data.get("groups", [])}
    competencies: dict[str, Competency] = {}
    for item in data.get("competencies", []):
        cid = item.get("id", "")
        if cid in competencies:
            raise FrameworkError(f"Năng lực {cid} khai báo hai lần.")
        if item.get("group") not in groups:
            raise FrameworkError(f"Năng lực {cid} thuộc nhóm không có: {item.get('group')!r}.")
        unknown = set(item.get("digcomp", [])) - DIGCOMP
        if unknown or not item.get("digcomp"):
            raise FrameworkError(f"Năng lực {cid}: mã DigComp 2.2 không hợp lệ {sorted(unknown)}.")
        competencies[cid] = Competency(cid, item["group"], item["name"], item["description"],
                                       tuple(item["digcomp"]))
    empty = set(groups) - {c.group for c in competencies.values()}
    if empty:
        raise FrameworkError(f"Nhóm chưa có năng lực nào: {sorted(empty)}.")
    return Framework(float(mastery), groups, competencies)
