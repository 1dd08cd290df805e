"""The server extension of learner mode: ``/hoc`` and the lessons and exercises as Voilà pages.

- ``GET /hoc``: the home page (lessons with progress, the class's exercises, registration on
  one machine); ``POST /hoc/nhan-bai``, ``/hoc/nhan-xet``, ``/hoc/dang-ky``: receive an exercise,
  receive the trainer's comments, give one's name (one machine); ``GET /hoc/xem-nhan-xet/<bài>``:
  the comments as a page.
- Voilà (its server extension, ``/voila/render/…``) renders pages with the template
  ``congdanso-hoc`` (Vietnamese loading text, large print) and a prelaunch hook
  (:func:`prepare_page`) that gives lessons the lesson bar and takes out what only makes sense in
  JupyterLab (cells tagged ``jupyterlab``) and the exercise's grade cells (the grader decides
  from the journal; the page's "Kiểm tra" shows progress).
- Kernels of closed pages are culled (no page connected for ``cull_after`` seconds); a page
  still open keeps its kernel.

Settings (``LearnerMode``): ``lessons`` (the lessons' folder, relative to the server's root),
``work`` (the folder exercises are received into), ``course`` (one machine: the course folder,
for registering the learner and releasing exercises). Every handler requires the server's own
login (Jupyter's token or the class server's), and POSTs its xsrf token.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from urllib.parse import quote, unquote

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets import Integer, Unicode
from traitlets.config import Configurable

from congdanso.learner import pages, progress

TEMPLATE = "congdanso-hoc"


class LearnerMode(Configurable):
    lessons = Unicode("course", help="The lessons' folder, relative to the server's root"
                      ).tag(config=True)
    work = Unicode("", help="Folder the learner receives exercises into, relative to the root "
                   "('' = the root)").tag(config=True)
    course = Unicode("", help="One machine: the nbgrader course folder (registration, release)"
                     ).tag(config=True)
    cull_after = Integer(300, help="Seconds a kernel with no page connected is kept"
                         ).tag(config=True)


class Context:
    """What every handler needs: the folders and the one-machine class, if any."""

    def __init__(self, mode: LearnerMode, root: Path):
        self.root = root.resolve()
        self.lessons_rel = mode.lessons.strip("/")
        self.lessons = (self.root / self.lessons_rel).resolve()
        self.work = (self.root / mode.work.strip("/")).resolve() if mode.work else self.root
        self.machine = None
        if mode.course:
            from congdanso.learner.machine import Machine

            self.machine = Machine(mode.course, self.work)
            os.environ.update(self.machine.environment())

    def urls(self, base: str) -> pages.Urls:
        return pages.Urls(base if base.endswith("/") else base + "/", self.lessons_rel)

    def relative(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None


class LearnerHandler(JupyterHandler):
    def initialize(self, context: Context):
        self.context = context

    @property
    def urls(self) -> pages.Urls:
        return self.context.urls(self.base_url)

    def _back(self, said: str, ok: bool, *, where: str = "", typed: dict | None = None) -> None:
        """After a POST: back to the home page, at the place the learner acted (an exercise's
        card, the name form), with what happened said there; what was typed is kept."""
        note = {"text": said, "ok": ok, "where": where, "typed": typed or {}}
        self.set_secure_cookie("cds_said", json.dumps(note, ensure_ascii=False),
                               expires_days=None, path=self.base_url, httponly=True)
        anchor = {"": "#thong-bao", "dang-ky": "#dang-ky"}.get(where, f"#bt-{where}")
        self.redirect(self.urls.home + anchor)

    def _said(self) -> dict:
        raw = self.get_secure_cookie("cds_said", max_age_days=1)
        self.clear_cookie("cds_said", path=self.base_url)
        try:
            note = json.loads(raw) if raw else {}
            return note if isinstance(note, dict) else {}
        except (ValueError, TypeError):
            return {}


class HomeHandler(LearnerHandler):
    @tornado.web.authenticated
    def get(self):
        from congdanso.cohort.roster import ROLES

        ctx = self.context
        said = self._said()
        where = str(said.get("where", ""))
        shown = pages.message(str(said.get("text", "")), bool(said.get("ok")))
        states = progress.states(ctx.lessons)
        who = ctx.machine.learner() if ctx.machine else None
        register, note, items = "", "", []
        if ctx.machine is not None and who is None:
            from congdanso.learner.machine import choices

            typed = said.get("typed") if isinstance(said.get("typed"), dict) else {}
            register = pages.register_form(choices(), ROLES, xsrf=self.xsrf_token.decode(),
                                           urls=self.urls, typed=typed,
                                           said=shown if where == "dang-ky" else "")
        else:
            items, note = self._exercises()
        for item in items:
            if item.name == where:
                item.said = shown
        # said at the top unless it belongs to the name form or to an exercise's card
        top = "" if where == "dang-ky" or any(i.name == where for i in items) else shown
        body = (top + pages.lessons_section(states, self.urls)
                + pages.exercises_section(items, xsrf=self.xsrf_token.decode(), urls=self.urls,
                                          note=note, register=register)
                + pages.footer(self.urls, who.name if who else "") + pages.FOCUS_SAID)
        self.set_header("Cache-Control", "no-store")
        self.finish(pages.page("Công Dân Số — trang chính", body,
                               heading="Công Dân Số — khoá học của bạn",
                               sub="Học từng bài theo thứ tự, rồi làm bài tập của lớp."))

    def _exercises(self) -> tuple[list[pages.Exercise], str]:
        from congdanso.cohort import classwork

        ctx = self.context
        listing = classwork.works(ctx.work)
        if not listing.ok and listing.message != classwork.NOT_IN_CLASS:
            return [], pages.message(listing.message, False)
        if ctx.machine is not None:  # one machine: every exercise of the course can be received
            found = {work.name: work for work in listing.works}
            for name in ctx.machine.available():
                found.setdefault(name, classwork.Work(name, classwork.title_of(name),
                                                      released=True))
            order = {name: i for i, name in
                     enumerate(dict.fromkeys(classwork.timetable_order(ctx.work)))}
            works = sorted(found.values(), key=lambda w: (order.get(w.name, len(order)), w.name))
        elif listing.message == classwork.NOT_IN_CLASS:
            return [], pages.message(
                "Máy này chưa nối với lớp học nào, nên chưa có bài tập để nhận. Các bài học vẫn "
                "học được. Khi giảng viên phát bài, trang này sẽ hiện bài tập.", True).replace(
                    "✔ ", "ℹ ")
        else:
            works = listing.works
        if not works:
            return [], ('<p class="note">ℹ Giảng viên chưa phát bài nào. Khi giảng viên báo đã '
                        "phát, tải lại trang này.</p>")
        items = []
        for work in works:
            item = pages.Exercise(work.name, work.title, work.words(),
                                  can_receive=work.released and not work.received)
            if work.received:
                page = next((p for p in work.notebooks if p.suffix == ".ipynb"), None)
                rel = ctx.relative(page) if page else None
                if rel:
                    item.open_url = self.urls.render(rel)
            item.feedback_ready = work.feedback_ready
            if work.feedback:
                item.feedback_url = self.urls.base + "hoc/xem-nhan-xet/" + quote(work.name)
            items.append(item)
        return items, ""


def _known(context: Context, name: str) -> bool:
    """An exercise of the course or of the class's exchange (never a path)."""
    from congdanso.cohort import classwork

    if not name or "/" in name or "\\" in name or name.startswith("."):
        return False
    if context.machine is not None and name in context.machine.available():
        return True
    return any(work.name == name for work in classwork.works(context.work).works)


