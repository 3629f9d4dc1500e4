"""(routes of /surveys: editor)"""

from grievance.web.surveys.blueprint import bp  # noqa: F401

from flask import render_template  # noqa: E402


@bp.get("/")
def index():
    return render_template("error.html"), 404
