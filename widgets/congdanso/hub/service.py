"""The live view as a JupyterHub service (``/services/lop-hoc/``): only the trainer may open it.

Run by the hub (``congdanso hub`` adds it); reads the codes file for who is in the class and
their home folders, and never writes anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pwd
import signal
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado import ioloop, web

from congdanso.hub.codes import CODES_FILE, TRAINER
from congdanso.hub.disk import read_notes
from congdanso.hub.liveview import ClassView, page, summary, table
from congdanso.world.core.clock import VIETNAM


def class_homes(course: Path) -> dict[str, Path]:
    """Learners of the class (the codes sheet) who have logged in at least once."""
    try:
        names = json.loads((course / CODES_FILE).read_text("utf-8"))["codes"]
    except (OSError, ValueError, KeyError):
        return {}
    homes = {}
    for name in names:
        if name == TRAINER:
            continue
        try:
            homes[name] = Path(pwd.getpwnam(name).pw_dir)
        except KeyError:
            homes[name] = Path("/nonexistent") / name  # not logged in yet: "Chưa bắt đầu"
    return homes


class LivePage(HubOAuthenticated, web.RequestHandler):
    def initialize(self, course: Path, view: ClassView, refresh: int) -> None:
        self.course, self.view, self.refresh = course, view, refresh

    @web.authenticated
    def get(self):
        self.view.homes = class_homes(self.course)
        self.view.notes = read_notes(self.course)
        self.set_header("Cache-Control", "no-store")
        rows = self.view.rows()
        if self.get_argument("phan", "") == "bang":  # the page refreshing its table
            self.write({"table": table(rows), "summary": summary(rows),
                        "time": dt.datetime.now(VIETNAM).strftime("%H:%M:%S")})
            return
        token = self.xsrf_token
        self.write(page(rows, refresh=self.refresh,
                        xsrf=token.decode() if isinstance(token, bytes) else token))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Trang theo dõi lớp học (dịch vụ của JupyterHub)")
    parser.add_argument("--course", required=True)
    parser.add_argument("--refresh", type=int, default=15)
    parser.add_argument("--exchange", default=None, help="the class's nbgrader exchange")
    args = parser.parse_args(argv)
    course = Path(args.course)
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    view = ClassView({}, exchange=Path(args.exchange) if args.exchange else None)
    app = web.Application([
        (prefix.rstrip("/") + "/?", LivePage, {"course": course, "view": view,
                                               "refresh": args.refresh}),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port, url.hostname)
    # the hub stops its services with SIGINT (then SIGTERM 30 s later): heed it even when
    # started with it ignored, and end quietly (no English traceback in the trainer's terminal)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(KeyboardInterrupt):
        ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
