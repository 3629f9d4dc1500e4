"""(routes of /surveys: results)"""

from grievance.web.surveys.blueprint import bp  # noqa: F401
