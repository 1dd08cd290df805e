"""The competency report: who can really help residents, per learner, khu phố and role.

Scores come from the nbgrader gradebook; each grade cell's competencies come from its metadata in
``exercises/source`` (``{"congdanso": {"competencies": ["TK2"]}}``); ward, khu phố and role from
``roster.csv``. A learner masters a competency with ≥ 85 % of its points (the framework's rule).
A course certificate needs *every* competency of the framework assessed and mastered: after some
exercises only, a learner can get at most a transcript of the competencies measured and
mastered (:mod:`congdanso.cohort.certificates`). Each grade cell is also weighed as an item
(:mod:`congdanso.cohort.items`): difficulty, discrimination, distractors nobody picks.
Outputs: CSV (the matrix), XLSX (one sheet per view) and one self-contained HTML page with charts.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

import numpy as np
import pandas as pd

from congdanso.cohort import items as item_analysis
from congdanso.cohort.items import KEYS, ItemAnalysis
from congdanso.cohort.sheets import RISKY, restore_frame, write_csv
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
    # id, name, ward, khu_pho, role, n_assessed, n_mastered (competencies), ready (course
    # certificate), transcript (some competency mastered, not ready), to_practise
    learners: pd.DataFrame
    by_khu_pho: pd.DataFrame  # indexed by "khu phố, phường"
    by_role: pd.DataFrame
    items: ItemAnalysis | None = None  # each grade cell weighed as an item
    review: pd.DataFrame | None = None  # submissions the grader flagged (cham-bai/*.csv)
    course: Path | None = None  # the course folder the report was read from
    by_ward: pd.DataFrame | None = None  # like by_khu_pho, per phường (a province's view)

    @property
    def ready(self) -> list[str]:
        """Learners for a course certificate: every competency of the framework mastered."""
        return sorted(self.learners.loc[self.learners["ready"], "id"])

    @property
    def transcript(self) -> list[str]:
        """Learners for a transcript only: some competency mastered, not all of the framework."""
        return sorted(self.learners.loc[self.learners["transcript"], "id"])

    @property
    def assessed(self) -> list[str]:
        """Competencies of the framework that some graded cell has measured so far."""
        return [c for c in self.matrix.columns if self.matrix[c].notna().any()]


def _tagged(scores: pd.DataFrame, tags: pd.DataFrame) -> pd.DataFrame:
    """``scores.merge(tags, on=KEYS)`` (the same rows and order, the columns the report uses)
    without joining hundreds of thousands of rows on three text columns: the cells are
    numbered once, the few cells joined to their tags, and the scores to those by number."""
    number = scores.groupby(KEYS, sort=False).ngroup().to_numpy()
    first = ~pd.Series(number).duplicated().to_numpy() & (number >= 0)
    cells = scores.loc[first, KEYS].assign(_cell=number[first])
    pairs = cells.merge(tags, on=KEYS, how="inner").drop(columns=KEYS)
    slim = scores[["learner", "score", "max_score"]].assign(_cell=number)
    return slim.merge(pairs, on="_cell", how="inner").drop(columns="_cell")


def build_report(scores: pd.DataFrame, tags: pd.DataFrame, roster: pd.DataFrame,
                 framework: Framework | None = None,
                 responses: pd.DataFrame | None = None) -> CompetencyReport:
    """``responses``: the grader's answer records (:func:`items.responses_frame`), for the
    options learners picked; ``None`` when there are none. Column by column (no Python call
    per learner): a province's 20,000 learners take a second."""
    framework = framework or load_framework()
    tagged = _tagged(scores, tags)
    points = tagged.groupby(["learner", "competency"])[["score", "max_score"]].sum()
    fraction = (points["score"] / points["max_score"]).unstack("competency")
    order = [c for c in framework.competencies if c in fraction.columns]
    matrix = fraction.reindex(columns=order)
    roster = roster.set_index("id")
    everyone = roster.index.union(matrix.index)
    matrix = matrix.reindex(everyone)
    assessed = matrix.notna()
    # framework.mastered, on every cell at once (NaN, not assessed, is not mastered); straight
    # from the scores: fillna(False) on an object frame made pandas print an English
    # FutureWarning about downcasting
    good = matrix.ge(framework.mastery - 1e-9) & assessed
    # True / False, None where a learner was not assessed (a column everyone has: bool)
    mastered = pd.DataFrame(np.where(assessed, good, None), index=matrix.index,
                            columns=matrix.columns)
    for column in matrix.columns[assessed.all().to_numpy()]:
        mastered[column] = good[column]
    # A course certificate only for what was measured: every competency of the framework.
    all_ok = good.sum(axis=1).eq(len(framework.competencies))
    labels = [framework.competencies[cid].name for cid in order]
    to_practise = pd.Series([", ".join(compress(labels, row))
                             for row in (assessed & ~good).to_numpy()], index=matrix.index,
                            dtype=object)
    learners = roster.reindex(everyone).reset_index().rename(columns={"index": "id"})
    learners["n_assessed"] = assessed.sum(axis=1).reindex(everyone).fillna(0).astype(int) \
        .to_numpy()
    learners["n_mastered"] = good.sum(axis=1).reindex(everyone).fillna(0).astype(int).to_numpy()
    learners["ready"] = all_ok.reindex(everyone).fillna(False).astype(bool).to_numpy()
    learners["transcript"] = (learners["n_mastered"] > 0) & ~learners["ready"]
    learners["to_practise"] = to_practise.reindex(everyone).to_numpy()
    # "Khu phố 3" exists in many wards: a khu phố is only known with its ward.
    place = (learners["khu_pho"].fillna("").astype(str) + ", "
             + learners["ward"].fillna("").astype(str)).str.strip(", ")
    grouping = pd.DataFrame({"id": learners["id"], "khu_pho": place,
                             "ward": learners["ward"].fillna("").astype(str).str.strip(),
                             "role": learners["role"], "ready": learners["ready"],
                             "transcript": learners["transcript"]})
    # per learner and competency: 1 mastered, 0 not, NaN not assessed (a group's mean: the
    # share of its assessed learners who mastered it)
    shares = good.astype(float).where(assessed).reset_index(drop=True)

    def summary(key: str) -> pd.DataFrame:
        table = shares.groupby(grouping[key]).mean().reindex(columns=order) * 100
        table.columns.name = None
        counts = grouping.groupby(key).agg(learners=("id", "count"), ready=("ready", "sum"),
                                           transcript=("transcript", "sum"))
        return counts.join(table.round(0)).fillna(0)

    return CompetencyReport(framework, matrix, mastered, learners, summary("khu_pho"),
                            summary("role"), item_analysis.analyse_items(scores, tags, responses),
                            by_ward=summary("ward"))


