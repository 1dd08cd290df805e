"""The hub's login: learner id + the 8-digit code printed on the class sheet (:mod:`codes`).

A session lasts as long as the code that opened it. Each login keeps, in JupyterHub's encrypted
auth_state, which sheet and which code it used; JupyterHub asks :meth:`CodeAuthenticator.
refresh_user` again every ``REFRESH_SECONDS`` (for cookies, API tokens and the OAuth tokens the
learner's JupyterLab checks with the hub), and a session whose code expired or was replaced (a
new sheet, ``congdanso hub ket-thuc``) is ended: its tokens revoked, its cookies void, its server
stopped. Nothing of a session outlives its code by much more than a minute.

Who is logging in is the proxy's word only: headers a client sends itself are not trusted
(:func:`client_address`), and every connection from the server itself is one address. A browser
that logged in gets a device cookie (``congdanso-thiet-bi``, signed with the hub's cookie secret,
HttpOnly, only for ``/hub/``): with it, the wrong tries others make for that id do not keep it
out (:mod:`codes`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import secrets
import sys
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.utils import new_token
from traitlets import Unicode, default

from congdanso.hub.codes import DEVICE_DAYS, TRAINER, Checker, CodeError

REFRESH_SECONDS = 30  # hub refresh + single-user cache: an ended session stops within ~1 min
CRYPT_KEY_FILE = "jupyterhub_crypt_key"
DEVICE_COOKIE = "congdanso-thiet-bi"
SERVER = "máy chủ"  # every connection from this machine's loopback: one address
_STOPPING: set[asyncio.Future] = set()  # servers being stopped in the background


class CodeLoginHandler(LoginHandler):
    """JupyterHub's login page, with our reason for a refusal instead of its English one."""

    def _render(self, login_error=None, username=None, **kwargs):
        if login_error:
            login_error = getattr(self, "_congdanso_error", None) or (
                "Mã học viên hoặc mã đăng nhập chưa đúng. Đọc lại phiếu.")
        return super()._render(login_error=login_error, username=username, **kwargs)


class CodeAuthenticator(Authenticator):
    """Logs a learner in with their id and class code; the trainer ("giang-vien") is the admin.
    A refusal says in Vietnamese what was wrong (the login page shows it). Sessions end with
    their code (module docstring): the defaults below are what that needs, and JupyterHub
    refuses to start without a key for auth_state (``c.CryptKeeper.keys``, :func:`crypt_key`)."""

    course = Unicode(help="the nbgrader course folder that holds the class's codes").tag(
        config=True)

    @default("enable_auth_state")
    def _keep_which_code(self) -> bool:
        return True

    @default("auth_refresh_age")
    def _refresh_often(self) -> int:
        return REFRESH_SECONDS

    @default("auth_refresh_strict")
    def _refuse_stale_tokens(self) -> bool:
        return True  # JupyterHub 6.1: API and OAuth tokens of a stale user are refused too

    @default("refresh_pre_spawn")
    def _refresh_before_spawn(self) -> bool:
        return True

    def _checker(self) -> Checker:
        if getattr(self, "_codes", None) is None or self._codes.course != Path(self.course):
            self._codes = Checker(Path(self.course))
        return self._codes

    async def authenticate(self, handler, data):
        address = "" if handler is None else client_address(handler.request)
        if address is None:  # the client hung up: nobody would read the answer
            return None
        try:
            login = await self._checker().login(data.get("username", ""),
                                                data.get("password", ""), address,
                                                device=device_cookie(handler))
        except CodeError as exc:
            if handler is not None:
                handler._congdanso_error = str(exc)  # shown by our login page
            self.log.info("Đăng nhập bị từ chối (%s): %s", address, str(exc)[:80])
            return None
        if handler is not None:
            user = handler.find_user(login.name)
            if user is not None and await user.get_auth_state() != login.mark:
                # the last session was opened with an older code: nothing of it may come back
                # to life with this login (a cookie or token left on someone else's machine)
                await end_session(handler, user, wait=True)
            keep_device(handler, login.device)
        return {"name": login.name, "admin": login.name == TRAINER, "auth_state": login.mark}

    async def refresh_user(self, user, handler=None):
        """True while the code that opened the session is still the learner's; otherwise the
        session is ended and the learner must log in again with their new code."""
        if self._checker().current(user.name, await user.get_auth_state()):
            return True
        self.log.warning("Phiên của %s đã hết: mã đã hết hạn hoặc được thay. Phải đăng nhập "
                         "lại bằng mã mới.", user.name)
        if handler is not None:
            await end_session(handler, user, wait=False)
        return False

    def get_handlers(self, app):
        return [(r"/login", CodeLoginHandler)]


def device_cookie(handler) -> str | None:
    """The browser's device cookie when the hub's signature on it holds (None otherwise, and
    for a handler without cookies: an in-process call)."""
    read = getattr(handler, "get_secure_cookie", None)
    if read is None:
        return None
    value = read(DEVICE_COOKIE, max_age_days=DEVICE_DAYS)
    return value.decode("utf-8", "replace") if value else None


def keep_device(handler, value: str) -> None:
    """Sets the device cookie after a login: signed with the hub's cookie secret, HttpOnly,
    sent only to the hub's pages (never to a learner's server under /user/), only over HTTPS
    when the login came over HTTPS, for ``DEVICE_DAYS``."""
    write = getattr(handler, "set_secure_cookie", None)
    if write is None or not value:
        return
    public = getattr(handler, "settings", {}).get("public_url")
    https = (getattr(handler.request, "protocol", "http") == "https"
             or getattr(public, "scheme", "") == "https")
    path = getattr(getattr(handler, "hub", None), "base_url", None) or "/hub/"
    write(DEVICE_COOKIE, value, expires_days=DEVICE_DAYS, max_age=DEVICE_DAYS * 86400,
          httponly=True, secure=https, samesite="Strict", path=path)


