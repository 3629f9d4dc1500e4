"""grievance: worker grievances by SMS and WhatsApp, routed to committees with deadlines."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. Nothing connects to a database or Redis until it is used."""
    from grievance import extensions as ext
    from grievance import tasks
    from grievance.channels import endpoints
    from grievance.channels.base import load_channels
    from grievance.cli import register_commands
    from grievance.cli_demo import register_demo_commands
    from grievance.config import load_config
    from grievance.logging_setup import install_redaction
    from grievance.tasks.rounds import start_in_process_rounds

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config, serving=_serving()))
    if app.config["GRIEVANCE_ENV"] == "production":
        _require_catalogs()
    install_redaction()
    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=_migrations_dir())
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    ext.queues.init_app(app)
    load_channels(app.config["CHANNELS"])
    endpoints.init_app(app)
    tasks.init_app(app)
    _init_login(app)
    _init_babel(app)
    _init_sqlite(app)
    _init_pool_ping(app)
    _register_blueprints(app)
    _wrap_wsgi(app)
    if app.config["IN_PROCESS_ROUNDS"] and not app.testing:
        start_in_process_rounds(app)
    register_commands(app)
    register_demo_commands(app)
    return app


def main() -> None:
    """The `grievance` console script: the same commands as `flask --app grievance`."""
    from flask.cli import FlaskGroup

    FlaskGroup(create_app=create_app)(prog_name="grievance")


def _require_catalogs() -> None:
    """Babel would answer every worker in English without a word: refuse to start instead."""
    from grievance.config import ConfigurationError
    from grievance.language.catalogs import cached_worker_catalog_problems

    problems = cached_worker_catalog_problems()
    if problems:
        raise ConfigurationError("the translations are not usable (install the package with `pip install .`, "
                                 "or run `flask --app grievance translations compile` in a checkout): "
                                 + "; ".join(problems))


def _serving() -> bool:
    """Whether this process serves or works messages (web, worker, cron, `flask run`).

    The other `flask` commands (the release's `db upgrade`, `users add`, `sweep` run by hand)
    need the database and the keys, but not Redis, Twilio or the public URL."""
    import click
    from flask.cli import ScriptInfo

    context = click.get_current_context(silent=True)
    if context is None or context.find_object(ScriptInfo) is None:
        return True
    while context is not None:
        if context.info_name == "run":
            return True
        context = context.parent
    return False


def _migrations_dir() -> str:
    """Installed with the package (the build copies them in), or migrations/ of a checkout."""
    from pathlib import Path

    installed = Path(__file__).resolve().parent / "migrations"
    return str(installed if installed.is_dir() else Path(__file__).resolve().parent.parent / "migrations")


def _init_login(app: Flask) -> None:
    from grievance.extensions import login
    from grievance.web import sessions

    sessions.configure(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.session_protection = "strong"
    login.user_loader(sessions.load_user)
    login.unauthorized_handler(sessions.unauthorized)


def _init_babel(app: Flask) -> None:
    from flask import request
    from flask_login import current_user

    from grievance.extensions import babel
    from grievance.i18n.pages import UI_LOCALES

    def select_locale():
        """The person's own choice, then the browser's languages, then their country's."""
        from flask import session

        if current_user and current_user.is_authenticated and current_user.language in UI_LOCALES:
            return current_user.language
        if session.get("language") in UI_LOCALES:
            return session["language"]
        best = request.accept_languages.best_match(UI_LOCALES)
        if best:
            return best
        if current_user and current_user.is_authenticated:
            for membership in current_user.memberships:
                country = membership.country_code or (membership.factory_id and _factory_country(membership))
                if country:
                    return country_default_language(country)
        return "en"

    babel.init_app(app, locale_selector=select_locale)


def _factory_country(membership) -> str | None:
    from grievance.extensions import db
    from grievance.models import Factory

    factory = db.session.get(Factory, membership.factory_id)
    return factory.country_code if factory else None


def country_default_language(country_code: str) -> str:
    from grievance.extensions import db
    from grievance.models import Country

    country = db.session.get(Country, country_code)
    return country.default_language if country else "en"


def _init_sqlite(app: Flask) -> None:
    """SQLite, the embedded default: foreign keys on, WAL so readers never block the webhook."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from grievance.extensions import db

    with app.app_context():
        engine: Engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _init_pool_ping(app: Flask) -> None:
    """SQLAlchemy's pool_pre_ping, only for connections that sat unused a while.

    A connection that was just used is alive (or, if the server died meanwhile, the statement
    fails like any other, the pool is invalidated and the webhook spools); a ping on every
    checkout would cost every request a round trip."""
    import time

    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    from grievance.extensions import db

    idle = app.config["POOL_PING_IDLE_SECONDS"]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("checked_in", 0.0) < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # as pool_pre_ping does: leaves no transaction open
        except Exception as error:  # the pool replaces the connection and tries again
            raise DisconnectionError(type(error).__name__) from error


def _wrap_wsgi(app: Flask) -> None:
    """Twilio's webhooks before Flask's dispatch, and the proxy's headers read before both."""
    from grievance.channels.twilio.webhook import InboundFastPath

    app.wsgi_app = InboundFastPath(app, app.wsgi_app)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_blueprints(app: Flask) -> None:
    from grievance.channels.twilio.webhook import bp as twilio_bp
    from grievance.web.auth import bp as auth_bp
    from grievance.web.buyers import bp as buyers_bp
    from grievance.web.factory import bp as factory_bp
    from grievance.web.health import bp as health_bp
    from grievance.web.admin import bp as admin_bp
    from grievance.web.admin import password_bp
    from grievance.web.notifications import bp as notifications_bp
    from grievance.web.programme import bp as programme_bp
    from grievance.web.queue import bp as queue_bp
    from grievance.web.simulator import bp as simulator_bp
    from grievance.web.surveys import bp as surveys_bp

    app.register_blueprint(twilio_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(factory_bp)
    app.register_blueprint(buyers_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(surveys_bp, url_prefix="/surveys")
    app.register_blueprint(password_bp)
    if app.config["SIMULATOR_ENABLED"]:
        app.register_blueprint(simulator_bp)
    from grievance import api

    api.init_app(app)

    from grievance.web import register_page_helpers

    register_page_helpers(app)
