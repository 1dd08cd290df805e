"""The class server on Kubernetes (Zero to JupyterHub, ``deploy/z2jh/values.yaml``): every pod
gets what :class:`~congdanso.hub.spawner.CourseSpawner` gives a server on one machine.

* **Its own account.** A learner's pod runs as uid = gid = ``20000 + the hub's id for them``
  (``orm.User.id``: a row of the hub's PostgreSQL database, given once by a sequence and never
  reused, so a learner keeps their uid across restarts of their server and of the hub), in no
  other group. nbgrader's exchange is one volume in every pod: with the chart's default (uid 1000
  for everyone) every hand-in had the same owner, so the exchange could not tell learners apart
  and any learner could change a classmate's. Now each hand-in is its learner's, and
  :class:`~congdanso.cohort.exchange.SafeCollect` checks that owner. The trainer (an admin) runs
  as 1000, the hub's own account: the course folder and the exchange's course folders are theirs.
  No ``fsGroup``: Kubernetes would give the pod's group to every file of a shared volume whose
  driver applies it (the NFS CSI driver does), the exchange included.
* **The same server.** A learner's has no terminal, none of ``LEARNER_OFF`` and none of
  ``LEARNER_PLUGINS_OFF`` (the arguments of ``CourseSpawner.get_args`` and the page_config of
  ``home_job``, taken from :mod:`congdanso.hub.spawner`, not repeated); the trainer's opens on the
  course folder, mounted in the trainer's pod only, with the formgrader and, to grade on the
  cluster of ``deploy/dask``, that cluster's TLS client certificate (an optional Secret).
* **A home readied by its own account** before the server starts: an init container
  (``python -m congdanso.hub.kube home``) gives the home volume's top folder to the account,
  becomes it, runs :mod:`congdanso.hub.home` with the job of one machine (the lessons, Lab's
  page_config, nbgrader's settings of the class exchange, the trainer's of the course) and writes
  the pod's ``/etc/passwd``: nbgrader names a hand-in after ``pwd.getpwuid(os.getuid())``, and the
  trainer's collect looks each learner's uid up by name.
* **The exchange made at the hub's start**, before anyone logs in (``python -m
  congdanso.hub.kube exchange``, an init container of the hub's pod): its top folder the
  trainer's and sticky, the course's folders with nbgrader's modes
  (:func:`congdanso.cohort.exchange.prepare`).

Only the two init containers start as root, with no capability but changing owners and
becoming the account; they act on the top folder of a volume (which no learner can replace)
and become the account before they read or write anything in it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from congdanso.hub.launch import EXCHANGE

COURSE = Path("/srv/congdanso/khoa")  # the course folder's volume: hub, trainer, graders
HOME = Path("/home/jovyan")  # singleuser.storage.homeMountPath
LESSONS = Path("/opt/congdanso/khoa-hoc")  # deploy/images/Dockerfile.hoc-vien puts them there
ACCOUNTS = Path("/etc/congdanso/tai-khoan")  # the pod's passwd and group, in an emptyDir
DASK_TLS = Path("/etc/congdanso/cum-cham")  # Secret cum-cham-tls (deploy/dask), trainer only
TRAINER_UID = 1000  # the images' jovyan and the z2jh hub's own account
LEARNER_UID_BASE = 20000
NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # what a line of /etc/passwd may carry

COURSE_VOLUME = {"name": "khoa-hoc", "persistentVolumeClaim": {"claimName": "congdanso-khoa-hoc"}}
DASK_VOLUME = {"name": "cum-cham-tls", "secret": {"secretName": "cum-cham-tls", "optional": True}}
ACCOUNTS_VOLUME = {"name": "tai-khoan", "emptyDir": {"sizeLimit": "16Mi"}}
HOME_INIT = "chuan-bi-nha"
DASK_ENV = {  # dask.config: the client of `congdanso autograde --dask tls://...`
    "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
    "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(DASK_TLS / "ca.crt"),
    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(DASK_TLS / "tls.crt"),
    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(DASK_TLS / "tls.key"),
}
_OUR_VOLUMES = {COURSE_VOLUME["name"], DASK_VOLUME["name"], ACCOUNTS_VOLUME["name"]}


class KubeError(RuntimeError):
    """Why a pod or the exchange cannot be readied, in Vietnamese (the init container's log)."""


def account_id(user) -> int:
    """uid and gid of a hub user's pod (``user``: the hub's User, or its database row)."""
    return TRAINER_UID if user.admin else LEARNER_UID_BASE + int(user.id)


def pod_accounts(user) -> list[tuple[str, int]]:
    """Who the pod's passwd names besides the image's own accounts: a learner, themselves; the
    trainer, every learner the hub knows (the collect matches each hand-in's owner with them)."""
    if not user.admin:
        return [(user.name, account_id(user))]
    from jupyterhub import orm

    return sorted((u.name, account_id(u)) for u in user.db.query(orm.User)
                  if not u.admin and NAME.match(u.name))


def server_args(admin: bool) -> list[str]:
    """The arguments the one-machine spawner adds, from that spawner itself, and the one its
    hub gives every server: a Lab asks the hub about its token every REFRESH_SECONDS, so a
    session ended with its code stops there too."""
    from congdanso.hub.auth import REFRESH_SECONDS
    from congdanso.hub.spawner import CourseSpawner

    return [*CourseSpawner(user=SimpleNamespace(name="", admin=admin),
                           course=str(COURSE)).get_args(),
            f"--HubOAuth.cache_max_age={REFRESH_SECONDS}"]


def _literal(text: str) -> str:
    """A value KubeSpawner passes through ``str.format`` ({username}...) as it is."""
    return text.replace("{", "{{").replace("}", "}}")


def _name_of(item) -> str | None:
    """A volume's, a mount's (its volume's) or a container's name; z2jh gives dicts, and some
    init containers as kubernetes client objects."""
    return item.get("name") if isinstance(item, dict) else getattr(item, "name", None)


def _without(collection, names: set[str]):
    """A KubeSpawner list or dict trait without our own entries (the hook runs at every start)."""
    if isinstance(collection, dict):
        return {k: v for k, v in collection.items() if _name_of(v) not in names}
    return [item for item in collection or [] if _name_of(item) not in names]


def _add(collection, entries: dict[str, dict]):
    if isinstance(collection, dict):
        return {**collection, **entries}
    return [*collection, *entries.values()]


def pre_spawn_hook(spawner) -> None:
    """``c.KubeSpawner.pre_spawn_hook``: the pod of ``spawner.user`` as on one machine."""
    user = spawner.user
    admin = bool(user.admin)
    uid = account_id(user)
    spawner.uid = spawner.gid = uid
    spawner.fs_gid = None
    spawner.supplemental_gids = []
    trainers, learners = server_args(True), server_args(False)
    ours = tuple(arg.split("=", 1)[0] + "=" for arg in trainers + learners)
    spawner.args = [a for a in spawner.args or [] if not a.startswith(ours)] + (
        trainers if admin else learners)
    environment = {k: v for k, v in (spawner.environment or {}).items() if k not in DASK_ENV}
    environment.update(HOME=str(HOME), CONGDANSO_LEARNER=_literal(user.name))
    if admin:
        environment.update(DASK_ENV)
    spawner.environment = environment

    volumes = _without(spawner.volumes, _OUR_VOLUMES)
    mounts = _without(spawner.volume_mounts, _OUR_VOLUMES)
    home_mounts = [m for m in (mounts.values() if isinstance(mounts, dict) else mounts)
                   if str(m.get("mountPath", "")).rstrip("/") == str(HOME)]
    new_volumes = {ACCOUNTS_VOLUME["name"]: ACCOUNTS_VOLUME}
    new_mounts = {
        "tai-khoan-passwd": {"name": ACCOUNTS_VOLUME["name"], "mountPath": "/etc/passwd",
                             "subPath": "passwd", "readOnly": True},
        "tai-khoan-group": {"name": ACCOUNTS_VOLUME["name"], "mountPath": "/etc/group",
                            "subPath": "group", "readOnly": True},
    }
    course_mount = {"name": COURSE_VOLUME["name"], "mountPath": str(COURSE)}
    if admin:
        new_volumes |= {COURSE_VOLUME["name"]: COURSE_VOLUME, DASK_VOLUME["name"]: DASK_VOLUME}
        new_mounts |= {COURSE_VOLUME["name"]: course_mount,
                       DASK_VOLUME["name"]: {"name": DASK_VOLUME["name"],
                                             "mountPath": str(DASK_TLS), "readOnly": True}}
    spawner.volumes = _add(volumes, new_volumes)
    spawner.volume_mounts = _add(mounts, new_mounts)

    init = {
        "name": HOME_INIT,
        "image": spawner.image,
        "command": ["python3", "-I", "-m", "congdanso.hub.kube", "home"],
        "workingDir": "/",  # nothing of the home on Python's path
        "env": [{"name": "HOME", "value": str(HOME)},
                {"name": "CONGDANSO_UID", "value": str(uid)},
                {"name": "CONGDANSO_ROLE", "value": "trainer" if admin else "learner"},
                {"name": "CONGDANSO_ACCOUNTS", "value": _literal("\n".join(
                    f"{name}:{number}" for name, number in pod_accounts(user)))}],
        "securityContext": {"runAsUser": 0, "runAsGroup": 0, "runAsNonRoot": False,
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"],
                                             "add": ["CHOWN", "SETUID", "SETGID"]}},
        "volumeMounts": [*home_mounts,
                         {"name": ACCOUNTS_VOLUME["name"], "mountPath": str(ACCOUNTS)},
                         *([course_mount] if admin else [])],
    }
    spawner.init_containers = _add(_without(spawner.init_containers, {HOME_INIT}),
                                   {HOME_INIT: init})


