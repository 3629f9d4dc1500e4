"""The people who work cases: the queue (``listing``) and the case page with its actions
(``case``), on one blueprint whose endpoints are ``queue.index``, ``queue.case``…"""

from grievance.web.queue import case, listing  # noqa: F401  (their routes join the blueprint)
from grievance.web.queue.blueprint import bp

__all__ = ["bp"]
