"""deploy/: what this machine can check of a Kubernetes deployment without a cluster: the YAML
files parse and agree with the one-machine class server; the hub's hook (congdanso.hub.kube, run
on a stand-in for KubeSpawner with what z2jh builds from the values) makes each learner's pod a
learner of their own; the pods' init steps ready a home and the exchange as on one machine; the
grading cluster's commands speak TLS only; and pip resolves the images' packages."""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VALUES = yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text("utf-8"))
GRADERS = yaml.safe_load((DEPLOY / "dask" / "cum-cham.yaml").read_text("utf-8"))


def test_the_z2jh_values_agree_with_the_one_machine_class_server():
    from congdanso.hub.codes import TRAINER
    from congdanso.hub.launch import LIVE_VIEW

    values = yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text("utf-8"))
    hub = values["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] == "congdanso.hub.auth.CodeAuthenticator"
    assert hub["Authenticator"]["admin_users"] == [TRAINER]
    assert LIVE_VIEW in values["hub"]["services"]
    assert values["hub"]["loadRoles"]["theo-doi-lop"]["users"] == [TRAINER]
    assert values["singleuser"]["memory"]["limit"] == "1536M"  # as `congdanso hub --bo-nho`
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 30 * 60
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert {"name": "trao-doi", "mountPath": "/srv/congdanso/trao-doi"} in mounts
    from congdanso.hub.launch import EXCHANGE

    assert str(EXCHANGE) == "/srv/congdanso/trao-doi"
    live = values["hub"]["services"][LIVE_VIEW]["command"]  # who handed in what, read-only
    assert live[live.index("--exchange") + 1] == str(EXCHANGE)
    assert {"name": "trao-doi", "mountPath": str(EXCHANGE), "readOnly": True} in values[
        "hub"]["extraVolumeMounts"]


class _Users:
    """The hub's database as the hook reads it: ``db.query(orm.User)``."""

    def __init__(self, users):
        self.users = users

    def query(self, table):
        from jupyterhub import orm

        assert table is orm.User
        return list(self.users)


def _hub_users():
    users = [SimpleNamespace(name="hv-01", id=7, admin=False),
             SimpleNamespace(name="hv-02", id=8, admin=False),
             SimpleNamespace(name="giang-vien", id=1, admin=True)]
    db = _Users(users)
    for user in users:
        user.db = db
    return {user.name: user for user in users}


def _spawner(user):
    """A stand-in for KubeSpawner with what z2jh's jupyterhub_config.py sets from the values
    (dynamic storage: dict traits keyed by name; extraVolumeMounts keyed "<i>-<name>"; the
    chart's own init container, a kubernetes client object)."""
    single = VALUES["singleuser"]
    storage = single["storage"]
    volumes = {"volume-{user_server}": {"name": "volume-{user_server}",
                                        "persistentVolumeClaim": {"claimName": "{pvc_name}"}}}
    mounts = {"volume-{user_server}": {"name": "volume-{user_server}", "subPath": None,
                                       "mountPath": storage["homeMountPath"]}}
    volumes |= {v["name"]: v for v in storage["extraVolumes"]}
    mounts |= {f"{i}-{m['name']}": m for i, m in enumerate(storage["extraVolumeMounts"])}
    return SimpleNamespace(
        user=user, image=f"{single['image']['name']}:{single['image']['tag']}", args=[],
        environment=dict(single["extraEnv"]), volumes=volumes, volume_mounts=mounts,
        init_containers=[SimpleNamespace(name="block-cloud-metadata")],
        uid=single["uid"], gid=None, fs_gid=single.get("fsGid", 100), supplemental_gids=[])


def _hook():
    """The hook hub.extraConfig installs, by running that Python as z2jh does (``c`` given)."""
    from traitlets.config import Config

    c = Config()
    for name, code in VALUES["hub"]["extraConfig"].items():
        exec(compile(code, f"hub.extraConfig.{name}", "exec"), {"c": c})
    return c.KubeSpawner.pre_spawn_hook


def _names(collection) -> list[str]:
    items = collection.values() if isinstance(collection, dict) else collection
    return [getattr(i, "name", None) or i["name"] for i in items]


def _spawned() -> dict[str, SimpleNamespace]:
    hook, users = _hook(), _hub_users()
    spawners = {name: _spawner(user) for name, user in users.items()}
    for spawner in spawners.values():
        hook(spawner)
    return spawners


def test_each_learners_pod_is_a_learner_of_their_own():
    from congdanso.hub import kube

    pods = _spawned()
    one, two, trainer = pods["hv-01"], pods["hv-02"], pods["giang-vien"]
    assert (one.uid, two.uid) == (20007, 20008)  # 20000 + the hub's id for them: two learners,
    assert trainer.uid == kube.TRAINER_UID == VALUES["hub"]["containerSecurityContext"][
        "runAsUser"]  # two owners in the exchange; the trainer is the hub's own account
    for pod in pods.values():
        assert pod.gid == pod.uid and pod.fs_gid is None and pod.supplemental_gids == []
        # the pod's passwd names its own account (nbgrader names a hand-in after it)
        init = pod.init_containers[-1]
        env = {e["name"]: e["value"] for e in init["env"]}
        assert env["CONGDANSO_UID"] == str(pod.uid)
        assert init["securityContext"]["capabilities"] == {
            "drop": ["ALL"], "add": ["CHOWN", "SETUID", "SETGID"]}
        assert init["command"][:3] == ["python3", "-I", "-m"] and init["workingDir"] == "/"
        assert {"name": "tai-khoan", "mountPath": "/etc/passwd", "subPath": "passwd",
                "readOnly": True} in pod.volume_mounts.values()
        assert pod.environment["CONGDANSO_LEARNER"] == pod.user.name
        assert pod.environment["CONGDANSO_LOP"] == "1"
    trainers = {e["name"]: e["value"] for e in trainer.init_containers[-1]["env"]}
    assert trainers["CONGDANSO_ACCOUNTS"].splitlines() == ["hv-01:20007", "hv-02:20008"]
    again = _spawner(pods["hv-01"].user)  # a second start: the same uid, nothing twice
    _hook()(again)
    _hook()(again)
    assert again.uid == 20007
    assert sorted(_names(again.volumes)) == sorted(_names(one.volumes))
    assert _names(again.init_containers) == ["block-cloud-metadata", kube.HOME_INIT]
    assert again.args == one.args


def test_learner_pods_have_no_terminal_no_formgrader_and_no_course():
    from congdanso.hub import kube
    from congdanso.hub.auth import REFRESH_SECONDS
    from congdanso.hub.spawner import LEARNER_OFF, LEARNER_ON, CourseSpawner

    pods = _spawned()
    course = {"name": "khoa-hoc", "mountPath": str(kube.COURSE)}
    for name in ("hv-01", "hv-02"):
        pod = pods[name]
        one_machine = CourseSpawner(user=SimpleNamespace(name=name, admin=False),
                                    course=str(kube.COURSE)).get_args()
        assert pod.args == [*one_machine, f"--HubOAuth.cache_max_age={REFRESH_SECONDS}"]
        assert "--ServerApp.terminals_enabled=False" in pod.args
        (extensions,) = [a.split("=", 1)[1] for a in pod.args
                         if a.startswith("--ServerApp.jpserver_extensions=")]
        off = ast.literal_eval(extensions)
        assert off["nbgrader.server_extensions.formgrader"] is False
        assert off == {**dict.fromkeys(LEARNER_OFF, False), **dict.fromkeys(LEARNER_ON, True)}
        assert off["congdanso.learner"] is True  # learners land in learner mode
        assert "--LearnerMode.lessons=khoa-hoc" in pod.args
        assert "khoa-hoc" not in _names(pod.volumes)  # nor the grading cluster's certificate
        assert course not in pod.volume_mounts.values() and "cum-cham-tls" not in _names(
            pod.volumes)
        assert not any(k.startswith("DASK_") for k in pod.environment)
        init = pod.init_containers[-1]
        assert {e["name"]: e["value"] for e in init["env"]}["CONGDANSO_ROLE"] == "learner"
        assert course not in init["volumeMounts"]
    trainer = pods["giang-vien"]
    assert trainer.args == [f"--ServerApp.root_dir={kube.COURSE}", "--ServerApp.default_url=/lab",
                            "--ServerApp.jpserver_extensions={'voila.server_extension': False}",
                            f"--HubOAuth.cache_max_age={REFRESH_SECONDS}"]
    assert course in trainer.volume_mounts.values() and course in trainer.init_containers[-1][
        "volumeMounts"]
    assert {"name": "khoa-hoc", "persistentVolumeClaim": {"claimName": "congdanso-khoa-hoc"}} in (
        trainer.volumes.values())
    assert trainer.environment["DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION"] == "True"
    # the same course folder everywhere: the hub, the trainer's pod, the grading workers
    assert {"name": "khoa-hoc", "mountPath": str(kube.COURSE)} in VALUES["hub"][
        "extraVolumeMounts"]
    worker = GRADERS["spec"]["worker"]["spec"]["containers"][0]
    assert {"name": "khoa-hoc", "mountPath": str(kube.COURSE)} in worker["volumeMounts"]
    assert VALUES["hub"]["config"]["CodeAuthenticator"]["course"] == str(kube.COURSE)
    assert "lifecycleHooks" not in VALUES["singleuser"]  # the init container copies the lessons


@pytest.fixture
def pod_folder():
    """A folder the pod's account can enter (pytest's own temporary folder is root's, 0700)."""
    base = Path(tempfile.mkdtemp(prefix="cds-pod-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _init(step: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """An init container's command, as its pod runs it (as root here, when the tests are)."""
    return subprocess.run([sys.executable, "-I", "-m", "congdanso.hub.kube", *step],
                          env={**os.environ, **(env or {})}, cwd="/", capture_output=True,
                          text=True, timeout=120)


def test_a_learners_home_and_account_are_readied_as_on_one_machine(pod_folder):
    from congdanso.hub.kube import EXCHANGE
    from congdanso.hub.spawner import LEARNER_PLUGINS_OFF, home_job

    home, accounts = pod_folder / "nha", pod_folder / "tai-khoan"
    home.mkdir()
    accounts.mkdir()
    accounts.chmod(0o777)  # an emptyDir
    folders = ["--home", str(home), "--accounts-dir", str(accounts), "--lessons",
               str(ROOT / "course")]
    done = _init(["home", *folders], {"CONGDANSO_UID": "20007", "CONGDANSO_ROLE": "learner",
                                      "CONGDANSO_ACCOUNTS": "hv-01:20007"})
    assert done.returncode == 0, done.stderr
    config = home / ".jupyter"
    page = yaml.safe_load((config / "labconfig" / "page_config.json").read_text("utf-8"))
    assert page == home_job(EXCHANGE, None, learner=True)["page_config"]
    assert set(page["disabledExtensions"]) == set(LEARNER_PLUGINS_OFF)
    nbgrader = (config / "nbgrader_config.py").read_text("utf-8")
    assert f"c.Exchange.root = {str(EXCHANGE)!r}" in nbgrader
    assert "c.CourseDirectory.course_id = 'congdanso'" in nbgrader
    assert (home / "khoa-hoc" / "00-the-gioi-mo-phong.ipynb").is_file()
    lines = (accounts / "passwd").read_text("utf-8").splitlines()
    assert lines[:-1] == Path("/etc/passwd").read_text("utf-8").splitlines()
    assert lines[-1] == f"hv-01:x:20007:20007::{home}:/usr/sbin/nologin"
    assert (accounts / "group").read_text("utf-8").splitlines()[-1] == "hv-01:x:20007:"
    if os.geteuid() == 0:  # done as the learner's own account, the home theirs alone
        assert all(p.stat().st_uid == 20007 for p in [home, *home.rglob("*")])
        assert oct(home.stat().st_mode & 0o777) == "0o700"
    # an id that is an account of the image (root, jovyan...) gets no server, and is told why
    refused = _init(["home", *folders], {"CONGDANSO_UID": "20009", "CONGDANSO_ROLE": "learner",
                                         "CONGDANSO_ACCOUNTS": "root:20009"})
    assert refused.returncode == 1 and "trùng một tài khoản có sẵn" in refused.stderr


def test_the_trainers_home_points_the_formgrader_at_the_course(pod_folder):
    from congdanso.hub import kube

    home, accounts, course = pod_folder / "nha", pod_folder / "tai-khoan", pod_folder / "khoa"
    for folder in (home, accounts, course):
        folder.mkdir()
    accounts.chmod(0o777)
    done = _init(["home", "--home", str(home), "--accounts-dir", str(accounts), "--lessons",
                  str(ROOT / "course"), "--course", str(course)],
                 {"CONGDANSO_UID": str(kube.TRAINER_UID if os.geteuid() == 0 else os.geteuid()),
                  "CONGDANSO_ROLE": "trainer",
                  "CONGDANSO_ACCOUNTS": "hv-01:20007\nhv-02:20008"})
    assert done.returncode == 0, done.stderr
    nbgrader = (home / ".jupyter" / "nbgrader_config.py").read_text("utf-8")
    assert f"load_subconfig({str(course / 'nbgrader_config.py')!r})" in nbgrader
    assert f"c.CourseDirectory.root = {str(course)!r}" in nbgrader
    assert not (home / ".jupyter" / "labconfig").exists()  # the trainer keeps every Lab tool
    added = (accounts / "passwd").read_text("utf-8").splitlines()[-2:]
    assert [line.split(":")[:3] for line in added] == [["hv-01", "x", "20007"],
                                                      ["hv-02", "x", "20008"]]


@pytest.mark.skipif(os.geteuid() != 0, reason="hands the folder to another account: needs root")
def test_the_exchange_is_made_for_the_trainer_at_the_hubs_start(pod_folder):
    from congdanso.cohort.exchange import LAYOUT, squatted
    from congdanso.hub import kube
    from congdanso.hub.spawner import COURSE_ID

    (init,) = VALUES["hub"]["initContainers"]
    assert init["command"] == ["python3", "-I", "-m", "congdanso.hub.kube", "exchange"]
    hub_image = VALUES["hub"]["image"]
    assert init["image"] == f"{hub_image['name']}:{hub_image['tag']}"
    assert {"name": "trao-doi", "mountPath": str(kube.EXCHANGE)} in init["volumeMounts"]
    root = pod_folder / "trao-doi"
    root.mkdir()
    root.chmod(0o777)  # a fresh NFS folder
    for _ in range(2):  # every start of the hub
        done = _init(["exchange", "--root", str(root), "--owner", "4321"])
        assert done.returncode == 0, done.stderr
    assert (root.stat().st_uid, oct(root.stat().st_mode & 0o7777)) == (4321, "0o1777")
    for name, mode in LAYOUT.items():
        info = (root / COURSE_ID / name).stat()
        assert (info.st_uid, info.st_mode & 0o7777) == (4321, mode)
    assert squatted(root, COURSE_ID, owner=4321) == []  # the trainer's release will accept it
    squat = pod_folder / "trao-doi-2"
    (squat / COURSE_ID / "outbound").mkdir(parents=True)  # a learner was there first
    os.chown(squat / COURSE_ID, 20008, 20008)
    refused = _init(["exchange", "--root", str(squat), "--owner", "4321"])
    assert refused.returncode == 1 and "không an toàn" in refused.stderr


def test_the_grading_cluster_speaks_tls_only_and_the_trainers_pod_reaches_it(tmp_path):
    """The scheduler and a worker started with the arguments of deploy/dask (certificates of a
    temporary authority in place of the Secret); congdanso's own client connects with the
    trainer pod's settings, and a client without a certificate does not."""
    from congdanso.hub import kube
    from distributed.security import Security

    spec = GRADERS["spec"]
    assert GRADERS["kind"] == "DaskCluster"
    (scheduler,) = spec["scheduler"]["spec"]["containers"]
    (worker,) = spec["worker"]["spec"]["containers"]
    assert worker["args"][worker["args"].index("--nthreads") + 1] == "1"
    assert [p["containerPort"] for p in scheduler["ports"]] == [8786]  # no dashboard
    assert [p["port"] for p in spec["scheduler"]["service"]["ports"]] == [8786]
    made = Security.temporary()
    for name, text in (("ca.crt", made.tls_ca_file), ("tls.crt", made.tls_client_cert),
                       ("tls.key", made.tls_client_key)):
        (tmp_path / name).write_text(text, "utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tls://127.0.0.1:{port}"

    def command(container):
        args = [a.replace(str(kube.DASK_TLS), str(tmp_path)) for a in container["args"]]
        args = [address if a == "tls://cum-cham-scheduler:8786" else a for a in args]
        args = [str(port) if a == "8786" else "w1" if a == "$(DASK_WORKER_NAME)" else a
                for a in args]
        env = {**os.environ, **{e["name"]: e["value"] for e in container.get("env", [])}}
        return [str(Path(sys.executable).with_name(args[0])), *args[1:]], env

    trainer = {k: v.replace(str(kube.DASK_TLS), str(tmp_path)) for k, v in kube.DASK_ENV.items()}
    started = []
    try:
        for container in (scheduler, worker):
            args, env = command(container)
            started.append(subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        script = ("import contextlib, sys\n"
                  "from congdanso.cohort.grading import _dask_client\n"
                  "with contextlib.ExitStack() as stack:\n"
                  "    client = _dask_client(stack, sys.argv[1], 1)\n"
                  "    client.wait_for_workers(1, timeout=60)\n"
                  "    print(client.submit(sum, [40, 2]).result(timeout=60))\n")
        deadline = time.monotonic() + 90
        while True:
            done = subprocess.run([sys.executable, "-c", script, address],
                                  env={**os.environ, **trainer}, capture_output=True, text=True,
                                  timeout=120)
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert done.stdout.strip() == "42", done.stderr[-2000:]
        plain = subprocess.run([sys.executable, "-c", script, address], capture_output=True,
                               text=True, timeout=120,
                               env={k: v for k, v in os.environ.items()
                                    if not k.startswith("DASK_")})
        assert plain.returncode != 0  # no certificate, no grading
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_pip_resolves_the_images_packages_together():
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                           "--ignore-installed", "-r", str(DEPLOY / "images" / "requirements.txt")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_image_carries_the_answer_key_the_secret_or_the_robot():
    """The build context leaves out the course folder (answer key, secret), the tests' exercise
    robot and local environments; the learner's image removes its copy of the sources."""
    import fnmatch

    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")]

    def left_out(path: str) -> bool:
        parts = path.split("/")
        return any(fnmatch.fnmatch(path, pattern.removeprefix("**/"))
                   or any(fnmatch.fnmatch(part, pattern.removeprefix("**/")) for part in parts)
                   or path.startswith(pattern.rstrip("/") + "/") for pattern in ignored)

    for path in ("exercises/dap-an.json", "exercises/.congdanso/bi-mat-khoa-hoc",
                 "tests/hands.py", "tests/synthetic.py", ".venv/bin/python",
                 "widgets/congdanso/.congdanso/x"):
        assert left_out(path), path
    for path in ("pyproject.toml", "widgets/congdanso/grading/data/bai-tap.json",
                 "course/00-the-gioi-mo-phong.ipynb", "deploy/images/requirements.txt"):
        assert not left_out(path), path
    learner = (ROOT / "deploy/images/Dockerfile.hoc-vien").read_text("utf-8")
    assert "rm -rf /src" in learner
