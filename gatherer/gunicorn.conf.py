"""Deploy-unit entry for ``gunicorn -c gatherer/gunicorn.conf.py``.

The settings live in the package (``snakebatch.gatherer.gunicorn_conf``) so that
``snakebatch serve``, the systemd unit and this file start the same server.
"""

from snakebatch.gatherer.gunicorn_conf import *  # noqa: F403
