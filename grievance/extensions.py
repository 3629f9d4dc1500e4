"""Extensions created unbound; create_app() binds them. Nothing here connects at import."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from grievance.models.base import Base
from grievance.queueing import JobQueues

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
queues = JobQueues(db)