class ReceiveHandler(LearnerHandler):
    @tornado.web.authenticated
    def post(self):
        from congdanso.cohort import classwork

        name = self.get_body_argument("bai", "")
        ctx = self.context
        if not _known(ctx, name):
            return self._back("Không có bài tập này trong lớp. Tải lại trang chính rồi chọn "
                              "lại.", False)
        if ctx.machine is not None:
            if ctx.machine.learner() is None:
                return self._back("Hãy cho biết họ tên trước khi nhận bài.", False,
                                  where="dang-ky")
            if name not in ctx.machine.available():
                return self._back(f"Khoá học không có bài \"{name}\".", False)
            try:
                if not (ctx.machine.course / "release" / name).is_dir() or not any(
                        w.name == name and w.released for w in classwork.works(ctx.work).works):
                    ctx.machine.ensure_released(name)
            except Exception as exc:  # the course's own tools said why
                return self._back(f"Chưa nhận được bài ({str(exc).splitlines()[0][:200]}). "
                                  "Nhờ giảng viên xem lại khoá học.", False, where=name)
        done = classwork.fetch(name, ctx.work)
        self._back(done.message, done.ok, where=name)


class FeedbackHandler(LearnerHandler):
    @tornado.web.authenticated
    def post(self):
        from congdanso.cohort import classwork

        name = self.get_body_argument("bai", "")
        if not _known(self.context, name):
            return self._back("Không có bài tập này trong lớp. Tải lại trang chính rồi chọn "
                              "lại.", False)
        done = classwork.fetch_feedback(name, self.context.work)
        self._back(done.message, done.ok, where=name)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except (ValueError, OSError):
        return False