async def end_session(handler, user, *, wait: bool) -> None:
    """Everything a user's earlier logins left stops working: API and OAuth tokens (the
    learner's JupyterLab checks its own with the hub) and pending OAuth codes are deleted, the
    hub cookie no longer names the user, and their running servers stop (awaited at a login;
    in the background when a request is being refused, which may come from that very server)."""
    db = handler.db
    orm_user = user.orm_user
    for token in [*orm_user.api_tokens, *orm_user.oauth_codes]:
        db.delete(token)
    orm_user.cookie_id = new_token()
    db.commit()
    running = [name for name, spawner in list(user.spawners.items())
               if spawner.active and not spawner.pending]
    if not running:
        return
    stopping = asyncio.gather(*(handler.stop_single_user(user, name) for name in running),
                              return_exceptions=True)

    def done(future: asyncio.Future) -> None:
        _STOPPING.discard(future)
        for problem in [] if future.cancelled() else future.result():
            if isinstance(problem, Exception):  # the session is over all the same
                handler.log.warning("Không tắt được máy của %s: %s", user.name, problem)

    stopping.add_done_callback(done)
    if wait:
        await stopping
    else:
        _STOPPING.add(stopping)


def client_address(request, *, proxy_uid: int | None = None) -> str | None:
    """Where a login comes from, as far as the hub can know it — never from a header the
    client chose.

    Tornado (JupyterHub runs it with ``xheaders``) takes ``remote_ip`` from X-Real-Ip, which a
    client sets at will, and configurable-http-proxy passes it on. So: when the TCP peer is the
    proxy (a socket of this machine owned by the hub's own account, ``proxy_uid``), the address
    is the last X-Forwarded-For hop, the one the proxy appended; any other peer on this machine
    (a learner's kernel calling the hub's port directly, whatever headers it sends) is
    ``SERVER``; a peer elsewhere is its address. IPv6 addresses count by /64, the block one
    device is given. Loopback addresses (127.0.0.0/8, ::1, IPv4-mapped loopback) are all
    ``SERVER``, "the server itself": a kernel binding 127.0.0.2, 127.0.0.3 … (through the proxy
    or not) is one address, like the trainer's browser on the server. A request made in-process
    (no connection) has only ``remote_ip``; a connection already closed gives None."""
    connection = getattr(request, "connection", None)
    if connection is None:
        return _address(request.remote_ip or "") or request.remote_ip
    stream = getattr(connection, "stream", None)
    sock = getattr(stream, "socket", None)
    if sock is None:
        return None
    try:
        peer, local = sock.getpeername(), sock.getsockname()
    except OSError:
        return None
    if not isinstance(peer, tuple):  # a Unix socket: only this machine's accounts reach it
        return "unix"
    owner = socket_owner(peer, local)
    if owner is not None and owner == (os.geteuid() if proxy_uid is None else proxy_uid):
        hops = ",".join(request.headers.get_list("X-Forwarded-For")).split(",")
        forwarded = _address(hops[-1])
        if forwarded:
            return forwarded
    if owner is not None:  # this machine, whichever of its addresses it used
        return SERVER
    return _address(peer[0]) or str(peer[0])


def _address(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return SERVER
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def socket_owner(peer: tuple, local: tuple) -> int | None:
    """The account owning the other end of a TCP connection whose ends are ``peer`` and
    ``local`` (as this side's socket names them), when that end is on this machine (Linux's
    /proc/net/tcp, /proc/net/tcp6); None otherwise."""
    wanted = {}
    for table, a, b in _proc_forms(peer, local):
        wanted.setdefault(table, set()).add((a, b))
    for table, pairs in wanted.items():
        try:
            lines = Path("/proc/net", table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 7 and (fields[1], fields[2]) in pairs:
                return int(fields[7])
    return None


def _proc_forms(peer: tuple, local: tuple) -> list[tuple[str, str, str]]:
    """How /proc/net/tcp{,6} print the peer's socket (its local end first): each 32-bit word
    of the address in the machine's byte order, then the port, in hex."""
    forms = []
    for tcp6 in (False, True):
        ends = []
        for host, port in (peer[:2], local[:2]):
            ip = ipaddress.ip_address(host)
            if ip.version == 6 and ip.ipv4_mapped and not tcp6:
                ip = ip.ipv4_mapped
            elif ip.version == 4 and tcp6:
                ip = ipaddress.IPv6Address(f"::ffff:{ip}")
            if (ip.version == 6) != tcp6:
                break
            packed = ip.packed
            if sys.byteorder == "little":
                packed = b"".join(packed[i:i + 4][::-1] for i in range(0, len(packed), 4))
            ends.append(f"{packed.hex().upper()}:{port:04X}")
        if len(ends) == 2:
            forms.append(("tcp6" if tcp6 else "tcp", ends[0], ends[1]))
    return forms


def crypt_key(folder: Path) -> str:
    """The key JupyterHub encrypts auth_state with (``c.CryptKeeper.keys``): made once in the
    hub's private folder (0600), kept across restarts so sessions survive them."""
    from congdanso.cohort.gradebook import write_private

    path = Path(folder) / CRYPT_KEY_FILE
    try:
        key = path.read_text("ascii").strip()
    except (OSError, ValueError):
        key = ""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        key = secrets.token_hex(32)
        write_private(path, key + "\n")
    path.chmod(0o600)
    return key
