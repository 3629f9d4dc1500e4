"""Every API answer is JSON with a reason, errors included; bad parameters name the field."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import User


def _error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.is_json, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert body["code"] == code and body["message"]
    return body


def test_an_unknown_address_is_a_json_404(call, api):
    _error(call("admin", "GET", "/api/v1/no-such-thing"), 404)
    _error(call(None, "GET", "/api/v2/cases"), 404)


def test_a_wrong_method_is_a_json_405_with_the_allowed_ones(call, api):
    response = call("admin", "PUT", "/api/v1/cases")
    _error(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("query, field", [({"limit": 101}, "limit"), ({"limit": 0}, "limit"),
                                           ({"limit": "many"}, "limit"), ({"status": "lost"}, "status")])
def test_a_bad_parameter_names_the_field(call, api, query, field):
    body = _error(call("admin", "GET", "/api/v1/cases", query_string=query), 422)
    assert list(body["errors"]["query"]) == [field]


@pytest.mark.parametrize("path, query, field", [("/api/v1/factories", {"after": "\x00"}, "after"),
                                                ("/api/v1/cases", {"factory": "A\x00"}, "factory")])
def test_a_nul_character_is_refused_by_name_on_either_database(call, api, path, query, field):
    """PostgreSQL can neither hold nor compare a NUL: refused before any query is made."""
    body = _error(call("admin", "GET", path, query_string=query), 422)
    assert list(body["errors"]["query"]) == [field]


def test_a_nul_character_in_an_address_finds_nothing_and_in_a_body_is_refused_by_name(call, api):
    _error(call("admin", "GET", "/api/v1/factories/IDN\x00"), 404)
    body = _error(call("admin", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "acme\x00"}), 422)
    assert list(body["errors"]["json"]) == ["organisation"]


def test_a_bad_page_key_for_grants_names_it(call, api):
    body = _error(call("admin", "GET", "/api/v1/grants", query_string={"after": "x1"}), 422)
    assert list(body["errors"]["query"]) == ["after"]


def test_a_body_that_is_not_json_is_refused_with_reasons(call, api):
    body = _error(call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", data="organisation=x",
                       content_type="application/x-www-form-urlencoded"), 422)
    assert "organisation" in body["errors"]["json"]


def test_a_failure_is_a_json_500_without_details(make_app, monkeypatch, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        from tests.access import world as worlds

        worlds.build()
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        token = create_token(user, "tests")[1]
        db.session.commit()
    monkeypatch.setattr("grievance.api.factories.factory_json",
                        lambda factory: (_ for _ in ()).throw(RuntimeError("secret detail +6281234567")))
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/factories", headers={"Authorization": f"Bearer {token}"})
    body = _error(response, 500)
    assert "secret" not in response.get_data(as_text=True) and "RuntimeError" not in response.get_data(as_text=True)
    assert body["status"] == "Internal Server Error"
    assert token not in caplog.text


def test_each_token_has_its_own_rate_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        from tests.access import world as worlds

        worlds.build()
        tokens = [create_token(db.session.scalar(select(User).where(User.email == email)), "tests")[1]
                  for email in ("admin@example.org", "buyer@example.org")]
        db.session.commit()
    client = app.test_client()
    first, second = ({"Authorization": f"Bearer {token}"} for token in tokens)
    assert [client.get("/api/v1/factories", headers=first).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/factories", headers=first)
    _error(refused, 429)
    assert refused.headers.get("Retry-After")
    assert client.get("/api/v1/factories", headers=second).status_code == 200


def test_pages_follow_each_other_without_gaps_or_repeats(call, api):
    seen, after, pages = [], None, 0
    while True:
        query = {"limit": 1, **({"after": after} if after else {})}
        body = call("admin", "GET", "/api/v1/cases", query_string=query).get_json()
        assert len(body["items"]) <= 1
        seen += [item["reference"] for item in body["items"]]
        pages += 1
        after = body["next"]
        if after is None:
            break
    assert seen == sorted({case.reference for case in api.world.cases.values()})
    assert pages == len(seen)  # the last page is a full one: `next` is null there, not one empty page later
    one_page = call("admin", "GET", "/api/v1/cases", query_string={"limit": 100}).get_json()
    assert [item["reference"] for item in one_page["items"]] == seen and one_page["next"] is None