class ShowFeedbackHandler(LearnerHandler):
    """The newest comments on one exercise, from the learner's own folder (a regular file
    inside it; a link out of it is not followed)."""

    @tornado.web.authenticated
    def get(self, name: str):
        from congdanso.cohort import classwork

        name = unquote(name)
        work = next((w for w in classwork.works(self.context.work).works if w.name == name), None)
        files = [p for p in (work.feedback if work else [])
                 if p.is_file() and not p.is_symlink() and _inside(p, self.context.work)]
        if not files:
            raise tornado.web.HTTPError(404, "no feedback")
        newest = max(files, key=lambda p: p.stat().st_mtime)
        if newest.stat().st_size > 5 * 2**20:
            raise tornado.web.HTTPError(413, "feedback too large")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        # the page is shown as it is, but runs no script and reaches nothing
        self.set_header("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                        "font-src data:; form-action 'none'; base-uri 'none'; "
                        "frame-ancestors 'none'")
        page = newest.read_text("utf-8", errors="replace")
        back = (f'<nav aria-label="Chuyển trang" style="font-family:\'DejaVu Sans\',sans-serif;'
                f'font-size:20px;margin:8px 0 16px 0"><a href="{self.urls.home}#bai-tap" '
                'style="display:inline-block;padding:10px 16px;border:2px solid #0b3d91;'
                'border-radius:10px;color:#0b3d91;font-weight:700">☰ Về trang chính</a></nav>')
        at = page.find(">", page.lower().find("<body")) + 1 if "<body" in page.lower() else 0
        self.finish(page[:at] + back + page[at:])


class RegisterHandler(LearnerHandler):
    @tornado.web.authenticated
    def post(self):
        from congdanso.learner.machine import NotRegistered

        machine = self.context.machine
        if machine is None:
            raise tornado.web.HTTPError(404)
        typed = {"name": self.get_body_argument("ho_ten", "")[:80],
                 "khu_pho": self.get_body_argument("khu_pho", "")[:80],
                 "role": self.get_body_argument("vai_tro", "")[:80]}
        try:
            who = machine.register(typed["name"], typed["khu_pho"], typed["role"])
        except NotRegistered as exc:
            return self._back(str(exc), False, where="dang-ky", typed=typed)
        os.environ.update(machine.environment())  # kernels started from now on know who
        self._back(f"Đã lưu: bạn là {who.name} (mã học viên {who.id}). Giờ có thể nhận bài: "
                   "bấm Nhận bài ở bài tập bạn muốn làm.", True)


# -- Voilà pages ------------------------------------------------------------------------------
def _markdown(html: str):
    import nbformat

    cell = nbformat.v4.new_markdown_cell(html)
    cell.metadata["tags"] = ["congdanso-hoc"]
    return cell


def _only_in_lab(cell) -> bool:
    return "jupyterlab" in (cell.get("metadata", {}).get("tags") or [])


