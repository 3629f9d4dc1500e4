"""The webhook's numbers are kept per process a few seconds; a number removed or moved
elsewhere stops being accepted within that time, a number added is accepted at once."""

from __future__ import annotations

import time

from sqlalchemy import func, select, text

from grievance.extensions import db
from grievance.models import Message
from tests import factories
from tests.conftest import inbound_params


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound"))


def elsewhere(sql: str) -> None:
    """A change made by another process: no session of this one sees it happen."""
    with db.engine.begin() as connection:
        connection.execute(text(sql))


def spooled(app) -> bool:
    from pathlib import Path

    return (Path(app.config["SPOOL_DIR"]) / "inbound.jsonl").exists()


def test_a_number_added_is_accepted_at_once(make_app, post_twilio):
    assert post_twilio(inbound_params("Tolong")).status_code == 404  # no such number yet
    factories.factory(number="+622150000001")

    assert post_twilio(inbound_params("Tolong")).status_code == 200
    assert stored() == 1


def test_a_number_moved_elsewhere_stops_being_accepted_within_the_cache_time(make_app, post_twilio):
    app = make_app(ENDPOINT_CACHE_SECONDS=0.5)
    client = app.test_client()
    with app.app_context():
        factories.factory(number="+622150000001")
        assert post_twilio(inbound_params("Tolong"), http=client).status_code == 200
        elsewhere("UPDATE channel_endpoints SET address = '+622150000009' WHERE address = '+622150000001'")

        time.sleep(0.6)
        assert post_twilio(inbound_params("Tolong lagi"), http=client).status_code == 404
        assert post_twilio(inbound_params("Tolong", to="+622150000009"), http=client).status_code == 200
        assert stored() == 2


def test_a_number_removed_elsewhere_is_answered_404_at_once_and_nothing_is_kept(make_app, post_twilio):
    app = make_app(ENDPOINT_CACHE_SECONDS=3600)
    client = app.test_client()
    with app.app_context():
        factories.factory(numbers=["+622150000001", "+622150000002"])
        assert post_twilio(inbound_params("Tolong", to="+622150000002"), http=client).status_code == 200
        # An operator removes the number (its one message first: messages keep their number).
        elsewhere("DELETE FROM messages WHERE endpoint_id = (SELECT id FROM channel_endpoints "
                  "WHERE address = '+622150000002')")
        elsewhere("DELETE FROM channel_endpoints WHERE address = '+622150000002'")

        # Still in this process's cache, but the row is gone: looked up again, unknown.
        response = post_twilio(inbound_params("Tolong lagi", to="+622150000002"), http=client)
        assert response.status_code == 404
        assert stored() == 0 and not spooled(app)
        assert post_twilio(inbound_params("Tolong", to="+622150000001"), http=client).status_code == 200
        assert stored() == 1


def test_a_number_found_is_not_looked_up_again_within_the_cache_time(make_app, post_twilio):
    app = make_app(ENDPOINT_CACHE_SECONDS=3600)
    client = app.test_client()
    with app.app_context():
        factories.factory(number="+622150000001")
        statements: list[str] = []

        from sqlalchemy import event

        def seen(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            for _ in range(3):
                assert post_twilio(inbound_params("Tolong"), http=client).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        lookups = [s for s in statements if "FROM channel_endpoints" in s]
        assert len(lookups) <= 1
        assert stored() == 3


def test_a_connection_that_sat_unused_is_tested_and_the_next_message_is_stored(make_app, post_twilio):
    # Every checkout counts as idle here: the test before use must leave the connection as
    # it found it (no transaction open), whatever the webhook asks of it next.
    app = make_app(POOL_PING_IDLE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        factories.factory(number="+622150000001")
        statuses = [post_twilio(inbound_params(f"Tolong {i}", sender=f"+62812987650{i:02d}"), http=client).status_code
                    for i in range(3)]
        assert statuses == [200, 200, 200]
        assert stored() == 3 and not spooled(app)