# -- inside the pods (init containers) -------------------------------------------------------
def _become(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def parse_accounts(text: str) -> list[tuple[str, int]]:
    found = []
    for line in text.splitlines():
        if line.strip():
            name, _, number = line.strip().partition(":")
            found.append((name, int(number)))
    return found


def account_files(accounts: list[tuple[str, int]], *, home: Path, own: int,
                  base: Path = Path("/etc")) -> dict[str, str]:
    """``passwd`` and ``group`` for the pod: the image's own, then ``accounts``. The pod's own
    account must be there: a name that is not a plain account name, or one the image already
    has (root, jovyan...), is refused for it (:class:`KubeError`) and left out for others."""
    passwd = (base / "passwd").read_text("utf-8")
    group = (base / "group").read_text("utf-8")
    taken = {line.split(":", 1)[0] for line in passwd.splitlines() + group.splitlines()}
    users, groups = [], []
    for name, number in accounts:
        if not NAME.match(name) or name in taken:
            if number == own:
                raise KubeError(f"Tên đăng nhập \"{name}\" không dùng được làm tài khoản trong "
                                "máy của học viên (trùng một tài khoản có sẵn trong ảnh, hoặc có "
                                "ký tự lạ), nên máy không mở. Giảng viên: đổi mã học viên này "
                                "trong danh sách lớp.")
            continue
        taken.add(name)
        users.append(f"{name}:x:{number}:{number}::{home}:/usr/sbin/nologin\n")
        groups.append(f"{name}:x:{number}:\n")
    return {"passwd": passwd.rstrip("\n") + "\n" + "".join(users),
            "group": group.rstrip("\n") + "\n" + "".join(groups)}


def write_files(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)  # the server reads them; nothing in them is secret
        os.replace(tmp, folder / name)


def ready_home(home: Path = HOME, accounts_dir: Path = ACCOUNTS, lessons: Path = LESSONS,
               course: Path = COURSE, exchange: Path = EXCHANGE) -> None:
    """The init container of every user pod (environment: ``CONGDANSO_UID``,
    ``CONGDANSO_ROLE``, ``CONGDANSO_ACCOUNTS``, set by :func:`pre_spawn_hook`)."""
    import congdanso.cohort.gradebook  # noqa: F401 - trainer_config's; loaded before the change
    from congdanso.hub import home as homes
    from congdanso.hub.spawner import CourseSpawner, home_job, trainer_config

    uid = int(os.environ["CONGDANSO_UID"])
    trainer = os.environ.get("CONGDANSO_ROLE") == "trainer"
    files = account_files(parse_accounts(os.environ.get("CONGDANSO_ACCOUNTS", "")), home=home,
                          own=uid)  # first: a refused name leaves the home untouched
    if os.geteuid() == 0:
        os.chown(home, uid, uid, follow_symlinks=False)  # the volume's top folder, nothing in it
        _become(uid, uid)
    os.umask(0o077)
    os.environ["HOME"] = str(home)
    job = home_job(exchange, None, learner=not trainer,
                   nbgrader_config=trainer_config(course, exchange) if trainer else None,
                   hand_in_kb=CourseSpawner.class_traits()["hand_in_kb"].default_value)
    job["lessons"] = str(lessons)
    homes.prepare(job)
    write_files(accounts_dir, files)


def ready_exchange(root: Path = EXCHANGE, owner: int = TRAINER_UID) -> None:
    """The init container of the hub's pod: the exchange volume's top folder becomes the
    trainer's, sticky (everyone adds, nobody removes what others made); then, as the trainer,
    the course's folders with nbgrader's modes. Refuses folders someone else made first."""
    from congdanso.cohort.exchange import prepare
    from congdanso.hub.spawner import COURSE_ID

    if os.geteuid() == 0:
        os.chmod(root, 0o1777)
        os.chown(root, owner, owner, follow_symlinks=False)
        _become(owner, owner)
    try:
        prepare(root, COURSE_ID)
    except PermissionError as exc:
        raise KubeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m congdanso.hub.kube",
                                     description="Chuẩn bị pod của máy chủ lớp trên Kubernetes.")
    sub = parser.add_subparsers(dest="step", required=True)
    home = sub.add_parser("home", help="thư mục nhà và tài khoản của pod (init container)")
    home.add_argument("--home", type=Path, default=HOME)
    home.add_argument("--accounts-dir", type=Path, default=ACCOUNTS)
    home.add_argument("--lessons", type=Path, default=LESSONS)
    home.add_argument("--course", type=Path, default=COURSE)
    exchange = sub.add_parser("exchange", help="thư mục trao đổi bài (init container của hub)")
    exchange.add_argument("--root", type=Path, default=EXCHANGE)
    exchange.add_argument("--owner", type=int, default=TRAINER_UID)
    args = parser.parse_args(argv)
    try:
        if args.step == "home":
            ready_home(args.home, args.accounts_dir, args.lessons, args.course)
        else:
            ready_exchange(args.root, args.owner)
    except KubeError as exc:
        print(exc, file=sys.stderr)
    except OSError as exc:
        from congdanso.world.core.errors import os_error_vi

        print(f"Không chuẩn bị được ({args.step}): {os_error_vi(exc)}", file=sys.stderr)
    except (ValueError, KeyError) as exc:  # the environment the hub's hook sets
        print(f"Thiếu hoặc sai biến môi trường CONGDANSO_UID, CONGDANSO_ACCOUNTS do móc của hub "
              f"đặt ({exc}).", file=sys.stderr)
    else:
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