def load_report(course_dir: str | Path) -> CompetencyReport:
    course = Path(course_dir)
    roster_path = course / "roster.csv"
    roster = (restore_frame(pd.read_csv(roster_path, dtype=str)) if roster_path.exists()
              else pd.DataFrame(columns=["id", "name", "ward", "khu_pho", "role"]))
    from congdanso.cohort import responses
    from congdanso.cohort.gradebook import gradebook_url

    report = build_report(gradebook_scores(gradebook_url(course)),
                          cell_competencies(course / "source"), roster,
                          responses=item_analysis.responses_frame(responses.read(course)))
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


AWARDS = ("Chứng nhận khoá học", "Bảng kết quả năng lực", "Chưa cấp")


def _png(fig, bottom: float = 0.0) -> str:
    """The figure as base64 PNG; ``bottom``: share of its height kept free for a legend."""
    import matplotlib.pyplot as plt

    fig.tight_layout(rect=(0, bottom, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _chart(summary: pd.DataFrame) -> str:
    """One bar per khu phố (or phường) of ``summary``: the share of its learners ready."""
    plt = _pyplot()
    share = summary["ready"] / summary["learners"].clip(lower=1) * 100
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * max(1, len(share))), dpi=100)
    bars = ax.barh(share.index.astype(str), share.to_numpy(), color="#0b57d0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Học viên đủ điều kiện chứng nhận khoá học (%)")
    for bar, value in zip(bars, share.to_numpy(), strict=True):
        ax.text(value + 1, bar.get_y() + bar.get_height() / 2, f"{value:.0f}%", va="center")
    return _png(fig)


def _decimal(value: float, digits: int = 2) -> str:
    """A number as a Vietnamese reader writes it: decimal comma."""
    return "" if pd.isna(value) else f"{value:.{digits}f}".replace(".", ",")


