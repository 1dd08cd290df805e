"""``congdanso hoc`` (``make start``): the course on this machine, in learner mode.

JupyterLab's server with the learner-mode extension and Voilà; the browser opens on ``/hoc``,
the course's home page. Everything Jupyter keeps on this machine for the course — settings,
JupyterLab's layout, runtime files, the nbgrader cache — lives in the course's own folder
``.may-hoc/``: the user's ``~/.jupyter`` and ``~/.local/share/jupyter`` are neither read nor
changed. Received exercises go to ``bai-tap-cua-toi/``; the course is ``exercises/``.

``--dien-thoai`` also serves the machine's local network, so a phone on the same Wi-Fi opens the
course: the address (with its access key) is printed with a QR code to scan.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from pathlib import Path

STATE = ".may-hoc"
WORK = "bai-tap-cua-toi"
# JupyterLab's settings for the course (Vietnamese, large text) and its first layout
JUPYTER_CONFIG = Path(__file__).resolve().parents[2] / "jupyter-config"
LAYOUT = JUPYTER_CONFIG / "workspaces" / "hoc-vien.jupyterlab-workspace"


def local_address() -> str | None:
    """This machine's address on the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def environment(repo: Path) -> dict[str, str]:
    """The course's own Jupyter folders (created on first use)."""
    state = repo / STATE
    folders = {"JUPYTER_CONFIG_DIR": state / "jupyter-config",
               "JUPYTER_DATA_DIR": state / "jupyter-data",
               "JUPYTER_RUNTIME_DIR": state / "runtime",
               "JUPYTERLAB_SETTINGS_DIR": state / "lab-settings",
               "JUPYTERLAB_WORKSPACES_DIR": state / "lab-workspaces",
               "IPYTHONDIR": state / "ipython"}
    env = {}
    for name, folder in folders.items():
        if name == "JUPYTER_RUNTIME_DIR" and os.environ.get(name):
            env[name] = os.environ[name]  # a test or a service gives its own
            continue
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    return env


def first_layout(repo: Path, workspaces: Path) -> None:
    """JupyterLab (for trainers and the curious) first opens with the sidebars closed."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    manager = WorkspacesManager(str(workspaces))
    source = LAYOUT
    if source.exists() and not any(w["metadata"]["id"] == "default" for w in manager.list_workspaces()):
        data = json.loads(source.read_text("utf-8"))
        data.setdefault("metadata", {})["id"] = "default"
        manager.save("default", json.dumps(data, ensure_ascii=False))


def learner_plugins(config: Path) -> None:
    """The machine's JupyterLab is a learner's, as on the class server: without nbgrader's
    trainer tools and its English "Validate" button (kept if the file was changed by hand)."""
    from congdanso.hub.spawner import LEARNER_PLUGINS_OFF

    target = config / "labconfig" / "page_config.json"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"disabledExtensions": dict.fromkeys(LEARNER_PLUGINS_OFF,
                                                                           True)}, indent=1))


def command(repo: Path, *, port: int, ip: str, open_browser: bool) -> list[str]:
    # a Python literal, as traitlets reads a Dict from the command line
    extensions = repr({"congdanso.learner": True, "voila.server_extension": True,
                       "nbgrader.server_extensions.formgrader": False,
                       "nbgrader.server_extensions.course_list": False,
                       # it asks npm for language servers (and npm writes logs in ~/.npm)
                       "jupyter_lsp": False})
    args = [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.ip={ip}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={repo}", "--LabApp.default_url=/hoc",
            f"--ServerApp.jpserver_extensions={extensions}",
            f"--ServerApp.open_browser={open_browser}",
            "--LearnerMode.lessons=course", f"--LearnerMode.work={WORK}",
            "--LearnerMode.course=exercises",
            f"--LabApp.app_settings_dir={JUPYTER_CONFIG}"]
    if ip not in ("127.0.0.1", "localhost"):  # the Wi-Fi reaches it: no shell through it
        args.append("--ServerApp.terminals_enabled=False")
    if os.geteuid() == 0:
        args.append("--allow-root")
    return args


def run(repo: str | os.PathLike[str] = ".", *, port: int = 8888, phone: bool = False,
        open_browser: bool = True) -> int:
    repo = Path(repo).resolve()
    if not (repo / "course").is_dir() or not (repo / "exercises").is_dir():
        print(f"{repo} không phải thư mục khoá học Công Dân Số (thiếu course/ hoặc exercises/). "
              "Chạy lệnh trong thư mục khoá học, hoặc dùng make start.", file=sys.stderr)
        return 2
    # the access key is given in the environment, not on the command line others can list
    token = secrets.token_urlsafe(18)
    env = {**os.environ, **environment(repo), "JUPYTER_TOKEN": token}
    first_layout(repo, Path(env["JUPYTERLAB_WORKSPACES_DIR"]))
    learner_plugins(Path(env["JUPYTER_CONFIG_DIR"]))
    (repo / WORK).mkdir(exist_ok=True)
    from congdanso.learner.machine import Machine

    Machine(repo / "exercises", repo / WORK).configure()
    ip = "0.0.0.0" if phone else "127.0.0.1"
    print(f"Công Dân Số: mở http://127.0.0.1:{port}/hoc?token={token} trên máy này. "
          "Dừng bằng Ctrl+C.", flush=True)
    if phone:
        address = local_address()
        if address is None:
            print("Máy chưa nối mạng nội bộ (Wi-Fi): điện thoại chưa mở được khoá học.",
                  flush=True)
        else:
            url = f"http://{address}:{port}/hoc?token={token}"
            print(f"Trên điện thoại (cùng mạng Wi-Fi), quét mã QR này hoặc mở {url}", flush=True)
            print("Chú ý: ai có địa chỉ này (kèm khoá) trong cùng mạng đều mở được khoá học trên "
                  "máy này; chỉ dùng ở mạng Wi-Fi tin cậy, không chiếu mã lên màn hình chung.",
                  flush=True)
            try:
                import segno

                segno.make(url, error="m").terminal(compact=True)
            except Exception:  # a terminal that cannot draw it: the address is printed
                pass
    args = command(repo, port=port, ip=ip, open_browser=open_browser)
    os.chdir(repo)
    os.execvpe(args[0], args, env)
    return 0  # not reached
