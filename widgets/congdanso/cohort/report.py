"""The competency report: who can really help residents, per learner, khu phố and role.

Scores come from the nbgrader gradebook; each grade cell's competencies come from its metadata in
``exercises/source`` (``{"congdanso": {"competencies": ["TK2"]}}``); ward, khu phố and role from
``roster.csv``. A learner masters a competency with ≥ 85 % of its points (the framework's rule) and is
ready to certify when every competency assessed so far is mastered.
Outputs: CSV (the matrix), XLSX (one sheet per view) and one self-contained HTML page with charts.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from congdanso.cohort.sheets import protect_workbook, restore_frame, write_csv
from congdanso.grading.competencies import Framework, load_framework


def cell_competencies(source_dir: Path) -> pd.DataFrame:
    """(assignment, notebook, grade_id) → competency, one row per tag."""
    rows = []
    for path in sorted(source_dir.glob("*/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            meta = cell.get("metadata", {})
            grading = meta.get("nbgrader", {})
            if not grading.get("grade"):
                continue
            for competency in meta.get("congdanso", {}).get("competencies", []):
                rows.append({"assignment": path.parent.name, "notebook": path.stem,
                             "cell": grading["grade_id"], "competency": competency})
    return pd.DataFrame(rows, columns=["assignment", "notebook", "cell", "competency"])


def gradebook_scores(db_url: str) -> pd.DataFrame:
    """Every graded cell of every submission: learner, assignment, cell, score, max."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    query = """
        SELECT s.student_id AS learner, a.name AS assignment, n.name AS notebook,
               bc.name AS cell, COALESCE(g.manual_score, g.auto_score, 0) AS score,
               gc.max_score AS max_score
        FROM grade g
        JOIN grade_cells gc ON g.cell_id = gc.id
        JOIN base_cell bc ON bc.id = gc.id
        JOIN submitted_notebook sn ON g.notebook_id = sn.id
        JOIN notebook n ON sn.notebook_id = n.id
        JOIN submitted_assignment s ON sn.assignment_id = s.id
        JOIN assignment a ON s.assignment_id = a.id
    """
    with engine.connect() as connection:
        return pd.read_sql(sa.text(query), connection)


@dataclass
class CompetencyReport:
    framework: Framework
    matrix: pd.DataFrame  # learner × competency: fraction of points (NaN = not assessed)
    mastered: pd.DataFrame  # learner × competency: True / False / NaN
    learners: pd.DataFrame  # id, name, ward, khu_pho, role, ready, to_practise
    by_khu_pho: pd.DataFrame  # indexed by "khu phố, phường"
    by_role: pd.DataFrame
    review: pd.DataFrame | None = None  # submissions the grader flagged (cham-bai/*.csv)
    course: Path | None = None  # the course folder the report was read from

    @property
    def ready(self) -> list[str]:
        return sorted(self.learners.loc[self.learners["ready"], "id"])


def build_report(scores: pd.DataFrame, tags: pd.DataFrame, roster: pd.DataFrame,
                 framework: Framework | None = None) -> CompetencyReport:
    framework = framework or load_framework()
    tagged = scores.merge(tags, on=["assignment", "notebook", "cell"], how="inner")
    points = tagged.groupby(["learner", "competency"])[["score", "max_score"]].sum()
    fraction = (points["score"] / points["max_score"]).unstack("competency")
    order = [c for c in framework.competencies if c in fraction.columns]
    matrix = fraction.reindex(columns=order)
    roster = roster.set_index("id")
    everyone = roster.index.union(matrix.index)
    matrix = matrix.reindex(everyone)
    mastered = matrix.apply(lambda col: col.map(
        lambda v: None if pd.isna(v) else framework.mastered(v)))
    assessed = matrix.notna()
    all_ok = (mastered.fillna(False).astype(bool) | ~assessed).all(axis=1) & assessed.any(axis=1)
    names = {cid: framework.competencies[cid].name for cid in order}
    to_practise = mastered.apply(lambda row: ", ".join(
        names[c] for c, v in row.items() if v is not None and not pd.isna(v) and not bool(v)),
        axis=1)
    learners = roster.reindex(everyone).reset_index().rename(columns={"index": "id"})
    learners["ready"] = all_ok.reindex(everyone).fillna(False).to_numpy()
    learners["to_practise"] = to_practise.reindex(everyone).to_numpy()
    long = mastered.reset_index().melt(id_vars="index", var_name="competency",
                                       value_name="mastered").rename(columns={"index": "id"})
    # "Khu phố 3" exists in many wards: a khu phố is only known with its ward.
    place = (learners["khu_pho"].fillna("").astype(str) + ", "
             + learners["ward"].fillna("").astype(str)).str.strip(", ")
    grouping = pd.DataFrame({"id": learners["id"], "khu_pho": place, "role": learners["role"],
                             "ready": learners["ready"]})
    long = long.dropna(subset=["mastered"]).merge(grouping[["id", "khu_pho", "role"]], on="id")
    long["mastered"] = long["mastered"].astype(bool)

    def summary(key: str) -> pd.DataFrame:
        table = long.pivot_table(index=key, columns="competency", values="mastered",
                                 aggfunc="mean").reindex(columns=order) * 100
        counts = grouping.groupby(key).agg(learners=("id", "count"), ready=("ready", "sum"))
        return counts.join(table.round(0)).fillna(0)

    return CompetencyReport(framework, matrix, mastered, learners, summary("khu_pho"),
                            summary("role"))


def load_report(course_dir: str | Path) -> CompetencyReport:
    course = Path(course_dir)
    roster_path = course / "roster.csv"
    roster = (restore_frame(pd.read_csv(roster_path, dtype=str)) if roster_path.exists()
              else pd.DataFrame(columns=["id", "name", "ward", "khu_pho", "role"]))
    from congdanso.cohort.gradebook import gradebook_url

    report = build_report(gradebook_scores(gradebook_url(course)),
                          cell_competencies(course / "source"), roster)
    report.review = grading_review(course)
    report.course = course
    return report


REVIEW_COLUMNS = ["Nhật ký", "Cần xem (gian lận?)", "Sự cố khi chạy", "Ô bị sửa (đã dùng bản gốc)",
                  "Lỗi chấm"]


def grading_review(course: Path) -> pd.DataFrame:
    """Submissions the autograder flagged: untrusted journal, incidents, edited cells, errors."""
    frames = [restore_frame(pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna(""))
              for path in sorted((course / "cham-bai").glob("*.csv"))]
    if not frames:
        return pd.DataFrame(columns=["Học viên", "Bài", *REVIEW_COLUMNS])
    table = pd.concat(frames, ignore_index=True)
    for column in REVIEW_COLUMNS:  # results written by an older version lack a column
        if column not in table:
            table[column] = ""
    flagged = (table["Nhật ký"].str.startswith("KHÔNG TIN CẬY")
               | table[REVIEW_COLUMNS[1:]].ne("").any(axis=1))
    return table.loc[flagged, ["Học viên", "Bài", *REVIEW_COLUMNS]].reset_index(drop=True)


def _chart(report: CompetencyReport) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    share = report.by_khu_pho["ready"] / report.by_khu_pho["learners"].clip(lower=1) * 100
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * max(1, len(share))), dpi=100)
    bars = ax.barh(share.index.astype(str), share.to_numpy(), color="#0b57d0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Học viên sẵn sàng cấp chứng nhận (%)")
    for bar, value in zip(bars, share.to_numpy(), strict=True):
        ax.text(value + 1, bar.get_y() + bar.get_height() / 2, f"{value:.0f}%", va="center")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _table(frame: pd.DataFrame, *, index: bool = True) -> str:
    """An HTML table; pandas' to_html is 10× slower on a 2,000-learner page."""
    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:g}"
        if isinstance(value, bool):
            return "✔" if value else "✘"
        return html.escape(str(value))

    head = ([html.escape(str(frame.index.name or ""))] if index else []) + [
        html.escape(str(c)) for c in frame.columns]
    rows = []
    for key, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = ([f"<th>{cell(key)}</th>"] if index else []) + [f"<td>{cell(v)}</td>"
                                                               for v in values]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<div class="bang" role="region" tabindex="0" aria-label="Bảng (cuộn ngang nếu '
            'cần)"><table><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def write_report(report: CompetencyReport, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {cid: f"{cid} {c.name}" for cid, c in report.framework.competencies.items()}
    matrix = (report.matrix * 100).round(0).rename(columns=names)
    matrix.index.name = "Học viên"
    paths = {"csv": out / "ma-tran-nang-luc.csv", "xlsx": out / "bao-cao-nang-luc.xlsx",
             "html": out / "bao-cao-nang-luc.html"}
    write_csv(matrix, paths["csv"])  # BOM: Excel opens Vietnamese correctly; no formulas
    def shown(summary: pd.DataFrame) -> pd.DataFrame:
        table = summary.rename(columns={"learners": "Số học viên",
                                        "ready": "Sẵn sàng cấp chứng nhận", **names})
        table.index.name = {"khu_pho": "Khu phố", "role": "Vai trò"}.get(table.index.name,
                                                                          table.index.name)
        return table

    learners = report.learners.rename(columns={
        "id": "Mã học viên", "name": "Họ và tên", "ward": "Phường", "khu_pho": "Khu phố",
        "role": "Vai trò", "ready": "Sẵn sàng cấp chứng nhận", "to_practise": "Cần luyện thêm"})
    with pd.ExcelWriter(paths["xlsx"]) as writer:
        learners.to_excel(writer, sheet_name="Học viên", index=False)
        matrix.to_excel(writer, sheet_name="Ma trận năng lực")
        shown(report.by_khu_pho).to_excel(writer, sheet_name="Theo khu phố")
        shown(report.by_role).to_excel(writer, sheet_name="Theo vai trò")
        if report.review is not None and len(report.review):
            report.review.to_excel(writer, sheet_name="Cần xem lại", index=False)
    protect_workbook(paths["xlsx"])  # a name typed as "=…" stays text
    chart = _chart(report)
    by_id = report.learners.set_index("id")["name"]
    ready = ", ".join(html.escape(f"{by_id.get(x) or x} ({x})") for x in report.ready) or "chưa có"
    review = ""
    if report.review is not None and len(report.review):
        review = (f"<h2>Bài cần giảng viên xem lại ({len(report.review)})</h2>"
                  "<p>Nhật ký bị sửa, ô làm treo hay hỏng kernel, ô chấm bị sửa: điểm đã tính theo "
                  "quy tắc, nhưng nên nói chuyện với học viên.</p>"
                  + _table(report.review, index=False))
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Báo cáo năng lực</title><style>
body{{font-family:"DejaVu Sans",Arial,sans-serif;font-size:18px;margin:24px;color:#111}}
table{{border-collapse:collapse;margin:12px 0}}td,th{{border:1px solid #888;padding:4px 8px}}
th{{background:#eef3fd}}
.bang{{overflow-x:auto;max-width:100%}} img{{max-width:100%;height:auto}}
*{{box-sizing:border-box}} body{{overflow-wrap:anywhere}}
@media (max-width:600px){{body{{margin:12px;font-size:17px}}}}</style>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<h1>Báo cáo năng lực học viên</h1>
<p>Quy tắc: đạt một năng lực khi được từ {report.framework.mastery:.0%} số điểm của năng lực đó.</p>
<h2>Sẵn sàng cấp chứng nhận ({len(report.ready)})</h2><p>{ready}</p>
<h2>Theo khu phố</h2><img alt="Tỷ lệ học viên sẵn sàng theo khu phố"
 src="data:image/png;base64,{chart}">
{_table(shown(report.by_khu_pho))}
<h2>Theo vai trò</h2>{_table(shown(report.by_role))}
<h2>Học viên</h2>{_table(learners, index=False)}
<h2>Ma trận năng lực (% điểm)</h2>{_table(matrix)}
{review}</main></body></html>"""
    paths["html"].write_text(page, encoding="utf-8")
    return paths
