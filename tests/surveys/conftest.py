import pytest


@pytest.fixture(autouse=True)
def page_language(request):
    """What the workflows say to people is translated when it is read: in English here."""
    if "session" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("workflow_app")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
