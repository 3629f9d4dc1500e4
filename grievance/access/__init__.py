"""One access policy: a Viewer answers which cases, how much of each, whether she may act,
which factories' summaries, and where she lands. Nothing else reads a role string."""

from grievance.access.viewer import FULL, NONE, STATUS, Viewer, current_viewer

__all__ = ["FULL", "NONE", "STATUS", "Viewer", "current_viewer"]
