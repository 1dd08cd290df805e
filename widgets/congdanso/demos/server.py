"""Serve the outreach apps with Voilà: ``congdanso demos`` (or ``make demos``).

What it adds to a plain ``voila demos/``:

- **A home page** at ``/`` in Vietnamese that lists the apps with what each is for.
- **Pre-started kernels.** Each app has a kernel that already ran the notebook
  (``VoilaConfiguration.preheat_kernel``), so a page opens with its widgets ready; the pool is
  refilled in the background after each use.
- **Closed pages free their kernel.** On page close the browser sends
  ``POST /voila/api/shutdown/<kernel>`` with ``navigator.sendBeacon``, which cannot carry Voilà's
  ``_xsrf`` token, so Voilà 0.5 refuses it with 403 (voila-dashboards/voila#1458) and the kernel
  (about 54 MiB) stays until the server stops. Here that route accepts a request whose
  ``Origin`` (or ``Referer``) is this server, instead of the token, so the kernel is shut down.
- **Idle culling** as the second line: a kernel with no page connected for ``cull_after``
  seconds (a laptop put to sleep, a browser that crashed) is shut down.
- **Status** at ``/congdanso/trang-thai`` (JSON): kernels running, kernels waiting in the pool,
  memory of the server and its kernels.

- **Pages that never connect** (a link preview, a crawler, a tab closed while loading) take a
  kernel out of the pool but never open its websocket; such a kernel is shut down after
  ``unconnected_after`` seconds (60 by default), not after the 15-minute cull.
- **Only its own host names.** A request whose ``Host`` is not 127.0.0.1, localhost or a name
  the trainer added (``--ten-may``) is refused: a web page elsewhere that re-points its own name at
  this machine (DNS rebinding) can neither list nor stop kernels.

Only 127.0.0.1 is served: the apps are for the presenter's own screen or projector.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import tornado.ioloop
import tornado.routing
import tornado.web
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from traitlets import Bool, Integer, List, Unicode, default
from traitlets.config import Config
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

from congdanso.ui.base import esc

DEMOS = Path(__file__).resolve().parents[3] / "demos"


@dataclass(frozen=True)
class App:
    notebook: str
    icon: str
    title: str
    text: str


APPS: tuple[App, ...] = (
    App("01-diem-ho-tro.ipynb", "①", "Trình chiếu điểm hỗ trợ",
        "Đi cùng một người dân từng bước: VNeID mức 2 → đăng nhập Cổng DVC → nộp hồ sơ điền "
        "sẵn → trả lệ phí bằng QR → ký hợp đồng lao động bằng chữ ký số."),
    App("02-bang-theo-doi.ipynb", "②", "Bảng theo dõi theo khu phố",
        "Người dân được hỗ trợ, hộ có tài khoản Cổng DVC, khu phố có điểm hỗ trợ, định danh "
        "điện tử — từ tệp CSV của phường; và tiến độ tập huấn tình nguyện viên."),
    App("03-kiem-tra-truoc-khi-tra-tien.ipynb", "③", "Kiểm tra trước khi trả tiền / ký",
        "Dán hoặc tải ảnh mã VietQR để xem ngân hàng, tài khoản, người nhận, số tiền; thả tệp "
        "PDF để xem chữ ký số có hợp lệ không."),
    App("04-tro-choi-lua-dao.ipynb", "④", "Trò chơi nhận diện lừa đảo",
        "Thẻ tình huống cho khán giả giơ tay: lừa đảo hay an toàn? Lật đáp án, giải thích, "
        "điều cần nhớ."),
)


def _same_origin(handler: tornado.web.RequestHandler) -> bool:
    """True when the request comes from a page of this server (Origin, else Referer)."""
    source = handler.request.headers.get("Origin") or handler.request.headers.get("Referer")
    if not source:
        return False
    return urlparse(source).netloc == handler.request.host


class PageClosedHandler(VoilaShutdownKernelHandler):
    """``/voila/api/shutdown/<kernel>`` that a page's unload beacon can reach (voila#1458).

    The xsrf token guards against another site making the browser post here; a same-origin
    check gives the same guarantee for a beacon, which can send neither the token nor a header.
    """

    def check_xsrf_cookie(self) -> None:
        if not _same_origin(self):
            raise tornado.web.HTTPError(403, "shutdown request from another site")

    async def post(self, kernel_id):
        if kernel_id not in self.kernel_manager:
            self.set_status(404)
            return self.finish()
        return await super().post(kernel_id)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# The course's JupyterLab extensions (nbgrader, jupytext, notebook, Voilà's preview button) fail
# to load in Voilà's page and slow every page load down: the apps and learner pages leave them out.
LAB_EXTENSIONS_OFF = ("@jupyter/nbgrader", "jupyterlab-jupytext",
                      "@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview")


class ForeignHost(tornado.routing.Matcher):
    """Matches a request whose Host header is not one of the allowed names."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = {name.lower() for name in allowed}

    def match(self, request):
        host = (request.host_name or "").lower().strip("[]")
        return None if host in self.allowed else {}


