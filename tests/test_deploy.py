"""deploy/: what this machine can check of a Kubernetes deployment without a cluster: the YAML
files parse and agree with the one-machine class server, and pip resolves the images' packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


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


def test_the_dask_cluster_spec_parses_and_mounts_the_course():
    spec = yaml.safe_load((DEPLOY / "dask" / "cum-cham.yaml").read_text("utf-8"))
    assert spec["kind"] == "DaskCluster"
    worker = spec["spec"]["worker"]["spec"]["containers"][0]
    assert "--nthreads" in worker["args"] and worker["args"][worker["args"].index(
        "--nthreads") + 1] == "1"
    assert {"name": "khoa-hoc", "mountPath": "/srv/congdanso/khoa"} in worker["volumeMounts"]


def test_pip_resolves_the_images_packages_together():
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                           "--ignore-installed", "-r", str(DEPLOY / "images" / "requirements.txt")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
