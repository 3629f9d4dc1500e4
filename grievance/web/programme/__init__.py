"""/programme: the programme's compilations, for advisors and programme managers of a country
and for admins: a country's factories (with the ranking by responsiveness), and the countries
against each other."""

from grievance.web.programme.blueprint import bp
from grievance.web.programme import pages as _pages  # noqa: F401  (registers the routes)

__all__ = ["bp"]