class ForeignHostHandler(tornado.web.RequestHandler):
    def prepare(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không được "
                    "phép</title><h1>Không được phép</h1><p>Máy chủ trình chiếu chỉ trả lời khi "
                    "được mở bằng địa chỉ 127.0.0.1 hoặc localhost (hoặc tên máy giảng viên đã "
                    "thêm bằng --ten-may).</p></html>")


def tree_memory(process) -> tuple[int, int]:
    """Resident memory (bytes) of a ``psutil.Process`` and all its children, and their count."""
    import psutil

    rss = process.memory_info().rss
    children = process.children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):  # it may have ended meanwhile
            rss += child.memory_info().rss
    return rss, len(children)


def server_status(kernel_manager) -> dict:
    import psutil

    me = psutil.Process()
    rss, children = tree_memory(me)
    pools = getattr(kernel_manager, "_pools", {})
    return {
        "kernels": len(kernel_manager.list_kernel_ids()),
        "pooled": {name: len(pool) for name, pool in pools.items()},
        "ready": {name: sum(1 for task in pool if task.done()) for name, pool in pools.items()},
        "processes": 1 + children,
        "memory_mib": round(rss / 2**20, 1),
        "server_mib": round(me.memory_info().rss / 2**20, 1),
    }


class StatusHandler(tornado.web.RequestHandler):
    def get(self):
        status = server_status(self.settings["kernel_manager"])
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(status, ensure_ascii=False))


