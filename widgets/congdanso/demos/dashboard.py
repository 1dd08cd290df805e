"""Outreach dashboard: how far each khu phố has come, and how ready the volunteers are.

Adoption comes from a CSV a ward fills in, one row per khu phố (a sample ships in
``demos/du-lieu/bao-cao-phuong-mau.csv``); training progress comes from the course's nbgrader
gradebook through the competency report. A ward filter narrows both.

A file that cannot be used (empty, a missing column, a word where a number belongs, more
households with an account than households, an unknown encoding) gets a message that names the
row and column, and the figures already on screen stay.
"""

from __future__ import annotations

import base64
import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from congdanso.demos.style import OutreachApp, banner, frame, message, side_by_side, uploaded_file
from congdanso.ui.base import esc, html
from congdanso.world.core.text import nfc

ALL = "Tất cả các phường"
SAMPLE = Path(__file__).resolve().parents[3] / "demos" / "du-lieu" / "bao-cao-phuong-mau.csv"

# column key: (heading in the ward's file, other spellings accepted)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ward": ("Phường", ("phuong", "phường/xã", "xa", "xã", "phuong/xa")),
    "khu_pho": ("Khu phố", ("khu pho", "khu phố/ấp", "ấp", "ap", "khu pho/ap")),
    "households": ("Số hộ", ("so ho", "tong so ho", "tổng số hộ")),
    "households_with_account": ("Hộ có tài khoản DVC", ("ho co tai khoan dvc",
                                                        "số hộ có tài khoản dvc")),
    "adults": ("Người trưởng thành", ("nguoi truong thanh", "số người từ 18 tuổi")),
    "with_eid": ("Người có định danh điện tử", ("nguoi co dinh danh dien tu",
                                                "có định danh điện tử", "co vneid")),
    "helped": ("Người dân được hỗ trợ", ("nguoi dan duoc ho tro", "số người được hỗ trợ",
                                          "da ho tro")),
    "support_point": ("Có điểm hỗ trợ", ("co diem ho tro", "điểm hỗ trợ", "diem ho tro")),
}
NUMBERS = ("households", "households_with_account", "adults", "with_eid", "helped")
YES = {"có", "co", "x", "1", "yes", "rồi", "roi", "đã có", "da co"}
NO = {"không", "khong", "chưa", "chua", "0", "no", "", "chưa có", "chua co"}


class DataError(ValueError):
    """What is wrong with a ward's file, in Vietnamese, for the person who filled it in."""


HEADER_NAMES = {key: (title.casefold(), *others) for key, (title, others) in COLUMNS.items()}


def _number(raw: str, row: int, place: str, column: str) -> int:
    text = str(raw).strip().replace(" ", "")
    if text.count(".") and all(len(part) == 3 for part in text.split(".")[1:]):
        text = text.replace(".", "")  # 1.234 written the Vietnamese way
    if not text.isdigit():
        shown = raw if str(raw).strip() else "(để trống)"
        raise DataError(f"Dòng {row} ({place}): cột \"{column}\" phải là số nguyên từ 0 trở lên, "
                        f"đang ghi \"{shown}\". Sửa ô này rồi tải lại tệp.")
    return int(text)