def _item_chart(analysis: ItemAnalysis, width: float) -> str | None:
    """Difficulty against discrimination, one mark per item; flagged items carry their number
    and a shape of their own (▼ negative, ■ distractor nobody picks), not only a colour."""
    from matplotlib.ticker import FuncFormatter

    items = analysis.items.dropna(subset=["discrimination"])
    if items.empty:
        return None
    plt = _pyplot()
    narrow = width < 6
    size = 15 if narrow else 14
    fig, ax = plt.subplots(figsize=(width, 4.6 if narrow else 5.2), dpi=100)
    low = min(-0.25, float(items["discrimination"].min()) - 0.1)
    high = max(0.75, float(items["discrimination"].max()) + 0.1)
    ax.axhspan(low, item_analysis.NEGATIVE_BELOW, color="#fbe3e1", zorder=0)
    ax.axhline(item_analysis.NEGATIVE_BELOW, color="#b3261e", linewidth=1.5, zorder=1)
    ax.text(1, item_analysis.NEGATIVE_BELOW - 0.02, "Vùng phân biệt ngược (r < 0)",
            fontsize=size - 2, color="#8c1d18", va="top")
    negative = items["flags"].map(lambda f: item_analysis.NEGATIVE in f)
    unused = items["flags"].map(lambda f: item_analysis.UNUSED in f) & ~negative
    plain = ~negative & ~unused
    ax.scatter(items.loc[plain, "difficulty"] * 100, items.loc[plain, "discrimination"],
               marker="o", s=60, color="#0b57d0", label="ô chấm không bị cảnh báo", zorder=3)
    ax.scatter(items.loc[unused, "difficulty"] * 100, items.loc[unused, "discrimination"],
               marker="s", s=110, color="#7a4b00", label="phương án nhiễu không ai chọn",
               zorder=4)
    ax.scatter(items.loc[negative, "difficulty"] * 100, items.loc[negative, "discrimination"],
               marker="v", s=150, color="#b3261e", label="phân biệt ngược", zorder=5)
    # one label per spot: items with the same numbers share a mark
    marked = items[negative | unused]
    spots = marked.groupby([marked["difficulty"].round(3), marked["discrimination"].round(2)],
                           sort=False)["number"]
    for (p, r), numbers in spots:
        few = 1 if narrow else 3
        shown = ", ".join(str(n) for n in list(numbers)[:few])
        label = f"số {shown}" if len(numbers) <= few else (
            f"{len(numbers)} ô" if narrow else f"{len(numbers)} ô: số {shown}…")
        right = p * 100 > 50
        ax.annotate(label, (p * 100, r), xytext=(-10 if right else 10, 6),
                    textcoords="offset points", fontsize=size, weight="bold",
                    ha="right" if right else "left")
    ax.set_xlim(-4, 104)
    ax.set_ylim(low, high)
    ax.set_xlabel("Độ khó p (% điểm đạt được)", fontsize=size)
    ax.set_ylabel("Độ phân biệt r", fontsize=size)
    ax.tick_params(labelsize=size - 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _decimal(v, 1)))
    ax.grid(True, color="#ccc", linewidth=0.6)
    legend = fig.legend(fontsize=size - 1, loc="lower left", frameon=False, handletextpad=0.3,
                        ncol=1 if narrow else 3, columnspacing=1.2)
    legend.set_in_layout(False)  # its own strip below the axes (see ``bottom``)
    return _png(fig, bottom=0.2 if narrow else 0.08)