def prepare_page(handler, notebook=None, cwd=None, *, context: Context):
    """Voilà's prelaunch hook: the lesson bar on lessons, no JupyterLab-only cells, and an
    exercise page without its grade cells (they only declare what the grader checks)."""
    if notebook is None:
        return None
    prefix = url_path_join(handler.base_url, "voila/render/")
    path = unquote(handler.request.path)
    rel = path[len(prefix):] if path.startswith(prefix) else ""
    target = (context.root / rel).resolve()
    urls = context.urls(handler.base_url)
    cells = [cell for cell in notebook.cells if not _only_in_lab(cell)]
    if target.parent == context.lessons and progress.LESSON_NAME.match(target.name):
        states = progress.states(context.lessons)
        index = next((i for i, s in enumerate(states) if s.lesson.file == target.name), None)
        if index is not None:
            notebook.metadata["title"] = f"{states[index].lesson.label} · Công Dân Số"
            cells = [_markdown(pages.lesson_bar(states, index, urls)), *cells,
                     _markdown(pages.lesson_bar(states, index, urls, where="cuoi"))]
    elif any("nbgrader" in cell.get("metadata", {}) for cell in cells):
        from congdanso.cohort.classwork import title_of

        title = title_of(target.parent.name)
        notebook.metadata["title"] = f"{title} · Công Dân Số"
        cells = [cell for cell in cells
                 if not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
                 and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "o-cham"]
        cells = [_markdown(pages.exercise_bar(title, urls)), *cells,
                 _markdown(pages.exercise_bar(title, urls, where="cuoi"))]
    notebook.cells = cells
    return notebook


def use_learner_pages(server_app, context: Context, cull_after: int) -> None:
    """Voilà's settings for learner pages; read by Voilà's extension, which loads after ours."""
    from congdanso.demos.server import LAB_EXTENSIONS_OFF, use_our_templates

    use_our_templates()
    config = server_app.config
    voila = config.VoilaConfiguration
    voila.template = TEMPLATE
    voila.theme = "light"
    voila.show_tracebacks = False
    voila.strip_sources = True
    voila.prelaunch_hook = functools.partial(prepare_page, context=context)
    # Voilà's /voila/files/ route asks nobody who is calling (a plain static handler): it would
    # hand any picture under the root, a learner's or a hand-in, to anyone who asks. Lesson
    # pages carry their pictures inside them, so it serves nothing here.
    voila.file_allowlist = []
    voila.extension_denylist = list(LAB_EXTENSIONS_OFF)
    config.VoilaExecutor.cell_error_instruction = (
        "Trang gặp lỗi khi mở. Tải lại trang; nếu vẫn vậy, nhờ giảng viên.")
    config.HTMLExporter.language_code = "vi"
    manager = server_app.kernel_manager
    if not manager.cull_idle_timeout:  # pages closed, laptops asleep: their kernels go
        manager.cull_idle_timeout = cull_after
        manager.cull_interval = max(10, min(60, cull_after // 3))
        manager.cull_connected = False  # a page still open keeps its kernel
        manager.cull_busy = False


def _load_jupyter_server_extension(server_app):
    mode = LearnerMode(parent=server_app)
    context = Context(mode, Path(server_app.root_dir))
    use_learner_pages(server_app, context, mode.cull_after)
    base = server_app.web_app.settings["base_url"]
    options = {"context": context}
    server_app.web_app.add_handlers(".*$", [
        (url_path_join(base, "hoc"), HomeHandler, options),
        (url_path_join(base, "hoc/"), HomeHandler, options),
        (url_path_join(base, "hoc/nhan-bai"), ReceiveHandler, options),
        (url_path_join(base, "hoc/nhan-xet"), FeedbackHandler, options),
        (url_path_join(base, "hoc/dang-ky"), RegisterHandler, options),
        (url_path_join(base, r"hoc/xem-nhan-xet/([^/]+)"), ShowFeedbackHandler, options),
    ])
    server_app.log.info("Công Dân Số: chế độ học viên tại %shoc", base)
