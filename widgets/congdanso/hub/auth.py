"""The hub's login: learner id + the 8-digit code printed on the class sheet (:mod:`codes`)."""

from __future__ import annotations

from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from traitlets import Unicode

from congdanso.hub.codes import TRAINER, Checker, CodeError


class CodeLoginHandler(LoginHandler):
    """JupyterHub's login page, with our reason for a refusal instead of its English one."""

    def _render(self, login_error=None, username=None, **kwargs):
        if login_error:
            login_error = getattr(self, "_congdanso_error", None) or (
                "Mã học viên hoặc mã đăng nhập chưa đúng. Đọc lại phiếu.")
        return super()._render(login_error=login_error, username=username, **kwargs)


class CodeAuthenticator(Authenticator):
    """Logs a learner in with their id and class code; the trainer ("giang-vien") is the admin.
    A refusal says in Vietnamese what was wrong (the login page shows it)."""

    course = Unicode(help="the nbgrader course folder that holds the class's codes").tag(
        config=True)

    def _checker(self) -> Checker:
        if getattr(self, "_codes", None) is None or self._codes.course != Path(self.course):
            self._codes = Checker(Path(self.course))
        return self._codes

    async def authenticate(self, handler, data):
        try:
            name = self._checker().check(data.get("username", ""), data.get("password", ""))
        except CodeError as exc:
            if handler is not None:
                handler._congdanso_error = str(exc)  # shown by our login page
            self.log.info("Đăng nhập bị từ chối: %s", str(exc)[:80])
            return None
        return {"name": name, "admin": name == TRAINER}

    def get_handlers(self, app):
        return [(r"/login", CodeLoginHandler)]
