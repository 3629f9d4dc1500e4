"""/factory: a factory manager follows her factory's committee cases (status, deadlines; her
words only where the worker agreed to give her name). Advisor cases never appear here, not even
in a count: the viewer's status-grade rows leave them out before anything is counted."""

from grievance.web.factory.blueprint import bp
from grievance.web.factory import access as _access  # noqa: F401  (registers the routes)
from grievance.web.factory import pages as _pages  # noqa: F401  (registers the routes)
from grievance.web.factory import summary as _summary  # noqa: F401

__all__ = ["bp"]
