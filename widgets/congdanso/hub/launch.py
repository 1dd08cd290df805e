"""``congdanso hub``: JupyterHub for one class on this machine.

The learners imported with ``congdanso roster import`` (and the trainer, "giang-vien", the hub's
admin) log in with the codes of ``congdanso hub ma``. configurable-http-proxy (npm, installed by
``make hub`` in ``deploy/``) serves everyone on one port; the idle culler stops servers nobody has
used for a while; the live view is the service ``/services/lop-hoc/``. Everything the hub keeps
(its database, cookie secret, proxy pid) lives in ``<khoá học>/.congdanso/hub/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

from traitlets.config import Config

from congdanso.hub.codes import TRAINER

REPO = Path(__file__).resolve().parents[3]
PROXY = REPO / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy"
TEMPLATES = Path(__file__).parent / "templates"
LIVE_VIEW = "lop-hoc"
EXCHANGE = Path("/srv/congdanso/trao-doi")  # outside the course: learners never enter that


class HubError(RuntimeError):
    """Why the class server cannot start, in Vietnamese."""


def proxy_command() -> str:
    found = PROXY if PROXY.exists() else shutil.which("configurable-http-proxy")
    if not found:
        raise HubError("Thiếu configurable-http-proxy (npm). Chạy \"make hub\" một lần, hoặc "
                       "\"cd deploy && npm install\".")
    return str(found)


def internal_ports(*wanted: int | None, taken: tuple[int, ...] = ()) -> list[int]:
    """``wanted`` with each None replaced by a port free on 127.0.0.1 now, all different from
    each other and from ``taken``: every probe stays bound until all are picked."""
    import contextlib
    import socket

    ports = list(wanted)
    avoid = set(taken) | {p for p in ports if p is not None}
    with contextlib.ExitStack() as probes:
        for i, port in enumerate(ports):
            while port is None:
                probe = probes.enter_context(socket.socket())
                probe.bind(("127.0.0.1", 0))
                found = probe.getsockname()[1]
                if found not in avoid:
                    port = found
                    avoid.add(found)
            ports[i] = port
    return ports


def hub_config(course: Path, *, ip: str = "0.0.0.0", port: int = 8000, memory_mb: int = 1536,
               idle_minutes: int = 30, exchange: Path | None = None,
               live_port: int | None = None, disk_mb: int = 1024,
               certificate: Path | None = None, key: Path | None = None,
               hub_port: int | None = None, proxy_api_port: int | None = None) -> Config:
    """The whole configuration, in Python: no jupyterhub_config.py to keep in step."""
    from congdanso.hub.auth import REFRESH_SECONDS, CodeAuthenticator, crypt_key
    from congdanso.hub.spawner import JUPYTER_CONFIG, CourseSpawner, first_layout

    course = course.resolve()
    runtime = course / ".congdanso" / "hub"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    from congdanso.cohort import exchange as exchanges
    from congdanso.cohort.gradebook import use_exchange
    from congdanso.hub.accounts import class_id
    from congdanso.hub.spawner import COURSE_ID

    close_course(course)
    # each class its own exchange: a learner id reused next month sees nothing of this class
    exchange = (exchange or EXCHANGE / class_id(course)).resolve()
    exchange.parent.mkdir(parents=True, exist_ok=True)
    try:
        exchanges.prepare(exchange, COURSE_ID)  # made by root before any learner logs in
    except PermissionError as exc:
        raise HubError(str(exc)) from None

    use_exchange(course, exchange)  # release, collect and feedback of the trainer go there
    bin_dir = Path(sys.executable).parent
    c = Config()
    c.JupyterHub.ip, c.JupyterHub.port = ip, port
    c.JupyterHub.hub_ip = "127.0.0.1"
    # the hub's own API, the proxy's and the live view's: given, or free ports picked now (not
    # JupyterHub's fixed 8081 and 8001), so two classes, or a test, run side by side
    hub_port, proxy_api_port, live_port = internal_ports(
        hub_port, proxy_api_port, live_port, taken=(port,))
    c.JupyterHub.hub_port = hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.JupyterHub.authenticator_class = CodeAuthenticator
    c.CodeAuthenticator.course = str(course)
    # each session keeps which code opened it (auth_state, encrypted with this key) and ends
    # with that code: CodeAuthenticator turns on auth_state and a short, strict refresh
    c.CryptKeeper.keys = [crypt_key(runtime)]
    c.Authenticator.allow_all = True  # who may log in is who holds a code
    c.Authenticator.admin_users = {TRAINER}
    c.JupyterHub.spawner_class = CourseSpawner
    c.CourseSpawner.memory_mb = memory_mb
    c.CourseSpawner.disk_mb = disk_mb
    c.CourseSpawner.exchange = str(exchange)
    c.CourseSpawner.course = str(course)
    layout = first_layout(runtime / "bo-cuc-ban-dau")
    c.CourseSpawner.layout = str(layout) if layout else ""
    c.Spawner.cmd = [str(bin_dir / "congdanso-singleuser")]  # jupyterhub-singleuser, faster
    c.Spawner.args = [f"--LabApp.app_settings_dir={JUPYTER_CONFIG}",
                      # a learner's Lab asks the hub about its token this often, so an ended
                      # session stops working there within about a minute (default: 5 minutes)
                      f"--HubOAuth.cache_max_age={REFRESH_SECONDS}"]
    c.Spawner.default_url = "/hoc"  # learner mode's home page (the trainer's: /lab)
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 90
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    if certificate or key:  # codes and cookies do not travel in clear on a shared Wi-Fi
        c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = https_files(certificate, key)
    c.JupyterHub.db_url = f"sqlite:///{runtime / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(runtime / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(runtime / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [proxy_command()]
    c.ConfigurableHTTPProxy.pid_file = str(runtime / "proxy.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
    c.JupyterHub.services = [
        {"name": "idle-culler",
         "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                     f"--timeout={idle_minutes * 60}", "--cull-every=60"]},
        {"name": LIVE_VIEW, "url": f"http://127.0.0.1:{live_port}",
         "command": [sys.executable, "-m", "congdanso.hub.service", "--course", str(course),
                     "--exchange", str(exchange)],
         "display": True, "oauth_no_confirm": True},
    ]
    c.JupyterHub.load_roles = [
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
        {"name": "theo-doi-lop", "users": [TRAINER],
         "scopes": [f"access:services!service={LIVE_VIEW}"]},
    ]
    os.environ.setdefault("CONFIGPROXY_AUTH_TOKEN", os.urandom(24).hex())
    return c


def close_course(course: Path) -> None:
    """The course folder is the trainer's: learners may not list or read it (classmates'
    submissions, scores, the roster, the gradebook, the exercises' sources)."""
    info = course.stat()
    course.chmod(info.st_mode & 0o7770)


