from __future__ import annotations

from flask import Blueprint

bp = Blueprint("buyers", __name__)