def read_ward_csv(data: bytes) -> pd.DataFrame:
    """The ward's rows as a frame with the keys of ``COLUMNS``; ``DataError`` if unusable."""
    from congdanso.cohort.roster import RosterError, column_key, decode, sniff_dialect

    if not data.strip():
        raise DataError("Tệp trống: không có dòng nào. Hãy dùng tệp mẫu, điền mỗi khu phố một "
                        "dòng rồi tải lên.")
    try:
        text, _ = decode(data)
    except RosterError as exc:
        raise DataError(str(exc)) from None
    if "\x00" in text:
        raise DataError("Tệp này không phải bảng CSV (có thể là tệp Excel .xlsx hoặc ảnh). "
                        "Trong Excel chọn Lưu thành → \"CSV UTF-8\" rồi tải lên.")
    rows = list(csv.reader(io.StringIO(text), sniff_dialect(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataError("Tệp trống: không có dòng nào.")
    keys = [column_key(h, HEADER_NAMES) for h in rows[0]]
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in keys]
    if missing:
        raise DataError("Thiếu cột: " + ", ".join(missing) + ". Dòng đầu tiên của tệp phải là "
                        "tên cột như tệp mẫu: " + ", ".join(t for t, _ in COLUMNS.values()) + ".")
    if len(rows) == 1:
        raise DataError("Tệp chỉ có dòng tên cột, chưa có khu phố nào. Điền mỗi khu phố một dòng.")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        values = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(keys) if k}
        place = values["khu_pho"] or "không rõ khu phố"
        if not values["ward"] or not values["khu_pho"]:
            raise DataError(f"Dòng {number}: thiếu tên phường hoặc khu phố.")
        record = {"ward": nfc(values["ward"]), "khu_pho": nfc(values["khu_pho"])}
        for key in NUMBERS:
            record[key] = _number(values[key], number, place, COLUMNS[key][0])
        point = values["support_point"].casefold()
        if point not in YES | NO:
            raise DataError(f"Dòng {number} ({place}): cột \"Có điểm hỗ trợ\" ghi \"có\" hoặc "
                            f"\"không\", đang ghi \"{values['support_point']}\".")
        record["support_point"] = point in YES
        for part, whole in (("households_with_account", "households"), ("with_eid", "adults")):
            if record[part] > record[whole]:
                raise DataError(f"Dòng {number} ({place}): \"{COLUMNS[part][0]}\" "
                                f"({record[part]}) lớn hơn \"{COLUMNS[whole][0]}\" "
                                f"({record[whole]}). Kiểm tra lại hai ô này.")
        records.append(record)
    frame = pd.DataFrame(records)
    dupes = frame[frame.duplicated(["ward", "khu_pho"], keep=False)]
    if not dupes.empty:
        first = dupes.iloc[0]
        raise DataError(f"{first['khu_pho']} ({first['ward']}) có hơn một dòng; mỗi khu phố chỉ "
                        "một dòng.")
    return frame


@dataclass
class Totals:
    helped: int
    households: int
    households_with_account: int
    khu_pho: int
    with_point: int
    adults: int
    with_eid: int

    @property
    def account_share(self) -> float:
        return self.households_with_account / self.households if self.households else 0.0

    @property
    def eid_share(self) -> float:
        return self.with_eid / self.adults if self.adults else 0.0


def totals(frame: pd.DataFrame) -> Totals:
    return Totals(int(frame["helped"].sum()), int(frame["households"].sum()),
                  int(frame["households_with_account"].sum()), len(frame),
                  int(frame["support_point"].sum()), int(frame["adults"].sum()),
                  int(frame["with_eid"].sum()))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _chart(frame: pd.DataFrame) -> str:
    """Two bar charts (households with an account, residents helped) as an <img> with alt text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = frame.sort_values(["ward", "khu_pho"])
    labels = [f"{k} ({w.removeprefix('Phường ')})" + ("" if p else " · chưa có điểm")
              for k, w, p in zip(rows["khu_pho"], rows["ward"], rows["support_point"],
                                 strict=True)]
    share = (rows["households_with_account"] / rows["households"].where(rows["households"] > 0)
             ).fillna(0) * 100
    height = max(3.0, 0.45 * len(rows) + 1.2)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, height), sharey=True)
    plt.rcParams["font.family"] = "DejaVu Sans"
    hatches = ["" if p else "//" for p in rows["support_point"]]
    for axis, values, title, fmt in (
            (left, share, "Hộ có tài khoản Cổng DVC (%)", lambda v: f"{v:.0f}%"),
            (right, rows["helped"], "Người dân được hỗ trợ", lambda v: _n(int(v)))):
        bars = axis.barh(labels, values, color="#0b57d0", edgecolor="#111", hatch=None)
        for bar, hatch in zip(bars, hatches, strict=True):
            bar.set_hatch(hatch)
            if hatch:
                bar.set_facecolor("#9db8ec")
        axis.bar_label(bars, labels=[fmt(v) for v in values], padding=4, fontsize=14)
        axis.set_title(title, fontsize=17, loc="left")
        axis.tick_params(labelsize=14)
        axis.invert_yaxis()
        axis.spines[["top", "right"]].set_visible(False)
        axis.set_xlim(0, max(float(values.max()) * 1.2, 1))
    left.set_xlim(0, 115)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    alt = "; ".join(f"{lab}: {s:.0f}% hộ có tài khoản, {_n(int(h))} người được hỗ trợ"
                    for lab, s, h in zip(labels, share, rows["helped"], strict=True))
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return (f'<img class="cdsd-chart" src="data:image/png;base64,{encoded}" '
            f'alt="{esc(alt)}" style="max-width:100%">')


def _table(frame: pd.DataFrame) -> str:
    head = ("<tr><th>Phường</th><th>Khu phố</th><th class='num'>Người được hỗ trợ</th>"
            "<th class='num'>Hộ có TK DVC / số hộ</th><th class='num'>Có định danh điện tử</th>"
            "<th>Điểm hỗ trợ</th></tr>")
    body = []
    for row in frame.sort_values(["ward", "khu_pho"]).itertuples():
        share = row.households_with_account / row.households if row.households else 0
        eid = row.with_eid / row.adults if row.adults else 0
        body.append(
            f"<tr><td>{esc(row.ward)}</td><td>{esc(row.khu_pho)}</td>"
            f"<td class='num'>{_n(row.helped)}</td>"
            f"<td class='num'>{_n(row.households_with_account)}/{_n(row.households)} "
            f"({_pct(share)})</td><td class='num'>{_pct(eid)}</td>"
            f"<td>{'✔ Có' if row.support_point else '✘ Chưa'}</td></tr>")
    return f'<table class="cdsd-table cdsd-adoption">{head}{"".join(body)}</table>'


def default_course() -> Path:
    """The course whose gradebook feeds the training panel (``CONGDANSO_KHOA_HOC`` overrides)."""
    chosen = os.environ.get("CONGDANSO_KHOA_HOC")
    return Path(chosen) if chosen else SAMPLE.parents[2] / "exercises"


class Dashboard(OutreachApp):
    def __init__(self, csv_path: str | Path | None = SAMPLE, course: str | Path | None = None):
        self.course = Path(course) if course else default_course()
        self.frame: pd.DataFrame | None = None
        self.source = ""
        self.ward = widgets.Dropdown(description="Lọc theo phường", options=[ALL],
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="520px"))
        self.ward.observe(lambda _: self._render(), "value")
        self.upload = widgets.FileUpload(accept=".csv,text/csv", multiple=False,
                                         description="Tải báo cáo của phường (CSV)",
                                         layout=widgets.Layout(width="auto"))
        self.upload.observe(self._on_upload, "value")
        self.notice = html()
        self.figures = html()
        self.chart = html()
        self.table = html()
        self.training = html()
        sample = base64.b64encode(SAMPLE.read_bytes()).decode() if SAMPLE.exists() else ""
        download = (f'<a download="bao-cao-phuong-mau.csv" href="data:text/csv;base64,{sample}">'
                    "⬇ Tải tệp mẫu để phường điền</a>" if sample else "")
        self.widget = frame([
            banner("Bảng theo dõi chuyển đổi số theo khu phố",
                   "Người dân được hỗ trợ, hộ có tài khoản Cổng DVC, điểm hỗ trợ, định danh "
                   "điện tử — và tiến độ tập huấn tình nguyện viên"),
            side_by_side([self.ward, self.upload]),
            html(download), self.notice, self.figures, self.chart, self.table,
            self.training], name="dashboard")
        if csv_path is not None and Path(csv_path).exists():
            self.load(Path(csv_path).read_bytes(), Path(csv_path).name)
        else:
            self.notice.value = message("Chưa có số liệu: tải lên báo cáo CSV của phường.", "note")

    def load(self, data: bytes, name: str) -> bool:
        """Use a ward's file; on a bad file say why and keep what is on screen."""
        try:
            frame = read_ward_csv(data)
        except DataError as exc:
            self.notice.value = message(f"Không dùng được tệp \"{name}\": {exc}", "error")
            return False
        self.frame, self.source = frame, name
        wards = sorted(frame["ward"].unique())
        keep = self.ward.value if self.ward.value in wards else ALL
        self.ward.options = [ALL, *wards]  # resets the choice to the first option…
        self.ward.value = keep  # …so put the ward back (this draws the figures)
        self._render()
        self.notice.value = message(f"Đang xem: {name} — {len(frame)} khu phố, "
                                    f"{len(wards)} phường.", "ok")
        return True

    def _on_upload(self, change) -> None:
        upload = uploaded_file(change["new"])
        if upload is not None:
            self.load(upload[1], upload[0])

    def filtered(self) -> pd.DataFrame:
        assert self.frame is not None
        if self.ward.value == ALL:
            return self.frame
        return self.frame[self.frame["ward"] == self.ward.value]

    def _render(self) -> None:
        if self.frame is None:
            return
        rows = self.filtered()
        t = totals(rows)
        where = self.ward.value
        self.figures.value = (
            f"<h2>{esc(where)}</h2>"
            f'<div class="cdsd-figure">Người dân được hỗ trợ<b>{_n(t.helped)}</b></div>'
            f'<div class="cdsd-figure">Hộ có tài khoản DVC<b>{_n(t.households_with_account)}/'
            f"{_n(t.households)}</b>{_pct(t.account_share)} số hộ</div>"
            f'<div class="cdsd-figure">Khu phố có điểm hỗ trợ<b>{t.with_point}/{t.khu_pho}</b>'
            f"</div>"
            f'<div class="cdsd-figure">Có định danh điện tử<b>{_pct(t.eid_share)}</b>'
            f"{_n(t.with_eid)}/{_n(t.adults)} người trưởng thành</div>")
        self.chart.value = _chart(rows)
        self.table.value = "<h3>Chi tiết theo khu phố</h3>" + _table(rows)
        self.training.value = self._training(where)

    def _training(self, where: str) -> str:
        from congdanso.cohort.gradebook import has_gradebook
        from congdanso.cohort.report import load_report

        head = "<h3>Tiến độ tập huấn tình nguyện viên</h3>"
        if not has_gradebook(self.course):
            return head + message(
                f"Chưa có sổ điểm ở {self.course}. Giảng viên chấm bài (congdanso autograde) "
                "thì phần này hiện số tình nguyện viên sẵn sàng theo khu phố.", "note")
        try:
            report = load_report(self.course)
        except Exception as exc:  # a locked or damaged gradebook must not take the page down
            return head + message(f"Không đọc được sổ điểm ({type(exc).__name__}). Thử lại sau "
                                  "khi giảng viên chấm xong.", "warn")
        table = report.by_khu_pho
        if where != ALL:
            table = table[[str(i).endswith(where) for i in table.index]]
        if table.empty:
            return head + message(f"Chưa có học viên nào của {where} trong sổ điểm.", "note")
        ready, learners = int(table["ready"].sum()), int(table["learners"].sum())
        rows = "".join(f"<tr><td>{esc(place)}</td><td class='num'>{int(r.learners)}</td>"
                       f"<td class='num'>{int(r.ready)}</td></tr>"
                       for place, r in table.iterrows())
        return (head + f'<div class="cdsd-figure">Sẵn sàng hỗ trợ người dân<b>{ready}/'
                f"{learners}</b>tình nguyện viên</div>"
                '<table class="cdsd-table cdsd-training"><tr><th>Khu phố, phường</th>'
                "<th class='num'>Học viên</th><th class='num'>Đạt đủ năng lực</th></tr>"
                f"{rows}</table>")
