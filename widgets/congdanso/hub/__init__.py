"""A class on one shared server: JupyterHub with login codes, a single-user server per learner as
their own system user, the idle culler, the nbgrader exchange, and a live view for the trainer."""
