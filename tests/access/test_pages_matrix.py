"""Every page and action of the app's URL map × every role, inside and outside her scope.

The expectations are written out below, one row per route; a route the app gains without a row
here fails the test, so nobody adds a page without deciding who may open it.

Codes: "200"; "404" (not hers: the app never tells that a case or page exists); "login" (a
redirect to sign in); "→/path" (a redirect there: an action done, or a landing).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.channels.twilio.media import Media
from grievance.extensions import db
from grievance.models import Case, Country, DeadlinePolicy, Holiday, User
from tests.access import world as worlds
from tests.conftest import csrf_token

SIGNED_OUT = "signed_out"
ROLES = worlds.ROLES + (SIGNED_OUT,)
# Not pages for people: Twilio's webhooks (signed, tested in tests/test_webhook.py), health
# probes, the simulator (development), static files.
SKIPPED_BLUEPRINTS = ("twilio_webhooks", "health", "simulator", "static")
CASE_SCOPES = ("own_committee", "own_advisor", "other_factory", "other_country")
# Which cases each role works (sees in full and acts on).
WORKS = {
    "picc": {"own_committee"},
    "advisor_country": {"own_committee", "own_advisor", "other_factory"},
    "advisor_factory": {"own_committee", "own_advisor"},
    "programme_manager": {"own_committee", "own_advisor", "other_factory"},
    "admin": set(CASE_SCOPES),
}
WORKERS = set(WORKS)
LANDING = {"factory_manager": "→/factory", "buyer": "→/buyers", SIGNED_OUT: "login"}


def everyone(code: str, signed_out: str = "login") -> dict:
    return {role: code for role in worlds.ROLES} | {SIGNED_OUT: signed_out}


def only(roles: set[str], yes: str, no: str = "404") -> dict:
    return {role: yes if role in roles else no for role in worlds.ROLES} | {SIGNED_OUT: "login"}


def case_rule(done: str) -> dict:
    """A case page or action: ``done`` where she works the case, 404 elsewhere."""
    return {scope: {role: (done if scope in WORKS.get(role, ()) else "404") for role in worlds.ROLES}
            | {SIGNED_OUT: "login"} for scope in CASE_SCOPES}


def admin_rule(own: str, other: str | None = None) -> dict:
    """Admins only; ``other`` is the same action on a row of another country (or none)."""
    rules = {"own": only({"admin"}, own)}
    if other:
        rules["other"] = only({"admin"}, other)
    return rules


ANY = "-"
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "queue.home": {ANY: {role: LANDING.get(role, "→/queue") for role in ROLES}},
    "queue.index": {ANY: only(WORKERS, "200")},
    "factory.index": {ANY: only({"factory_manager"}, "200")},
    "buyers.index": {ANY: only({"buyer"}, "200")},
    "notifications.index": {ANY: everyone("200")},
    "notifications.read_all": {ANY: everyone("→/notifications")},
    "auth.login": {ANY: everyone("200", signed_out="200")},
    "auth.login#post": {ANY: everyone("400", signed_out="400")},  # wrong password
    # Signed out, the queue is the way to the sign-in page.
    "auth.choose_language": {ANY: {role: LANDING.get(role, "→/queue") for role in worlds.ROLES}
                             | {SIGNED_OUT: "→/queue"}},
    "queue.case": case_rule("200"),
    "queue.media": case_rule("200"),
    "queue.acknowledge": case_rule("→/cases"),
    "queue.reply": case_rule("→/cases"),
    "queue.resolve_case": case_rule("→/cases"),
    "queue.note": case_rule("→/cases"),
    "queue.take": case_rule("→/cases"),
    "queue.assign_case": case_rule("→/cases"),
    "queue.reopen_case": case_rule("→/cases"),
    # Last on the case: a grave category moves it to the advisors, out of the PICC's sight.
    "queue.category": case_rule("→/cases"),
    "admin.index": {ANY: only({"admin"}, "200")},
    "admin.country": {"own": only({"admin"}, "200"), "other": only({"admin"}, "200")},
    "admin.save_week": admin_rule("→/admin/countries/ID"),
    "admin.save_routing": admin_rule("→/admin/countries/ID"),
    "admin.save_policy": admin_rule("→/admin/countries/ID"),
    "admin.delete_policy": admin_rule("→/admin/countries/ID", other="404"),
    "admin.add_holiday": admin_rule("→/admin/countries/ID"),
    "admin.make_working_day": admin_rule("→/admin/countries/ID", other="404"),
    "admin.delete_holiday": admin_rule("→/admin/countries/ID", other="404"),
    "auth.logout": {ANY: everyone("→/login", signed_out="→/login")},
}


def _probes(world, rows) -> dict[str, dict[str, tuple[str, str, dict]]]:
    """For each rule (and scope): method, URL and form data (the CSRF token is added)."""
    cases = world.cases
    # The country's week as it is: countries are kept from one test to the next.
    indonesia = db.session.get(Country, "ID")
    week = {"week-weekend": [str(day) for day in indonesia.weekend], "week-workday_start": indonesia.workday_start,
            "week-workday_end": indonesia.workday_end}
    policy = {"policy-category": "*", "policy-route": "picc", "policy-acknowledge_amount": "3",
              "policy-acknowledge_unit": "working_days", "policy-resolve_amount": "20",
              "policy-resolve_unit": "working_days", "policy-reminder_share": "0.25"}
    holiday = {"holiday-date": "2026-12-24", "holiday-every_year": "no", "holiday-name": "Factory closure"}

    advisor_id = db.session.scalar(select(User.id).where(User.email == world.emails["advisor_country"]))

    def per_case(method, suffix, data=None):
        return {scope: (method, f"/cases/{cases[scope].reference}{suffix(cases[scope])}", data or {})
                for scope in CASE_SCOPES}

    return {
        "queue.home": {ANY: ("GET", "/", {})},
        "queue.index": {ANY: ("GET", "/queue", {})},
        "factory.index": {ANY: ("GET", "/factory", {})},
        "buyers.index": {ANY: ("GET", "/buyers", {})},
        "notifications.index": {ANY: ("GET", "/notifications", {})},
        "notifications.read_all": {ANY: ("POST", "/notifications/read", {})},
        "auth.login": {ANY: ("GET", "/login", {})},
        "auth.login#post": {ANY: ("POST", "/login", {"email": "nobody@example.org", "password": "not it at all"})},
        "auth.choose_language": {ANY: ("POST", "/language", {"language": "en"})},
        "queue.case": per_case("GET", lambda case: ""),
        "queue.media": per_case("GET", lambda case: f"/media/{case.messages[0].id}/0"),
        "queue.acknowledge": per_case("POST", lambda case: "/acknowledge"),
        "queue.reply": per_case("POST", lambda case: "/reply", {"reply-text": "Kami sedang memeriksanya."}),
        "queue.note": per_case("POST", lambda case: "/note", {"note-body": "Talked to HR."}),
        "queue.take": per_case("POST", lambda case: "/take"),
        # Given to an advisor of the case's own country (only those who may work it are offered).
        "queue.assign_case": {scope: ("POST", f"/cases/{cases[scope].reference}/assign", {
            "assign-member": str(rows["advisor_KH"] if scope == "other_country" else advisor_id)})
            for scope in CASE_SCOPES},
        "queue.reopen_case": per_case("POST", lambda case: "/reopen"),
        "queue.category": per_case("POST", lambda case: "/category", {"category-category": "hours_leave"}),
        "queue.resolve_case": per_case("POST", lambda case: "/resolve", {
            "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Dibayar."}),
        "admin.index": {ANY: ("GET", "/admin/", {})},
        "admin.country": {"own": ("GET", "/admin/countries/ID", {}), "other": ("GET", "/admin/countries/KH", {})},
        "admin.save_week": {"own": ("POST", "/admin/countries/ID/week", week)},
        "admin.save_routing": {"own": ("POST", "/admin/countries/ID/routing", {"route-wages": "picc"})},
        "admin.save_policy": {"own": ("POST", "/admin/countries/ID/policies", policy)},
        "admin.delete_policy": {"own": ("POST", f"/admin/countries/ID/policies/{rows['policy_ID']}/delete", {}),
                                "other": ("POST", f"/admin/countries/ID/policies/{rows['policy_KH']}/delete", {})},
        "admin.add_holiday": {"own": ("POST", "/admin/countries/ID/holidays", holiday)},
        "admin.make_working_day": {"own": ("POST", "/admin/countries/ID/holidays/2026-08-17/working", {}),
                                   "other": ("POST", "/admin/countries/ID/holidays/2026-08-18/working", {})},
        "admin.delete_holiday": {"own": ("POST", f"/admin/countries/ID/holidays/{rows['holiday_ID']}/delete", {}),
                                 "other": ("POST", f"/admin/countries/ID/holidays/{rows['holiday_KH']}/delete", {})},
        "auth.logout": {ANY: ("POST", "/logout", {})},
    }


def _rows() -> dict[str, int]:
    """A deadline policy and a holiday of each country, to delete."""
    holidays = {code: Holiday(country_code=code, year=2026, month=12, day=30, name="Closure") for code in ("ID", "KH")}
    db.session.add_all(holidays.values())
    db.session.commit()
    rows = {f"holiday_{code}": holiday.id for code, holiday in holidays.items()}
    rows["advisor_KH"] = worlds.add_user("advisor-kh@example.org", "Sokha", worlds.PASSWORD, "advisor", None, "KH",
                                         None, "en").id
    db.session.commit()
    for code in ("ID", "KH"):
        rows[f"policy_{code}"] = db.session.scalar(
            select(DeadlinePolicy.id).where(DeadlinePolicy.country_code == code).order_by(DeadlinePolicy.id))
    return rows


def _case_version(url: str) -> dict:
    """A case action carries the version of the case the page showed: here, the case as it is now
    (the actions before it changed it)."""
    if not url.startswith("/cases/"):
        return {}
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.reference == url.split("/")[2]))
    return {"version": str(case.version), "seen_message": str(max((m.id for m in case.messages), default=0)),
            "seen_status": case.status}


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        if "/login" in location and "next=" in location:
            return "login"
        return "→" + location.split("?")[0].replace("http://localhost", "")
    return str(response.status_code)


def _matches(expected: str, seen: str) -> bool:
    # "→/cases" stands for the case's own page, whichever case it is.
    return seen == expected or (expected == "→/cases" and seen.startswith("→/cases/"))


def test_every_route_of_the_app_has_its_expectations(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if not rule.endpoint.startswith(SKIPPED_BLUEPRINTS)}
    posted = {f"{rule.endpoint}#post" for rule in app.url_map.iter_rules()
              if rule.endpoint in endpoints and {"GET", "POST"} <= rule.methods}
    assert endpoints | posted == set(EXPECTED), "a route without a row in EXPECTED (or a row without a route)"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_right_answer_from_every_page_and_action(app, client, sign_in, role, monkeypatch):
    monkeypatch.setattr("grievance.web.queue.case.fetch_media", lambda url: Media(b"\xff\xd8jpeg", "image/jpeg"))
    world = worlds.build()
    probes = _probes(world, _rows())
    if role != SIGNED_OUT:
        assert sign_in(world.emails[role], worlds.PASSWORD).status_code == 302
    token = csrf_token(client.get("/login").get_data(as_text=True))
    wrong = []
    # In EXPECTED's order: the case's reading before acting on it; signing out last.
    for endpoint, by_scope in EXPECTED.items():
        for scope, expectations in by_scope.items():
            method, url, data = probes[endpoint][scope]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={**data, **_case_version(url), "csrf_token": token})
            seen = _outcome(response)
            if not _matches(expectations[role], seen):
                wrong.append(f"{method} {url} ({endpoint}, {scope}): expected {expectations[role]}, got {seen}")
    assert wrong == []
