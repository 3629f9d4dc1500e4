"""Who the API answers: a live bearer token of an active person, and nothing else."""

from __future__ import annotations

from grievance.access.tokens import revoke_tokens
from grievance.extensions import db
from grievance.models import ApiToken
from tests.access import world as worlds


def _refused(response, error: str | None = None) -> None:
    assert response.status_code == 401
    assert response.is_json and response.get_json()["code"] == 401
    assert response.get_json()["message"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)


def test_without_a_token_the_answer_says_how_to_authenticate(call, api):
    _refused(call(None, "GET", "/api/v1/cases"))
    _refused(call(None, "GET", "/api/v1/cases", headers={"Authorization": "Basic dXNlcjpwYXNz"}))


def test_an_unknown_token_is_refused(call, api):
    _refused(call(None, "GET", "/api/v1/factories", headers={"Authorization": "Bearer grv_not-a-real-token"}),
             "invalid_token")
    _refused(call(None, "GET", "/api/v1/factories", headers={"Authorization": "Bearer " + api.tokens["admin"][:-1]}),
             "invalid_token")


def test_a_revoked_token_stops_working_at_once(call, api):
    assert call("admin", "GET", "/api/v1/factories").status_code == 200
    revoke_tokens(api.user("admin"))
    db.session.commit()
    _refused(call("admin", "GET", "/api/v1/factories"), "invalid_token")


def test_a_deactivated_persons_token_is_refused(call, api):
    api.user("factory_manager").active = False
    db.session.commit()
    _refused(call("factory_manager", "GET", "/api/v1/cases"), "invalid_token")


def test_a_signed_in_browser_session_does_not_authenticate_the_api(client, sign_in, api):
    assert sign_in(api.world.emails["admin"], worlds.PASSWORD).status_code == 302
    assert client.get("/queue").status_code == 200
    _refused(client.get("/api/v1/cases"))
    # A form posted from another site with her cookie neither passes nor reaches a view.
    _refused(client.post("/api/v1/factories/IDN-0001/grants", json={"organisation": "acme-brands"}))


def test_answers_are_never_cached_and_set_no_cookie(call, api):
    response = call("admin", "GET", "/api/v1/cases")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert call(None, "GET", "/api/v1/cases").headers["Cache-Control"] == "no-store"


def test_the_tokens_last_use_is_recorded(call, api):
    call("buyer", "GET", "/api/v1/factories")
    token = db.session.query(ApiToken).filter_by(user_id=api.user("buyer").id).one()
    db.session.refresh(token)
    assert token.last_used_at is not None
    assert db.session.query(ApiToken).filter_by(user_id=api.user("picc").id).one().last_used_at is None
