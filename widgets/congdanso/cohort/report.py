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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from congdanso.cohort import items as item_analysis
from congdanso.cohort.items import ItemAnalysis
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
    # id, name, ward, khu_pho, role, n_assessed, n_mastered (competencies), ready (course
    # certificate), transcript (some competency mastered, not ready), to_practise
    learners: pd.DataFrame
    by_khu_pho: pd.DataFrame  # indexed by "khu phố, phường"
    by_role: pd.DataFrame
    items: ItemAnalysis | None = None  # each grade cell weighed as an item
    review: pd.DataFrame | None = None  # submissions the grader flagged (cham-bai/*.csv)
    course: Path | None = None  # the course folder the report was read from

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


def build_report(scores: pd.DataFrame, tags: pd.DataFrame, roster: pd.DataFrame,
                 framework: Framework | None = None,
                 responses: pd.DataFrame | None = None) -> CompetencyReport:
    """``responses``: the grader's answer records (:func:`items.responses_frame`), for the
    options learners picked; ``None`` when there are none."""
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
    # straight from the scores: fillna(False) on the object frame above (None where a learner
    # was not assessed) made pandas print an English FutureWarning about downcasting
    good = matrix.apply(lambda col: col.map(
        lambda v: not pd.isna(v) and bool(framework.mastered(v)))).astype(bool)
    # A course certificate only for what was measured: every competency of the framework.
    all_ok = good.sum(axis=1).eq(len(framework.competencies))
    names = {cid: framework.competencies[cid].name for cid in order}
    to_practise = mastered.apply(lambda row: ", ".join(
        names[c] for c, v in row.items() if v is not None and not pd.isna(v) and not bool(v)),
        axis=1)
    learners = roster.reindex(everyone).reset_index().rename(columns={"index": "id"})
    learners["n_assessed"] = assessed.sum(axis=1).reindex(everyone).fillna(0).astype(int) \
        .to_numpy()
    learners["n_mastered"] = good.sum(axis=1).reindex(everyone).fillna(0).astype(int).to_numpy()
    learners["ready"] = all_ok.reindex(everyone).fillna(False).astype(bool).to_numpy()
    learners["transcript"] = (learners["n_mastered"] > 0) & ~learners["ready"]
    learners["to_practise"] = to_practise.reindex(everyone).to_numpy()
    long = mastered.reset_index().melt(id_vars="index", var_name="competency",
                                       value_name="mastered").rename(columns={"index": "id"})
    # "Khu phố 3" exists in many wards: a khu phố is only known with its ward.
    place = (learners["khu_pho"].fillna("").astype(str) + ", "
             + learners["ward"].fillna("").astype(str)).str.strip(", ")
    grouping = pd.DataFrame({"id": learners["id"], "khu_pho": place, "role": learners["role"],
                             "ready": learners["ready"], "transcript": learners["transcript"]})
    long = long.dropna(subset=["mastered"]).merge(grouping[["id", "khu_pho", "role"]], on="id")
    long["mastered"] = long["mastered"].astype(bool)

    def summary(key: str) -> pd.DataFrame:
        table = long.pivot_table(index=key, columns="competency", values="mastered",
                                 aggfunc="mean").reindex(columns=order) * 100
        counts = grouping.groupby(key).agg(learners=("id", "count"), ready=("ready", "sum"),
                                           transcript=("transcript", "sum"))
        return counts.join(table.round(0)).fillna(0)

    return CompetencyReport(framework, matrix, mastered, learners, summary("khu_pho"),
                            summary("role"), item_analysis.analyse_items(scores, tags, responses))


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


def _chart(report: CompetencyReport) -> str:
    plt = _pyplot()
    share = report.by_khu_pho["ready"] / report.by_khu_pho["learners"].clip(lower=1) * 100
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


def _certification(report: CompetencyReport) -> str:
    """What the course can certify so far, and for whom."""
    framework = report.framework
    total = len(framework.competencies)
    assessed = report.assessed
    missing = [c for c in framework.competencies if c not in assessed]
    by_id = report.learners.set_index("id")["name"]

    def who(ids: list[str]) -> str:
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
            f"<h3>Sẵn sàng cấp chứng nhận khoá học ({len(report.ready)})</h3><p>{ready}</p>"
            f"<h3>Chỉ cấp được bảng kết quả năng lực ({len(report.transcript)})</h3>"
            f"<p>{transcript}</p>")


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
                                        "ready": "Sẵn sàng cấp chứng nhận khoá học",
                                        "transcript": "Chỉ cấp bảng kết quả năng lực", **names})
        table.index.name = {"khu_pho": "Khu phố", "role": "Vai trò"}.get(table.index.name,
                                                                          table.index.name)
        return table

    learners = _learner_table(report)
    items = _item_tables(report.items) if report.items is not None else None
    with pd.ExcelWriter(paths["xlsx"]) as writer:
        learners.to_excel(writer, sheet_name="Học viên", index=False)
        matrix.to_excel(writer, sheet_name="Ma trận năng lực")
        shown(report.by_khu_pho).to_excel(writer, sheet_name="Theo khu phố")
        shown(report.by_role).to_excel(writer, sheet_name="Theo vai trò")
        if items is not None:
            items[0].to_excel(writer, sheet_name="Phân tích ô chấm", index=False)
            items[1].to_excel(writer, sheet_name="Lựa chọn của học viên", index=False)
        if report.review is not None and len(report.review):
            report.review.to_excel(writer, sheet_name="Cần xem lại", index=False)
    protect_workbook(paths["xlsx"])  # a name typed as "=…" stays text
    chart = _chart(report)
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
th{{background:#eef3fd}} figure{{margin:12px 0}} figcaption{{max-width:50em}}
.o-cham td,.o-cham th{{overflow-wrap:normal}} td.nw{{white-space:nowrap}}
.o-cham td:not(.nw){{min-width:12em}} .canh-bao li{{margin:6px 0}}
.bang{{overflow-x:auto;max-width:100%}} img{{max-width:100%;height:auto}}
*{{box-sizing:border-box}} body{{overflow-wrap:anywhere}}
@media (max-width:600px){{body{{margin:12px;font-size:17px}}}}</style>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<h1>Báo cáo năng lực học viên</h1>
<p>Quy tắc: đạt một năng lực khi được từ {report.framework.mastery:.0%} số điểm của năng lực đó.</p>
{_certification(report)}
<h2>Theo khu phố</h2><img alt="Tỷ lệ học viên đủ điều kiện chứng nhận khoá học theo khu phố"
 src="data:image/png;base64,{chart}">
{_table(shown(report.by_khu_pho))}
<h2>Theo vai trò</h2>{_table(shown(report.by_role))}
<h2>Học viên</h2>{_table(learners, index=False)}
<h2>Ma trận năng lực (% điểm)</h2>{_table(matrix)}
{_item_section(report.items)}
{review}</main></body></html>"""
    paths["html"].write_text(page, encoding="utf-8")
    return paths
