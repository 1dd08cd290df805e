"""Learner mode: the course as an app, not as JupyterLab.

A learner opens ``/hoc``: the course's home page (lessons with progress read from the journal,
the class's exercises, receiving and handing in), and every lesson and exercise opens as a page
of the course (Voilà with the course's template ``congdanso-hoc``): no code, cells run on open,
large text, a lesson bar (Bài trước · Mục lục · Bài tiếp). JupyterLab stays one link away.

It is a Jupyter server extension (``congdanso.learner``), loaded by ``congdanso hoc`` (``make
start``, one machine) and by each learner's server on the class server.
"""

from __future__ import annotations


def _jupyter_server_extension_points():
    return [{"module": "congdanso.learner.server"}]
