import pytest


@pytest.fixture
def page_language(workflow_app):
    """What the workflows say to people (a roster's bad rows, why a run is refused) is
    translated when it is read, as a page reads it: in English here."""
    with workflow_app.test_request_context(headers={"Accept-Language": "en"}):
        yield
