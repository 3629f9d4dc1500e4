"""/buyers: a buyer's people read the follow-up summaries of the factories that grant their
organisation access now, and nothing about any worker or case beyond the follow-up log."""

from grievance.web.buyers.blueprint import bp
from grievance.web.buyers import followup as _followup  # noqa: F401  (registers the routes)
from grievance.web.buyers import pages as _pages  # noqa: F401  (registers the routes)

__all__ = ["bp"]
