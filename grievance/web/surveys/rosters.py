"""(routes of /surveys: rosters)"""

from grievance.web.surveys.blueprint import bp  # noqa: F401
