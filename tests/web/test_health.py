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


def test_readyz_says_503_when_a_compiled_catalog_is_stale(client, tmp_path, monkeypatch):
    """A .po changed without compiling it again: workers would read the old texts, or English."""
    import re
    import shutil

    from grievance.language import catalogs

    copy = tmp_path / "translations"
    shutil.copytree(catalogs.catalog_dir(), copy)
    po = copy / "id" / "LC_MESSAGES" / "messages.po"
    changed = re.sub(r'(\nmsgstr ")(?=[^"])', r"\1Diubah: ", po.read_text(encoding="utf-8"), count=1)
    po.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(catalogs, "catalog_dir", lambda: copy)
    catalogs.cached_worker_catalog_problems.cache_clear()
    try:
        response = client.get("/readyz")
    finally:
        catalogs.cached_worker_catalog_problems.cache_clear()
    assert response.status_code == 503
    assert response.get_json()["checks"]["translations"] == "missing or stale"
    assert any(p.startswith("id: messages.mo is stale") for p in catalogs.worker_catalog_problems(copy))