HOME = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Công Dân Số — ứng dụng trình chiếu</title>
<style>
body {{ font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 22px;
  color: #111; background: #f5f7fb; margin: 0; line-height: 1.5; }}
header {{ background: #0b3d91; color: #fff; padding: 18px 32px; }}
header h1 {{ margin: 0; font-size: 1.8em; }} header p {{ margin: 4px 0 0 0; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 16px 24px; }}
ul.apps {{ list-style: none; padding: 0; display: grid;
  grid-template-columns: repeat(auto-fill, minmax(min(460px, 100%), 1fr)); gap: 18px; }}
ul.apps li {{ background: #fff; border: 3px solid #0b57d0; border-radius: 18px; padding: 16px; }}
ul.apps a {{ color: #0b3d91; font-size: 1.3em; font-weight: 700; text-decoration: underline; }}
a:focus {{ outline: 4px solid #111; outline-offset: 3px; box-shadow: 0 0 0 9px #ffd400; }}
* {{ box-sizing: border-box; }} body {{ overflow-wrap: anywhere; }}
.icon {{ font-size: 1.6em; margin-right: 8px; }}
.tips {{ background: #fff7d6; border-left: 8px solid #b08800; padding: 8px 16px; }}
footer {{ color: #333; font-size: .8em; padding: 12px 24px; }}
</style></head>
<body><header><h1>Công Dân Số — ứng dụng trình chiếu</h1>
<p>Cho buổi hỗ trợ người dân và sự kiện cộng đồng. Mọi người, số liệu và mã QR đều là mô phỏng.</p>
</header><main>
<ul class="apps">{items}</ul>
<div class="tips"><b>Mẹo trình chiếu:</b> nhấn F11 để toàn màn hình; Ctrl và + để chữ to hơn;
phím Tab đi qua các nút, Enter hoặc phím cách để bấm.</div>
</main><footer>Máy chủ: {status}</footer></body></html>
"""


class HomeHandler(tornado.web.RequestHandler):
    def initialize(self, apps: tuple[App, ...], root: Path, base_url: str):
        self.apps, self.root, self.base_url = apps, root, base_url

    def get(self):
        known = {app.notebook for app in self.apps}
        # a notebook a trainer added to the folder is listed too, under its file name
        extra = [App(path.name, "•", path.stem, "Ứng dụng do giảng viên thêm vào thư mục.")
                 for path in sorted(self.root.glob("*.ipynb")) if path.name not in known]
        items = "".join(
            f'<li><span class="icon" aria-hidden="true">{app.icon}</span>'
            f'<a href="{esc(url_path_join(self.base_url, "voila/render", quote(app.notebook)))}">'
            f"{esc(app.title)}</a><p>{esc(app.text)}</p></li>"
            for app in (*self.apps, *extra) if (self.root / app.notebook).exists())
        status = server_status(self.settings["kernel_manager"])
        waiting = sum(status["pooled"].values())
        line = (f"{status['kernels']} kernel đang chạy ({waiting} chờ sẵn cho trang mới mở), "
                f"bộ nhớ {status['memory_mib']:.0f} MiB.")
        self.set_header("Cache-Control", "no-store")
        self.finish(HOME.format(items=items, status=esc(line)))


class DemoServer(Voila):
    """Voilà serving ``demos/`` with the home page, beacon-safe shutdown, status and culling."""

    name = "congdanso-demos"
    description = "Phục vụ các ứng dụng trình chiếu của Công Dân Số bằng Voilà"
    page_closed_fix = Bool(True,
                           help="Shut down a closed page's kernel (voila#1458).").tag(config=True)
    cull_after = Integer(900, help="Seconds without a page before a kernel is shut down"
                         ).tag(config=True)
    course = Unicode("", help="nbgrader course whose gradebook the dashboard reads"
                     ).tag(config=True)
    unconnected_after = Integer(60, help="Seconds before the kernel of a page that never "
                                "connected is shut down").tag(config=True)
    allowed_hosts = List(Unicode(), help="Host names served besides 127.0.0.1 and localhost"
                         ).tag(config=True)

    def listen(self):
        allowed = {*LOCAL_HOSTS, *self.allowed_hosts}
        if self.ip not in ("", "0.0.0.0", "::"):
            allowed.add(self.ip)
        # First rule of all: a foreign Host header gets a refusal, whatever the path.
        self.app.default_router.rules.insert(
            0, tornado.routing.Rule(ForeignHost(allowed), ForeignHostHandler))
        self._handed_out: dict[str, float] = {}
        self._connected: set[str] = set()
        tornado.ioloop.PeriodicCallback(self._reap_unconnected,
                                        max(1000, self.unconnected_after * 1000 // 6)).start()
        return super().listen()

    def _pooled(self) -> set[str]:
        ids = set()
        for pool in getattr(self.kernel_manager, "_pools", {}).values():
            for item in pool:
                with contextlib.suppress(Exception):
                    if item.done():
                        ids.add(item.result()["kernel_id"])
                    else:
                        ids.add("…")  # still starting: not yet a page's
        return ids

    async def _reap_unconnected(self) -> None:
        """Shut down kernels handed to a page that never opened its websocket."""
        import time

        manager = self.kernel_manager
        now = time.monotonic()
        pooled = self._pooled()
        connections = getattr(manager, "_kernel_connections", {})
        for kernel_id in list(manager.list_kernel_ids()):
            if kernel_id in pooled or kernel_id in self._connected:
                continue
            if connections.get(kernel_id, 0) > 0:
                self._connected.add(kernel_id)
                continue
            since = self._handed_out.setdefault(kernel_id, now)
            if now - since >= self.unconnected_after:
                self.log.info("Kernel %s: trang không kết nối sau %s giây, tắt.", kernel_id,
                              self.unconnected_after)
                self._handed_out.pop(kernel_id, None)
                with contextlib.suppress(Exception):
                    await manager.shutdown_kernel(kernel_id)
        alive = set(manager.list_kernel_ids())
        self._connected &= alive
        for gone in set(self._handed_out) - alive:
            self._handed_out.pop(gone, None)

    @default("ip")
    def _default_ip(self):
        return "127.0.0.1"

    def init_settings(self):
        if self.course:
            os.environ["CONGDANSO_KHOA_HOC"] = str(Path(self.course).resolve())
        return super().init_settings()

    def init_handlers(self):
        handlers = super().init_handlers()
        ours = [
            (url_path_join(self.server_url, "/"), HomeHandler,
             {"apps": APPS, "root": Path(self.root_dir), "base_url": self.base_url}),
            (url_path_join(self.server_url, "/congdanso/trang-thai"), StatusHandler),
        ]
        # Voilà serves lab extensions with "no-cache", so each page load revalidates a dozen
        # files; their names carry a content hash, so the browser may keep them.
        ours.append((url_path_join(self.server_url, r"/voila/labextensions/(.*)"),
                     FileFindHandler, {"path": self.labextensions_path, "no_cache_paths": []}))
        if self.page_closed_fix:
            ours.append((url_path_join(self.server_url, r"/voila/api/shutdown/(.*)"),
                         PageClosedHandler))
        return ours + handlers  # tornado takes the first pattern that matches


def config(*, prestart: bool = True, cull_after: int = 900) -> Config:
    c = Config()
    c.VoilaConfiguration.preheat_kernel = prestart
    c.VoilaConfiguration.default_pool_size = 1
    c.VoilaConfiguration.template = "congdanso"  # lab, without CDN links (share/voila/...)
    c.HTMLExporter.language_code = "vi"
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.extension_denylist = list(LAB_EXTENSIONS_OFF)
    # Refill the pool only after the page that took the kernel has had time to load: on two
    # cores, a kernel starting up while the browser parses Voilà's scripts slows both down.
    c.VoilaKernelManager.fill_delay = 4
    c.MappingKernelManager.cull_idle_timeout = cull_after
    c.MappingKernelManager.cull_interval = max(5, min(60, cull_after // 3))
    c.MappingKernelManager.cull_connected = False
    c.MappingKernelManager.cull_busy = False
    return c


def use_our_templates() -> None:
    """Make Jupyter find our Voilà template (``share/voila/templates/congdanso``)."""
    ours = str(Path(__file__).resolve().parent / "share")
    paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if ours not in paths:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([ours, *[p for p in paths if p]])


def serve(*, root: Path = DEMOS, port: int = 8866, open_browser: bool = True,
          prestart: bool = True, cull_after: int = 900, course: str | None = None,
          page_closed_fix: bool = True, hosts: list[str] | None = None,
          unconnected_after: int = 60) -> None:
    """Run the server until Ctrl+C (blocks)."""
    argv = [str(root), f"--port={port}", f"--Voila.open_browser={open_browser}",
            f"--DemoServer.cull_after={cull_after}",
            f"--DemoServer.page_closed_fix={page_closed_fix}",
            f"--DemoServer.unconnected_after={unconnected_after}"]
    if hosts:
        argv.append("--DemoServer.allowed_hosts=" + json.dumps(list(hosts)))
    if course:
        argv.append(f"--DemoServer.course={course}")
    use_our_templates()
    print("Công Dân Số: máy chủ trình chiếu đang khởi động; các ứng dụng sẵn sàng sau khoảng "
          "20 giây. Dừng bằng Ctrl+C.", file=sys.stderr, flush=True)
    DemoServer.launch_instance(argv, config=config(prestart=prestart, cull_after=cull_after))
