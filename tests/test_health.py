"""/healthz and /readyz, as a load balancer or an orchestrator asks them."""


def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_redis_when_used(client, app):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert ("redis" in body["checks"]) == bool(app.config["REDIS_URL"])


def test_readyz_says_503_when_the_database_is_unreachable(make_app, test_root):
    app = make_app(DATABASE_URL=f"sqlite:///{test_root}/no-such-dir/x.db")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unreachable"


def test_pages_carry_protective_headers(client):
    headers = client.get("/login").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
