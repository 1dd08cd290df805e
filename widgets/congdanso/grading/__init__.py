"""Grading: each learner's scenario (:mod:`variants`, from the catalogue ``data/bai-tap.json``),
the named requirements a grade cell declares (:mod:`requirements`), and the nbgrader preprocessor
that decides every grade from the verified journal outside the learner's kernel (:mod:`decide`);
the competency framework and the sandbox for assignments whose code must run.
"""