def _item_tables(analysis: ItemAnalysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The items and the options as the trainer reads them (numbers stay numbers)."""
    items = analysis.items
    shown = pd.DataFrame({
        "Số": items["number"], "Bài": items["assignment"], "Ô chấm": items["cell"],
        "Năng lực": items["competencies"], "Số bài làm": items["answers"],
        "Độ khó p (% điểm đạt)": (items["difficulty"] * 100).round(1),
        "Độ phân biệt r": items["discrimination"].round(2),
        "Cảnh báo": items["flags"].map(item_analysis.flag_words),
        "Phương án nhiễu không ai chọn": items["unused_options"]})
    options = analysis.options

    def role(value) -> str:
        if value is None or pd.isna(value):
            return "chưa rõ (chưa ai trả lời đúng)"
        return "✔ đáp án đúng" if value else "nhiễu (sai)"

    picked = pd.DataFrame({
        "Bài": options["assignment"], "Ô chấm": options["cell"], "Câu hỏi": options["question"],
        "Bản đề": options["version"], "Thứ tự trong danh mục": options["position"],
        "Lựa chọn": options["option"], "Vai trò": options["right"].map(role),
        "Số người chọn": options["picks"], "Số bài làm": options["answers"],
        "Tỷ lệ chọn (%)": (options["share"].astype(float) * 100).round(1),
        "Cảnh báo": options["unused"].map(lambda u: "⚠\u00a0Không ai chọn" if u else "")})
    return shown, picked


def _item_section(analysis: ItemAnalysis | None) -> str:
    if analysis is None or analysis.items.empty:
        return ""
    items, options = _item_tables(analysis)
    html_items = items.assign(**{
        "Độ khó p (% điểm đạt)": [f"{_decimal(v, 0)}\u00a0%" if pd.notna(v) else ""
                                  for v in analysis.items["difficulty"] * 100],
        "Độ phân biệt r": [_decimal(v) or "—" for v in analysis.items["discrimination"]],
        "Phương án nhiễu không ai chọn": items["Phương án nhiễu không ai chọn"].fillna("")})
    flagged = analysis.flagged
    # a list, not a table: the items to look at must read well on a phone too
    to_check = "".join(
        f"<li><b>Số {row.number} — {html.escape(row.assignment)} / {html.escape(row.cell)}</b>"
        + (f" ({html.escape(row.competencies)})" if row.competencies else "")
        + f": {html.escape(item_analysis.flag_words(row.flags))}"
        + (f" ({html.escape(row.unused_options)})" if row.unused_options else "")
        + f". Độ khó p = {_decimal(row.difficulty * 100, 0)}\u00a0%, độ phân biệt r = "
        + (_decimal(row.discrimination) or "không tính được") + f", {row.answers} bài làm.</li>"
        for row in flagged.itertuples())
    minimum = item_analysis.MIN_RESPONSES
    meanings = "".join(f"<li><b>⚠\u00a0{html.escape(word)}</b>: {html.escape(text)}</li>"
                       for word, text in item_analysis.FLAGS.values())
    charts = [(w, _item_chart(analysis, w)) for w in (9.0, 4.2)]
    if charts[0][1]:
        no_r = int(analysis.items["discrimination"].isna().sum())
        names = ", ".join(f"số {n}" for n, f in zip(analysis.items["number"],
                                                      analysis.items["flags"], strict=True)
                          if item_analysis.NEGATIVE in f) or "không có"
        chart = (f'<figure><picture><source media="(max-width:600px)" '
                 f'srcset="data:image/png;base64,{charts[1][1]}"><img alt="Biểu đồ độ khó và độ '
                 f"phân biệt của {len(analysis.items) - no_r} ô chấm; ô phân biệt ngược: "
                 f'{names}." src="data:image/png;base64,{charts[0][1]}"></picture>'
                 "<figcaption>Mỗi dấu là một ô chấm: càng sang phải càng dễ, càng lên cao càng "
                 "phân biệt tốt người đã vững với người cần luyện thêm."
                 + (f" {no_r} ô không có r (ai cũng đạt, không ai đạt hoặc quá ít bài làm) không "
                    "có trên biểu đồ: xem bảng." if no_r else "") + "</figcaption></figure>")
    else:
        chart = "<p>Chưa tính được độ phân biệt của ô nào (cần nhiều học viên hơn).</p>"
    if not analysis.has_responses:
        choices = ("<p>Chưa có tệp câu trả lời của học viên (<code>.congdanso/tra-loi.csv</code> "
                   "trong thư mục khoá học), nên cột “Phương án nhiễu không ai chọn” để trống. "
                   "Tệp này được ghi khi chấm bài bằng <code>congdanso autograde</code>; chấm "
                   "lại để có số người chọn từng lựa chọn.</p>")
    elif options.empty:
        choices = "<p>Chưa có câu trả lời nào cho câu hỏi chọn đáp án.</p>"
    else:
        choices = _table(options.assign(**{
            "Tỷ lệ chọn (%)": [f"{_decimal(v, 0)}\u00a0%" for v in options["Tỷ lệ chọn (%)"]],
            "Thứ tự trong danh mục": options["Thứ tự trong danh mục"].map(
                lambda v: "" if v is None or pd.isna(v) else str(int(v)))}), index=False,
            nowrap=("Bài", "Ô chấm", "Câu hỏi", "Bản đề", "Thứ tự trong danh mục",
                    "Số người chọn", "Số bài làm", "Tỷ lệ chọn (%)"))
    whole = ("Số", "Bài", "Ô chấm", "Năng lực", "Số bài làm", "Độ khó p (% điểm đạt)",
             "Độ phân biệt r")
    return f"""<section class="o-cham" aria-labelledby="phan-tich-o-cham">
<h2 id="phan-tich-o-cham">Phân tích ô chấm ({len(items)} ô)</h2>
<p>Mỗi ô chấm là một câu hỏi đo năng lực. Ô tốt là ô người đã vững làm được còn người cần luyện
thêm thì hay sai. Các con số:</p>
<ul>
<li><b>Độ khó p</b>: phần trăm số điểm của ô mà học viên đạt được (100 % = ai cũng trọn điểm,
0 % = không ai được điểm).</li>
<li><b>Độ phân biệt r</b> (từ −1 đến 1): hệ số tương quan giữa điểm ô này và tỷ lệ điểm của cùng
học viên ở mọi ô chấm khác (không tính chính ô này). Từ 0,2 trở lên: ô phân biệt tốt; dưới
{_decimal(item_analysis.NEGATIVE_BELOW, 0)}: phân biệt ngược.</li>
<li>Chỉ kết luận khi ô có từ {minimum} bài làm (một phiên bản câu hỏi chọn đáp án cũng cần từ
{minimum} bài làm). Dưới khoảng 30 học viên, r dao động nhiều: coi là gợi ý để xem lại ô, không phải
phán quyết.</li>
</ul>
<p>Các cảnh báo (mỗi cảnh báo là một chữ, không chỉ là màu):</p><ul>{meanings}</ul>
<h3>Ô cần xem lại ({len(flagged)})</h3>
{f'<ul class="canh-bao">{to_check}</ul>' if len(flagged)
 else "<p>Không có ô nào bị cảnh báo.</p>"}
{chart}
<h3>Mọi ô chấm</h3>{_table(html_items, index=False, nowrap=whole)}
<h3>Lựa chọn của học viên ở câu hỏi chọn đáp án</h3>
<p>Đếm theo từng phiên bản câu hỏi (cùng các lựa chọn, theo thứ tự trong danh mục đề; học viên có
thể thấy thứ tự khác). Một lựa chọn sai không ai chọn khi đã có từ {minimum} bài làm được cảnh
báo.</p>
{choices}</section>"""


def _table(frame: pd.DataFrame, *, index: bool = True, nowrap: tuple[str, ...] = ()) -> str:
    """An HTML table; pandas' to_html is 10× slower on a 2,000-learner page. ``nowrap``: columns
    of codes and numbers, kept whole on a phone (the table scrolls sideways instead)."""
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
        cells = ([f"<th>{cell(key)}</th>"] if index else []) + [
            f'<td class="nw">{cell(v)}</td>' if c in nowrap else f"<td>{cell(v)}</td>"
            for c, v in zip(frame.columns, values, strict=True)]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<div class="bang" role="region" tabindex="0" aria-label="Bảng (cuộn ngang nếu '
            'cần)"><table><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def _learner_table(report: CompetencyReport) -> pd.DataFrame:
    total = len(report.framework.competencies)
    learners = report.learners
    award = [AWARDS[0] if ready else AWARDS[1] if transcript else AWARDS[2]
             for ready, transcript in zip(learners["ready"], learners["transcript"], strict=True)]
    return pd.DataFrame({
        "Mã học viên": learners["id"], "Họ và tên": learners["name"], "Phường": learners["ward"],
        "Khu phố": learners["khu_pho"], "Vai trò": learners["role"],
        "Tiến độ đánh giá": [f"đã đánh giá {n}/{total} năng lực" for n in learners["n_assessed"]],
        "Năng lực đã đạt": learners["n_mastered"], "Được cấp": award,
        "Cần luyện thêm": learners["to_practise"]})


def _count(n: int) -> str:
    """A count as a Vietnamese reader writes it: 20.000."""
    return f"{n:,}".replace(",", ".")


def _certification(report: CompetencyReport, large: bool = False) -> str:
    """What the course can certify so far, and for whom (in a ``large`` cohort: how many, the
    names being in the learners' tables by ward; a paragraph of 17,000 names helps nobody)."""
    framework = report.framework
    total = len(framework.competencies)
    assessed = report.assessed
    missing = [c for c in framework.competencies if c not in assessed]
    by_id = report.learners.set_index("id")["name"]

    def who(ids: list[str]) -> str:
        if large and ids:
            return (f"{_count(len(ids))} học viên: tên từng người ở mục “Học viên” bên dưới "
                    "(theo phường, cột “Được cấp”) và ở trang “Học viên” của tệp XLSX.")
        return ", ".join(html.escape(f"{by_id.get(x) or x} ({x})") for x in ids)

    status = (f"<p><b>Khoá học đã đánh giá {len(assessed)}/{total} năng lực</b>"
              + (f": {html.escape(', '.join(assessed))}." if assessed else ".")
              + (" Chưa đánh giá: " + html.escape("; ".join(
                  f"{c} {framework.competencies[c].name}" for c in missing)) + "." if missing
                 else "") + "</p>")
    rule = (f"<p>Chứng nhận khoá học chỉ cấp cho học viên đã được đánh giá đủ {total}/{total} năng "
            "lực và đạt cả " + str(total) + ". Trước đó <code>congdanso certificate issue</code> "
            "chỉ cấp <b>bảng kết quả năng lực</b>: ghi các năng lực đã được đánh giá và đã đạt, "
            "không phải chứng nhận hoàn thành khoá học.</p>")
    ready = who(report.ready) or (
        f"chưa có: khoá học mới đánh giá {len(assessed)}/{total} năng lực." if missing
        else "chưa có học viên nào đạt đủ cả " + str(total) + " năng lực.")
    transcript = who(report.transcript) or "chưa có."
    return (f"<h2>Chứng nhận</h2>{status}{rule}"
            f"<h3>Sẵn sàng cấp chứng nhận khoá học ({_count(len(report.ready))})</h3>"
            f"<p>{ready}</p>"
            f"<h3>Chỉ cấp được bảng kết quả năng lực ({_count(len(report.transcript))})</h3>"
            f"<p>{transcript}</p>")


LARGE_COHORT = 1_000  # learners from which the page is a province's: grouped by phường
MAX_BARS = 60  # khu phố in one chart; a province's hundreds are read in the table


def _shown(summary: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    table = summary.rename(columns={"learners": "Số học viên",
                                    "ready": "Sẵn sàng cấp chứng nhận khoá học",
                                    "transcript": "Chỉ cấp bảng kết quả năng lực", **names})
    table.index.name = {"khu_pho": "Khu phố", "role": "Vai trò", "ward": "Phường"}.get(
        table.index.name, table.index.name)
    return table


def write_report(report: CompetencyReport, out_dir: str | Path) -> dict[str, Path]:
    """CSV, XLSX and HTML. From :data:`LARGE_COHORT` learners (a province) the workbook has a
    sheet per phường too and the page groups learners by phường, each a section that opens
    on a click; a smaller class gets the page it always had."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {cid: f"{cid} {c.name}" for cid, c in report.framework.competencies.items()}
    matrix = (report.matrix * 100).round(0).rename(columns=names)
    matrix.index.name = "Học viên"
    paths = {"csv": out / "ma-tran-nang-luc.csv", "xlsx": out / "bao-cao-nang-luc.xlsx",
             "html": out / "bao-cao-nang-luc.html"}
    large = len(report.learners) >= LARGE_COHORT and report.by_ward is not None
    learners = _learner_table(report)
    _write_csv(matrix, paths["csv"])
    _write_xlsx(report, learners, matrix, names, paths["xlsx"], large)
    _write_html(report, learners, matrix, names, paths["html"], large)
    return paths


def _write_csv(matrix: pd.DataFrame, path: Path) -> None:
    write_csv(matrix, path)  # BOM: Excel opens Vietnamese correctly; no formulas


def _write_xlsx(report: CompetencyReport, learners: pd.DataFrame, matrix: pd.DataFrame,
                names: dict[str, str], path: Path, large: bool) -> None:
    sheets = [("Học viên", learners, False), ("Ma trận năng lực", matrix, True)]
    if large:
        sheets.append(("Theo phường", _shown(report.by_ward, names), True))
    sheets += [("Theo khu phố", _shown(report.by_khu_pho, names), True),
               ("Theo vai trò", _shown(report.by_role, names), True)]
    if report.items is not None:
        items, options = _item_tables(report.items)
        sheets += [("Phân tích ô chấm", items, False), ("Lựa chọn của học viên", options, False)]
    if report.review is not None and len(report.review):
        sheets.append(("Cần xem lại", report.review, False))
    _workbook(path, sheets)


def _excel_values(values) -> list:
    """A column as ``DataFrame.to_excel`` writes it: NaN as "", ±inf as "inf" / "-inf",
    numbers, booleans and text as they are, anything else as its text."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        out = np.where(np.isnan(array), "", array.astype(object))
        if np.isinf(array).any():
            out = np.where(np.isposinf(array), "inf", np.where(np.isneginf(array), "-inf", out))
        return out.tolist()
    if array.dtype.kind in "biu":
        return array.tolist()

    def one(value):
        if isinstance(value, str):
            return value
        if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
            return ""
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            return "inf" if value > 0 and np.isinf(value) else (
                "-inf" if np.isinf(value) else float(value))
        return str(value)

    return [one(v) for v in array.tolist()]


_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # not allowed in XML 1.0 (nor XLSX)


def _cell_xml(value, style: int) -> str:
    """A cell of a sheet after its ``<c r="A1"``, as openpyxl writes the value."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        if not value:
            return f'{s} t="inlineStr"/>'
        text = html.escape(_ILLEGAL.sub("", value[:32767]), quote=False).replace("\r", "&#13;")
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'{s} t="b"><v>{value:d}</v></c>'
    return f'{s} t="n"><v>{value:.16g}</v></c>'


def _workbook(path: Path, sheets: list[tuple[str, pd.DataFrame, bool]]) -> None:
    """The sheets (name, table, with its index?) laid out as ``DataFrame.to_excel`` lays them
    out: a bold bordered header row (and index column), NaN as an empty cell. openpyxl makes
    the workbook around them (styles, list of sheets, properties); the cells are written here
    as openpyxl writes them, because it spends some 10 µs on each: a province's 440,000 cells
    took 17 s through pandas' writer and :func:`sheets.protect_workbook` reading the file back,
    4 s in openpyxl's write-only mode, about 1 s so. Text a spreadsheet would run (``=…``,
    ``+…``, …) is a text cell marked "quote prefix", as ``protect_workbook`` marks it: no
    report has a formula of its own. Control characters XML cannot hold are left out (openpyxl
    refused the whole file for one)."""
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    made = [book.create_sheet(title) for title, _, _ in sheets]
    head, quoted, both = (made[0].cell(1, column) for column in (1, 2, 3))
    thin = Side(style="thin")
    for cell in (head, both):
        cell.font = Font(bold=True)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(horizontal="center", vertical="top")
    quoted.quotePrefix = both.quotePrefix = True
    # the style of a (header?, quoted?) cell; the three cells above give way to the tables
    styles = {(False, False): 0, (True, False): head.style_id, (False, True): quoted.style_id,
              (True, True): both.style_id}
    skeleton = io.BytesIO()
    book.save(skeleton)

    def cells(values: list, header: bool) -> list[str]:
        return [_cell_xml(v, styles[header, isinstance(v, str) and v.startswith(RISKY)])
                for v in values]

    xml = {}
    for (_, frame, index), sheet in zip(sheets, made, strict=True):
        columns = [cells(_excel_values(frame.iloc[:, i].to_numpy()), False)
                   for i in range(frame.shape[1])]
        top = cells(_excel_values(list(frame.columns)), True)
        if index:
            label = frame.index.name
            top.insert(0, cells([label], True)[0] if label else None)
            columns.insert(0, cells(_excel_values(frame.index.to_numpy()), True))
        letters = [get_column_letter(i) for i in range(1, len(top) + 1)]

        def row(number: int, values, letters=letters) -> str:
            return (f'<row r="{number}">' + "".join(
                f'<c r="{letter}{number}"{v}' for letter, v in zip(letters, values, strict=True)
                if v is not None) + "</row>")

        rows = [row(1, top), *(row(number, values) for number, values
                                in enumerate(zip(*columns, strict=True), 2))]
        xml[sheet] = (f"A1:{letters[-1] if letters else 'A'}{len(rows)}",
                      "<sheetData>" + "".join(rows) + "</sheetData>")
    parts = {sheet.path[1:]: done for sheet, done in xml.items()}
    with zipfile.ZipFile(skeleton) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name).decode("utf-8")
            if name in parts:
                dimension, rows = parts[name]
                data = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', data)
                start = data.index("<sheetData")
                stop = (start + len("<sheetData/>") if data.startswith("<sheetData/>", start)
                        else data.index("</sheetData>") + len("</sheetData>"))
                data = data[:start] + rows + data[stop:]
            out.writestr(name, data)


def _wards(wards: pd.Series) -> list[tuple[str, np.ndarray]]:
    """Each phường (by name; learners without one last) and the positions of its learners."""
    known = wards.fillna("").astype(str).str.strip().to_numpy()
    return [(ward or "Chưa rõ phường", np.flatnonzero(known == ward))
            for ward in sorted(set(known), key=lambda w: (not w, w))]


def _write_html(report: CompetencyReport, learners: pd.DataFrame, matrix: pd.DataFrame,
                names: dict[str, str], path: Path, large: bool) -> None:
    chart = _chart(report.by_khu_pho) if not large or len(report.by_khu_pho) <= MAX_BARS else ""
    review = ""
    if report.review is not None and len(report.review):
        review = (f"<h2>Bài cần giảng viên xem lại ({len(report.review)})</h2>"
                  "<p>Nhật ký bị sửa, ô làm treo hay hỏng kernel, ô chấm bị sửa: điểm đã tính theo "
                  "quy tắc, nhưng nên nói chuyện với học viên.</p>"
                  + _table(report.review, index=False))
    by_khu_pho = _table(_shown(report.by_khu_pho, names))
    if chart:
        by_khu_pho = f"""<img alt="Tỷ lệ học viên đủ điều kiện chứng nhận khoá học theo khu phố"
 src="data:image/png;base64,{chart}">
{by_khu_pho}"""
    else:
        by_khu_pho = (f"<p>{_count(len(report.by_khu_pho))} khu phố: quá nhiều cho một biểu "
                      "đồ, xem biểu đồ theo phường ở trên và bảng dưới đây.</p>" + by_khu_pho)
    if large:
        wards = _wards(report.learners["ward"])
        ready = report.learners["ready"].to_numpy()

        def grouped(frame: pd.DataFrame, index: bool) -> str:
            """A section per phường; ``frame`` has a row per learner, as report.learners."""
            return "".join(
                f"<details><summary>{html.escape(ward)}: {_count(len(rows))} học viên, "
                f"{_count(int(ready[rows].sum()))} sẵn sàng cấp chứng nhận khoá học</summary>"
                f"{_table(frame.iloc[rows], index=index)}</details>" for ward, rows in wards)

        def how(sheet: str) -> str:
            return (f"<p>{_count(len(learners))} học viên ở {_count(len(wards))} phường: mỗi "
                    "phường một mục, bấm vào tên phường để mở bảng. Tìm một học viên: Ctrl+F "
                    "(Chrome và Edge tự mở mục có kết quả). Mọi học viên trong một bảng: trang "
                    f"“{sheet}” của tệp <code>bao-cao-nang-luc.xlsx</code>.</p>")

        ward_chart = _chart(report.by_ward)
        province = f"""<h2>Theo phường</h2><img alt="Tỷ lệ học viên đủ điều kiện chứng nhận khoá \
học theo phường" src="data:image/png;base64,{ward_chart}">
{_table(_shown(report.by_ward, names))}
"""
        people = how("Học viên") + grouped(learners, False)
        scores = how("Ma trận năng lực") + grouped(matrix, True)
        sections = "\nsummary{cursor:pointer;padding:6px 0;font-weight:bold}"
    else:
        province = sections = ""
        people = _table(learners, index=False)
        scores = _table(matrix)
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Báo cáo năng lực</title><style>
body{{font-family:"DejaVu Sans",Arial,sans-serif;font-size:18px;margin:24px;color:#111}}
table{{border-collapse:collapse;margin:12px 0}}td,th{{border:1px solid #888;padding:4px 8px}}
th{{background:#eef3fd}} figure{{margin:12px 0}} figcaption{{max-width:50em}}
.o-cham td,.o-cham th{{overflow-wrap:normal}} td.nw{{white-space:nowrap}}
.o-cham td:not(.nw){{min-width:12em}} .canh-bao li{{margin:6px 0}}
.bang{{overflow-x:auto;max-width:100%}} img{{max-width:100%;height:auto}}
*{{box-sizing:border-box}} body{{overflow-wrap:anywhere}}{sections}
@media (max-width:600px){{body{{margin:12px;font-size:17px}}}}</style>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<h1>Báo cáo năng lực học viên</h1>
<p>Quy tắc: đạt một năng lực khi được từ {report.framework.mastery:.0%} số điểm của năng lực đó.</p>
{_certification(report, large)}
{province}<h2>Theo khu phố</h2>{by_khu_pho}
<h2>Theo vai trò</h2>{_table(_shown(report.by_role, names))}
<h2>Học viên</h2>{people}
<h2>Ma trận năng lực (% điểm)</h2>{scores}
{_item_section(report.items)}
{review}</main></body></html>"""
    path.write_text(page, encoding="utf-8")
