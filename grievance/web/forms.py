"""Forms every page shares."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button: the form only carries the CSRF token."""
