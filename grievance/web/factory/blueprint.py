from __future__ import annotations

from flask import Blueprint

bp = Blueprint("factory", __name__)
