"""The learner's pages in HTML: the home page (lessons, class exercises, registration on one
machine) and the lesson bar each lesson and exercise page carries. Pure functions of what they
show, so tests read them without a server."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from congdanso.learner.progress import LessonState, next_lesson


def esc(text: object) -> str:
    """As ``congdanso.ui.base.esc``, without bringing ipywidgets into the Jupyter server."""
    return html.escape(str(text))


STYLE = """
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 20px;
  line-height: 1.55; color: #111; background: #f5f7fb; margin: 0; overflow-wrap: anywhere; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 10; }
header.top { background: #0b3d91; color: #fff; padding: 14px 20px; }
header.top h1 { margin: 0; font-size: 1.5em; }
header.top p { margin: 4px 0 0 0; }
main { max-width: 980px; margin: 0 auto; padding: 8px 14px 40px 14px; }
h2 { font-size: 1.3em; margin: 26px 0 8px 0; }
a { color: #0b3d91; }
a:focus, button:focus, input:focus, select:focus { outline: 4px solid #111; outline-offset: 2px;
  box-shadow: 0 0 0 8px #ffd400; }
.card { background: #fff; border: 2px solid #9aa7bd; border-radius: 14px; padding: 12px 16px;
  margin: 10px 0; }
.card h3 { margin: 0 0 4px 0; font-size: 1.1em; }
.card p { margin: 4px 0; }
ol.lessons { list-style: none; padding: 0; margin: 0; }
.go, button { display: inline-block; min-height: 48px; padding: 10px 18px; border-radius: 10px;
  font-size: 1em; font-family: inherit; font-weight: 700; text-decoration: none; cursor: pointer;
  border: 2px solid #0b3d91; background: #fff; color: #0b3d91; margin: 6px 8px 6px 0;
  line-height: 1.3; }
.go.primary, button.primary { background: #0b57d0; border-color: #0b57d0; color: #fff; }
.state { font-weight: 700; }
.note { background: #eef3ff; border-left: 8px solid #0b3d91; padding: 10px 14px; }
.ok { background: #e8f5e9; border-left: 8px solid #1b5e20; padding: 10px 14px; }
.error { background: #fdecea; border-left: 8px solid #8b0000; padding: 10px 14px;
  color: #5c0000; font-weight: 600; }
form.register label { display: block; font-weight: 700; margin: 12px 0 4px 0; }
form.register input, form.register select { width: 100%; max-width: 560px; min-height: 48px;
  font-size: 1em; font-family: inherit; border: 2px solid #555; border-radius: 8px;
  padding: 6px 10px; background: #fff; color: #111; }
form.inline { display: inline; }
footer { color: #333; font-size: .85em; border-top: 1px solid #ccd; margin-top: 30px;
  padding-top: 10px; }
"""

BAR_STYLE = """
<style>
nav.cds-bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center;
  background: #0b3d91; color: #fff; padding: 10px 12px; border-radius: 12px; margin: 8px 0 16px 0;
  font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 19px; }
nav.cds-bar a { color: #0b3d91; background: #fff; border-radius: 10px; padding: 8px 14px;
  min-height: 46px; display: inline-flex; align-items: center; font-weight: 700;
  text-decoration: none; }
nav.cds-bar a:focus { outline: 4px solid #111; outline-offset: 2px; box-shadow: 0 0 0 8px #ffd400; }
nav.cds-bar .where { flex: 1 1 100%; color: #fff; }
nav.cds-bar a[rel="next"] { margin-left: auto; }
nav.cds-bar .where b { color: #fff; }
nav.cds-bar[data-at="cuoi"] { margin-top: 28px; }
</style>
"""


@dataclass(frozen=True)
class Urls:
    """The links of the learner's pages (``base``: the server's base URL, ending in "/")."""

    base: str
    lessons: str  # the lessons' folder, relative to the server's root ("course", "khoa-hoc")

    @property
    def home(self) -> str:
        return self.base + "hoc"

    def lesson(self, file: str) -> str:
        path = f"{self.lessons}/{file}" if self.lessons else file
        return self.render(path)

    def render(self, path: str) -> str:
        return self.base + "voila/render/" + quote(path)

    @property
    def lab(self) -> str:
        return self.base + "lab"


def lesson_bar(all_states: Sequence[LessonState], index: int, urls: Urls, *,
               where: str = "dau") -> str:
    """Bài trước · Mục lục · Bài tiếp, with the place in the course and the lessons done."""
    current = all_states[index]
    done = sum(1 for s in all_states if s.done)
    links = []
    if index > 0:
        before = all_states[index - 1].lesson
        links.append(f'<a href="{esc(urls.lesson(before.file))}" rel="prev" '
                     f'aria-label="Bài trước: {esc(before.label)}">← Bài trước</a>')
    links.append(f'<a href="{esc(urls.home)}">☰ Mục lục</a>')
    if index + 1 < len(all_states):
        after = all_states[index + 1].lesson
        links.append(f'<a href="{esc(urls.lesson(after.file))}" rel="next" '
                     f'aria-label="Bài tiếp: {esc(after.label)}">Bài tiếp →</a>')
    else:
        links.append(f'<a href="{esc(urls.home)}#bai-tap">Bài tập của lớp →</a>')
    label = "Chuyển bài" if where == "dau" else "Chuyển bài (cuối trang)"
    return (f'{BAR_STYLE}<nav class="cds-bar" aria-label="{label}" data-at="{where}">'
            f'<span class="where">Bài {esc(current.lesson.code)} (bài {index + 1} trong '
            f"{len(all_states)}) · trước khi mở bài này, bạn đã học xong <b>{done}</b> bài"
            "</span>" + "".join(links) + "</nav>")


def exercise_bar(title: str, urls: Urls, *, where: str = "dau") -> str:
    label = "Chuyển trang" if where == "dau" else "Chuyển trang (cuối trang)"
    return (f'{BAR_STYLE}<nav class="cds-bar" aria-label="{label}" data-at="{where}">'
            f'<span class="where">Bài tập có chấm điểm: <b>{esc(title)}</b></span>'
            f'<a href="{esc(urls.home)}#bai-tap">☰ Về trang chính</a></nav>')


def page(title: str, body: str, *, heading: str, sub: str = "") -> str:
    return ("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
            '<a class="skip" href="#noi-dung">Đến nội dung chính</a>'
            f'<header class="top"><h1>{esc(heading)}</h1>'
            + (f"<p>{esc(sub)}</p>" if sub else "")
            + f'</header><main id="noi-dung" tabindex="-1">{body}</main></body></html>')


@dataclass
class Exercise:
    """One exercise as the home page shows it."""

    name: str
    title: str
    state: str                     # in words, with a symbol
    can_receive: bool = False
    open_url: str = ""             # the learner's copy, as a page
    feedback_ready: bool = False
    feedback_url: str = ""
    said: str = ""                 # what the learner's last press on this card did


def lessons_section(all_states: Sequence[LessonState], urls: Urls) -> str:
    going = next_lesson(list(all_states))
    done = sum(1 for s in all_states if s.done)
    top = ""
    if going is not None:
        verb = "Học tiếp" if any(s.started for s in all_states) else "Bắt đầu học"
        top = (f'<p><a class="go primary" href="{esc(urls.lesson(going.lesson.file))}">'
               f"{verb}: {esc(going.lesson.label)}</a></p>")
    elif all_states:
        top = '<p class="ok">✔ Bạn đã học xong mọi bài học. Hãy làm các bài tập của lớp.</p>'
    items = "".join(
        f'<li class="card"><h3><a href="{esc(urls.lesson(s.lesson.file))}">'
        f"{esc(s.lesson.label)}</a></h3><p class=\"state\">{esc(s.words())}</p>"
        + (f"<p>Khoảng {s.lesson.minutes} phút.</p>" if s.lesson.minutes else "") + "</li>"
        for s in all_states)
    return (f'<section id="bai-hoc" aria-labelledby="bai-hoc-tieu-de"><h2 id="bai-hoc-tieu-de">'
            f"Bài học (đã học xong {done}/{len(all_states)})</h2>{top}"
            f'<ol class="lessons">{items}</ol></section>')


def exercises_section(items: Sequence[Exercise], *, xsrf: str, urls: Urls, note: str = "",
                      register: str = "") -> str:
    out = ['<section id="bai-tap" aria-labelledby="bai-tap-tieu-de">'
           '<h2 id="bai-tap-tieu-de">Bài tập của lớp</h2>',
           "<p>Bài tập được chấm điểm: mỗi người một tình huống riêng. Bấm <b>Nhận bài</b>, rồi "
           "<b>Làm bài</b>. Làm xong, bấm <b>Nộp bài cho giảng viên</b> ở cuối trang bài tập. "
           "Nộp lại được; giảng viên chấm lần nộp cuối.</p>"]
    if note:
        out.append(note)
    if register:
        out.append(register)
    for item in items:
        parts = [f'<div class="card" id="bt-{esc(item.name)}"><h3>{esc(item.title)}</h3>'
                 f'<p class="state">{esc(item.state)}</p>{item.said}']
        if item.can_receive:
            parts.append(_post(urls.base + "hoc/nhan-bai", xsrf, item.name,
                               f"Nhận bài: {item.title}", primary=True))
        if item.open_url:
            parts.append(f'<a class="go primary" href="{esc(item.open_url)}">Làm bài: '
                         f"{esc(item.title)}</a>")
        if item.feedback_ready:
            parts.append(_post(urls.base + "hoc/nhan-xet", xsrf, item.name,
                               f"Nhận nhận xét của giảng viên: {item.title}"))
        if item.feedback_url:
            parts.append(f'<a class="go" href="{esc(item.feedback_url)}">Xem nhận xét: '
                         f"{esc(item.title)}</a>")
        parts.append("</div>")
        out.append("".join(parts))
    return "".join(out) + "</section>"


def _post(action: str, xsrf: str, name: str, label: str, *, primary: bool = False) -> str:
    kind = ' class="primary"' if primary else ""
    return (f'<form class="inline" method="post" action="{esc(action)}">'
            f'<input type="hidden" name="_xsrf" value="{esc(xsrf)}">'
            f'<input type="hidden" name="bai" value="{esc(name)}">'
            f"<button{kind} type=\"submit\">{esc(label)}</button></form>")


def register_form(choices: Sequence[tuple[str, Sequence[str]]], roles: Sequence[str], *,
                  xsrf: str, urls: Urls, typed: dict[str, str] | None = None,
                  said: str = "") -> str:
    """The one-machine learner gives name, khu phố and role once. Checked by the server (its
    messages are Vietnamese; the browser's own for an empty field are not); what was typed is
    put back when something is to fix."""
    typed = typed or {}
    groups = "".join(
        f'<optgroup label="{esc(ward)}">' + "".join(
            f'<option value="{esc(k)}"{" selected" if typed.get("khu_pho") == k else ""}>'
            f"{esc(k)} ({esc(ward)})</option>" for k in khu) + "</optgroup>"
        for ward, khu in choices)
    role_options = "".join(
        f'<option{" selected" if typed.get("role") == r else ""}>{esc(r)}</option>'
        for r in roles)
    return (f'<form id="dang-ky" class="register card" method="post" '
            f'action="{esc(urls.base)}hoc/dang-ky" novalidate>'
            "<h3>Bạn là ai? (chỉ hỏi một lần)</h3>"
            "<p>Máy này là một lớp học một người. Cho biết họ tên để bài nộp mang tên bạn và "
            "giảng viên chấm được.</p>"
            f'<input type="hidden" name="_xsrf" value="{esc(xsrf)}">'
            '<label for="ho-ten">Họ và tên</label>'
            f'<input id="ho-ten" name="ho_ten" autocomplete="name" maxlength="80" '
            f'value="{esc(typed.get("name", ""))}">'
            '<label for="khu-pho">Khu phố nơi bạn hỗ trợ người dân</label>'
            '<select id="khu-pho" name="khu_pho">'
            '<option value="">— chọn khu phố —</option>'
            f"{groups}</select>"
            '<label for="vai-tro">Vai trò</label>'
            f'<select id="vai-tro" name="vai_tro">{role_options}</select>'
            f"{said}"
            '<p><button class="primary" type="submit">Lưu tên của tôi</button></p></form>')


def message(text: str, ok: bool) -> str:
    if not text:
        return ""
    mark, kind, role = ("✔", "ok", "status") if ok else ("✘", "error", "alert")
    return (f'<div class="{kind}" role="{role}" id="thong-bao" tabindex="-1">{mark} '
            f"{esc(text)}</div>")


# What the last press did takes the keyboard focus (a screen reader reads it), in view.
FOCUS_SAID = """<script>
(function () { var said = document.getElementById("thong-bao");
  if (said) { said.focus({preventScroll: true}); said.scrollIntoView({block: "center"}); } })();
</script>"""


def footer(urls: Urls, who: str = "") -> str:
    return ("<footer>" + (f"<p>Đang học: <b>{esc(who)}</b>.</p>" if who else "")
            + "<p>Mọi người dân, số giấy tờ, tài khoản trong khoá học đều là mô phỏng.</p>"
            f'<p>Dành cho giảng viên và người muốn xem mã lệnh: <a href="{esc(urls.lab)}">mở '
            "JupyterLab</a> (giao diện lập trình).</p></footer>")
