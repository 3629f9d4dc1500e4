"""(routes of /surveys: runs)"""

from grievance.web.surveys.blueprint import bp  # noqa: F401
