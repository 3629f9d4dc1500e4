"""Programme staff's administration (``/admin``), one module per area on one blueprint whose
endpoints are ``admin.index``, ``admin.country``, ``admin.factories``…: countries (working week,
holidays, routing, deadline policies), factories and their numbers, people and their
memberships, buyers' organisations and grants, templates, and the log of every change. The
page a password link opens is public: its own blueprint (``password``)."""

from grievance.web.admin import (audit, countries, factories, organisations, people,  # noqa: F401
                                 templates)
from grievance.web.admin.blueprint import bp
from grievance.web.admin.reset import bp as password_bp

__all__ = ["bp", "password_bp"]