def https_files(certificate: Path | None, key: Path | None) -> tuple[str, str]:
    """The trainer's certificate and key for HTTPS, checked before the hub starts."""
    if not (certificate and key):
        raise HubError("HTTPS cần cả chứng chỉ (--chung-chi) và khoá riêng (--khoa).")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        x509.load_pem_x509_certificate(Path(certificate).read_bytes())
    except (OSError, ValueError) as exc:
        raise HubError(f"Không đọc được chứng chỉ {certificate} (cần tệp PEM): {exc}") from None
    try:
        load_pem_private_key(Path(key).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise HubError(f"Không đọc được khoá riêng {key} (cần tệp PEM không đặt mật khẩu): "
                       f"{exc}") from None
    if Path(key).stat().st_mode & 0o077:
        raise HubError(f"Khoá riêng {key} đang cho người khác đọc: chmod 600 {key} rồi chạy lại.")
    return str(Path(certificate).resolve()), str(Path(key).resolve())


def unreachable_for_learners(paths: list[Path]) -> list[Path]:
    """Folders on the way to Python, the package or the lessons that other accounts may not
    pass through (a learner's server runs as the learner, not as root)."""
    blocked = []
    for path in paths:
        real = path.resolve()
        for folder in [*reversed(real.parents), real][1:]:
            if folder.is_dir() and not folder.stat().st_mode & 0o001 and folder not in blocked:
                blocked.append(folder)
    return blocked


def open_gradebook(course: Path, url: str | None = None, *, data: Path | None = None,
                   port: int | None = None, password: Path | None = None):
    """The class's PostgreSQL gradebook (its own cluster unless ``url`` is given), with the
    learners of the course's SQLite gradebook copied in; the trainer commands use it from now
    on. Returns the cluster to stop (None for a given URL)."""
    from congdanso.cohort.gradebook import use_gradebook
    from congdanso.cohort.roster import _tools_on_path
    from congdanso.hub.postgres import (
        DATA,
        PORT,
        LocalPostgres,
        PostgresError,
        copy_roster,
        given_url,
    )

    cluster = None
    try:
        if url is not None:
            url = given_url(url, password)
        else:
            cluster = LocalPostgres(data or DATA, port or PORT)
            url = cluster.start()
        _tools_on_path()
        copy_roster(course.resolve() / "gradebook.db", url)
    except PostgresError as exc:
        raise HubError(str(exc)) from None
    use_gradebook(course, url)
    return cluster


def heed_stop_signals() -> None:
    """Ctrl+C and SIGTERM reach what the hub starts. A process started with them ignored (a
    shell's background job ignores SIGINT) passes that on to the services JupyterHub starts
    before it installs its own handlers; the idle culler and the live view then ignored the
    SIGINT JupyterHub stops them with, and it waited 30 s for each before its SIGTERM."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run(course: Path, *, gradebook: str | None = None, gradebook_dir: Path | None = None,
        gradebook_port: int | None = None, gradebook_password: Path | None = None,
        **options) -> None:
    """Start the hub in this process until Ctrl+C (JupyterHub then stops every learner's
    server and the proxy; the gradebook's PostgreSQL stops after it)."""
    from jupyterhub.app import JupyterHub

    if os.geteuid() != 0:
        raise HubError("Máy chủ lớp cần quyền root: mỗi học viên có tài khoản hệ thống riêng. "
                       "Chạy lại bằng sudo.")
    from congdanso.hub.spawner import LESSONS

    blocked = unreachable_for_learners([Path(sys.executable), REPO / "widgets", LESSONS])
    if blocked:
        raise HubError("Tài khoản của học viên không đi qua được " + ", ".join(map(str, blocked))
                       + " để chạy Python và bài học. Cài Python và khoá học ở nơi mọi tài khoản "
                       "dùng được (ví dụ /opt, /usr/local), hoặc cho phép đi qua mà không xem "
                       "được nội dung: chmod o+x " + " ".join(map(str, blocked)))
    cluster = open_gradebook(course, gradebook, data=gradebook_dir, port=gradebook_port,
                             password=gradebook_password)
    try:
        config = hub_config(course, **options)
        os.chdir(course.resolve() / ".congdanso" / "hub")  # no stray jupyterhub_config.py
        heed_stop_signals()  # the services stop at once on Ctrl+C, not after a minute
        JupyterHub.instance(config=config)  # the singleton launch_instance then starts
        JupyterHub.launch_instance(argv=[])
    finally:
        if cluster is not None:
            cluster.stop()
