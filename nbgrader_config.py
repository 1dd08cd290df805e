"""Lets nbgrader (formgrader in JupyterLab, or the nbgrader command) started at the repository
root find the course, whose configuration lives in exercises/nbgrader_config.py."""

import os

c = get_config()  # noqa: F821 — injected by traitlets
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercises",  # noqa: F821
                            "nbgrader_config.py"))
