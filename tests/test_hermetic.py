"""The tests keep to their own folders: nothing of the user's Jupyter (``~/.jupyter``, JupyterLab's
workspaces, ``~/.local/share/jupyter`` and nbgrader's hand-in cache there) is read or written.

Each check runs with HOME pointed at the test's folder and the Jupyter variables of this
environment removed, so whatever falls back to the user's folders lands where it can be seen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterkit import folders, jupyter_env

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


def _as_a_user(home: Path) -> dict[str, str]:
    """This environment as a user whose home is ``home``, with no Jupyter variable set."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "IPYTHON")) and k not in ("HOME", "XDG_DATA_HOME",
                                                                     "XDG_CONFIG_HOME")}
    return {**env, "HOME": str(home), "PYTHONPATH": str(TESTS)}


def _jupyter_in(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*")
                  if any(part in (".jupyter", "jupyter", ".ipython") for part in p.parts))


def test_the_synthetic_cohort_hands_in_through_its_own_cache(tmp_path):
    """The cohort of the tests and benchmarks submitted through the user's
    ~/.local/share/jupyter/nbgrader_cache (a trainer saw its hand-ins in their own Assignment
    List): its cache is beside its course now, and the user's is never created or touched."""
    home, course = tmp_path / "nha", tmp_path / "lop" / "khoa"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(ROOT / "exercises/source/an-toan-lua-dao", course / "source/an-toan-lua-dao")
    script = ("import sys, synthetic\n"
              "synthetic.build(sys.argv[1], synthetic.cohort(2), ['an-toan-lua-dao'])\n")
    done = subprocess.run([sys.executable, "-c", script, str(course)], env=_as_a_user(home),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert _jupyter_in(home) == []  # no ~/.local/share/jupyter/nbgrader_cache, no ~/.jupyter
    import synthetic

    cached = sorted(p.name.split("+")[0] for p in (synthetic.cache_of(course) / "congdanso")
                    .iterdir())
    assert cached == ["hv-01", "hv-02"]
    assert synthetic.cache_of(course).parent == course.parent  # in the cohort's own folder
    inbound = list((course / "exchange" / "congdanso" / "inbound").iterdir())
    assert len(inbound) == 2  # the hand-ins themselves reached the class exchange


def test_jupyter_started_by_a_test_keeps_to_the_tests_folder(tmp_path, monkeypatch):
    """Servers, kernels and nbgrader that tests start (browserkit, Voilà, nbval, nbgrader's own
    commands) get every Jupyter folder under the test's: settings, data (notebook signatures,
    nbgrader's cache), runtime files, JupyterLab's settings and workspaces, IPython's profile;
    a user's own JUPYTER_PATH or JUPYTERLAB_WORKSPACES_DIR is not followed."""
    user = tmp_path / "nha"
    monkeypatch.setenv("JUPYTERLAB_WORKSPACES_DIR", str(user / "bo-cuc"))
    monkeypatch.setenv("JUPYTER_PATH", str(user / "them"))
    base = tmp_path / "thu"
    env = jupyter_env(base, config=base / "cai-dat", CONGDANSO_LEARNER="hv-x")
    assert env["CONGDANSO_LEARNER"] == "hv-x" and "JUPYTER_PATH" not in env
    for name in folders(base):
        assert Path(env[name]).is_relative_to(base), name
    env["HOME"] = str(user)
    paths = json.loads(subprocess.run(
        [sys.executable, "-m", "jupyter", "--paths", "--json"], env=env, capture_output=True,
        text=True, check=True, timeout=120).stdout)
    mine = [p for kind in ("config", "data") for p in paths[kind] if p.startswith(str(tmp_path))]
    assert mine and all(Path(p).is_relative_to(base) for p in mine)
    assert Path(paths["runtime"][0]).is_relative_to(base)
    layout = ROOT / "widgets/jupyter-config/workspaces/hoc-vien.jupyterlab-workspace"
    subprocess.run([sys.executable, "-m", "jupyter", "lab", "workspaces", "import", str(layout)],
                   env=env, capture_output=True, check=True, timeout=120)  # as browserkit does
    assert list((base / "cai-dat" / "lab" / "workspaces").iterdir())
    assert not user.exists()  # nothing in the user's home, not their workspaces folder either
