"""Jupyter as the tests run it: in the test's own folders, never the user's.

A Jupyter server, Voilà, a kernel or nbgrader started by a test would otherwise read and write
the user's ``~/.jupyter`` (settings, nbgrader configuration, JupyterLab workspaces),
``~/.local/share/jupyter`` (nbgrader's hand-in cache, notebook signatures, runtime files) and
``~/.ipython``, or folders the user's environment points to (``JUPYTERLAB_WORKSPACES_DIR``…).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

# the user's own places for Jupyter: not inherited by what a test starts
USER_PLACES = ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_DIR")


def folders(base: Path, *, config: Path | None = None, runtime: Path | None = None
            ) -> dict[str, str]:
    """Jupyter's folders under ``base`` (``config``, ``runtime``: where a test wants them)."""
    config = config or base / ".jupyter"
    return {"JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(base / ".jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(runtime or base / ".jupyter-runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(config / "lab" / "user-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(config / "lab" / "workspaces"),
            "IPYTHONDIR": str(base / ".ipython")}


def jupyter_env(base: Path, *, config: Path | None = None, runtime: Path | None = None,
                **more: str) -> dict[str, str]:
    """The environment for a Jupyter process a test starts: this one's, with every Jupyter
    folder under ``base`` (see :func:`folders`) and ``more`` on top."""
    env = {k: v for k, v in os.environ.items() if k not in USER_PLACES}
    env.update(folders(Path(base), config=config, runtime=runtime))
    env.update(more)
    return env


@contextlib.contextmanager
def own_jupyter(base: Path) -> Iterator[None]:
    """The same for what a test runs in its own process (nbgrader, a kernel it starts):
    ``os.environ`` as it was afterwards."""
    before = dict(os.environ)
    for name in USER_PLACES:
        os.environ.pop(name, None)
    os.environ.update(folders(Path(base)))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)
