"""nbgrader configuration of the Công Dân Số course (embedded default: SQLite + local exchange).

Run nbgrader from this folder (``cd exercises``) or through the ``congdanso`` trainer commands.
"""

import os

here = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821 — injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "congdanso"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.Exchange.root = os.path.join(here, "exchange")
# The journal next to each notebook is part of the submission and must reach the grader.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.ExecutePreprocessor.timeout = 60
