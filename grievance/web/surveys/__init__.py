"""/surveys: surveys and announcements by text. The programme's staff write them (editor),
plan and send each run to a factory's (or a country's) opted-in workers and follow its
progress (runs); factory managers and the programme add rosters of workers who agreed
(rosters); results are shown under the summaries' disclosure rule to whoever may read the
factory's summaries (results)."""

from grievance.web.surveys.blueprint import bp
from grievance.web.surveys import editor as _editor  # noqa: F401  (registers the routes)
from grievance.web.surveys import results as _results  # noqa: F401
from grievance.web.surveys import rosters as _rosters  # noqa: F401
from grievance.web.surveys import runs as _runs  # noqa: F401

__all__ = ["bp"]
