"""A sign-in ends when she signs out, when she is deactivated, and after a working day at most."""

from __future__ import annotations

import time
from datetime import timedelta


from grievance.extensions import db
from grievance.models import User
from tests import factories
from tests.conftest import csrf_token


def _signed_in(app, email="ani@example.org"):
    http = app.test_client()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    response = http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return http


def _copy(app, http):
    """Another browser holding a copy of the cookies (a stolen or shared cookie)."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = http.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app):
    factories.factory()
    factories.picc_member()
    http = _signed_in(app)
    copy = _copy(app, http)
    assert copy.get("/queue").status_code == 200

    token = csrf_token(http.get("/queue").get_data(as_text=True))
    assert http.post("/logout", data={"csrf_token": token}).status_code == 302

    assert _sent_to_sign_in(copy.get("/queue"))
    assert _sent_to_sign_in(http.get("/queue"))
    assert _signed_in(app).get("/queue").status_code == 200  # signing in again works


def test_a_deactivated_persons_sessions_end_and_reactivation_does_not_revive_them(app):
    factories.factory()
    user = factories.picc_member()
    http = _signed_in(app)
    assert http.get("/queue").status_code == 200

    from grievance.cli import deactivate_user

    deactivate_user(user)
    db.session.commit()
    assert _sent_to_sign_in(http.get("/queue"))

    db.session.get(User, user.id).active = True
    db.session.commit()
    assert _sent_to_sign_in(http.get("/queue"))


def test_the_deactivate_command_ends_her_sessions(app):
    factories.factory()
    factories.picc_member()
    http = _signed_in(app)
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "--email", "ani@example.org"])
    assert result.exit_code == 0, result.output
    assert _sent_to_sign_in(http.get("/queue"))


def test_a_sign_in_ends_after_its_lifetime(make_app):
    app = make_app(SIGN_IN_LIFETIME=timedelta(seconds=2))
    with app.app_context():
        factories.factory()
        factories.picc_member()
        http = _signed_in(app)
        assert http.get("/queue").status_code == 200
        time.sleep(2.5)
        assert _sent_to_sign_in(http.get("/queue"))


def test_an_idle_sign_in_ends_and_signing_in_again_returns_to_the_page(make_app):
    app = make_app(SESSION_IDLE_MINUTES=30)
    with app.app_context():
        _idle_sign_in_ends_and_returns(app)


def _idle_sign_in_ends_and_returns(app):
    import time_machine

    factories.factory()
    factories.picc_member(email="ani@example.org")
    made = factories.case()
    page = f"/cases/{made.reference}?tab=messages"
    with time_machine.travel(time.time(), tick=False) as clock:
        http = _signed_in(app)
        clock.shift(timedelta(minutes=20))
        assert http.get("/queue").status_code == 200  # working: the idle clock starts again
        clock.shift(timedelta(minutes=20))
        assert http.get(page).status_code == 200  # 40 minutes signed in, never 30 idle

        clock.shift(timedelta(minutes=31))
        response = http.get(page)
        assert _sent_to_sign_in(response)
        login_page = http.get(response.headers["Location"])
        text = login_page.get_data(as_text=True)
        assert "signed out after 30 minutes without activity" in text
        assert "Please sign in to see this page" not in text  # one reason, the true one

        token = csrf_token(text)
        back = http.post(response.headers["Location"],
                         data={"email": "ani@example.org", "password": factories.PASSWORD, "csrf_token": token})
        assert back.status_code == 302
        assert back.headers["Location"] == page
        assert http.get(page).status_code == 200


def test_the_idle_limit_is_a_setting(make_app):
    import time_machine

    app = make_app(SESSION_IDLE_MINUTES=5)
    with app.app_context():
        factories.factory()
        factories.picc_member()
        with time_machine.travel(time.time(), tick=False) as clock:
            http = _signed_in(app)
            clock.shift(timedelta(minutes=6))
            assert _sent_to_sign_in(http.get("/queue"))
            assert "after 5 minutes" in http.get("/login").get_data(as_text=True)


def test_a_signed_out_visitor_is_asked_to_sign_in_and_kept_to_this_site(app):
    http = app.test_client()
    response = http.get("/queue")
    assert _sent_to_sign_in(response)
    assert "Please sign in to see this page" in http.get(response.headers["Location"]).get_data(as_text=True)
    factories.factory()
    factories.picc_member()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    away = http.post("/login?next=https://evil.example/queue",
                     data={"email": "ani@example.org", "password": factories.PASSWORD, "csrf_token": token})
    assert away.headers["Location"] == "/queue"


def test_a_form_sent_after_the_idle_limit_returns_to_its_page_after_signing_in(make_app):
    import time_machine

    app = make_app(SESSION_IDLE_MINUTES=30)
    with app.app_context():
        factories.factory()
        factories.picc_member(email="ani@example.org")
        made = factories.case()
        page = f"/cases/{made.reference}"
        with time_machine.travel(time.time(), tick=False) as clock:
            http = _signed_in(app)
            form_page = http.get(page).get_data(as_text=True)
            clock.shift(timedelta(minutes=45))
            sent = http.post(f"{page}/note", data={"csrf_token": csrf_token(form_page), "note-body": "Talked to HR"},
                             headers={"Referer": f"http://localhost{page}"})
            assert _sent_to_sign_in(sent)
            login = http.get(sent.headers["Location"]).get_data(as_text=True)
            back = http.post(sent.headers["Location"], data={"email": "ani@example.org",
                                                             "password": factories.PASSWORD,
                                                             "csrf_token": csrf_token(login)})
            assert back.headers["Location"] == page  # the case page, not the note action (a 405 to a GET)
            assert http.get(back.headers["Location"]).status_code == 200
