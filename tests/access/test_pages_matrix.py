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
from grievance.access.grants import grant, organisation_for
from grievance.access.resets import issue_reset
from grievance.cli import add_user
from grievance.models.base import utcnow
from grievance.summaries.periods import MONTH, QUARTER, YEAR, last_closed, month_of
from grievance.models import Case, ChannelEndpoint, Country, DeadlinePolicy, Holiday, ReplyTemplate, User
from tests.access import world as worlds
from tests.conftest import csrf_token

SIGNED_OUT = "signed_out"
ROLES = worlds.ROLES + (SIGNED_OUT,)
# Not pages for people: Twilio's webhooks (signed, tested in tests/test_webhook.py), health
# probes, the simulator (development), static files; the JSON API (bearer tokens, never a
# session: tests/api/test_roles.py has its own role × scope matrix) and its OpenAPI document.
SKIPPED_BLUEPRINTS = ("twilio_webhooks", "health", "simulator", "static", "api_", "api-docs")
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
PROGRAMME = {"advisor_country", "programme_manager", "admin"}
LOG_READERS = {"buyer", "advisor_country", "advisor_factory", "programme_manager", "admin"}
LANDING = {"factory_manager": "→/factory", "buyer": "→/buyers", SIGNED_OUT: "login"}
SURVEY_WRITERS = {"advisor_country", "advisor_factory", "programme_manager", "admin"}
SUMMARY_READERS_A = set(worlds.ROLES)  # factory A's people, its buyer (granted), the programme


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
# Who may send a survey to factory A (and so see its runs): the programme's staff of its
# country or of A itself, and admins; to factory B, A's own advisor no longer.
SENDERS_A = {"advisor_country", "advisor_factory", "programme_manager", "admin"}
SENDERS_COUNTRY = {"advisor_country", "programme_manager", "admin"}
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "queue.home": {ANY: {role: LANDING.get(role, "→/queue") for role in ROLES}},
    "queue.index": {ANY: only(WORKERS, "200")},
    "factory.index": {ANY: only({"factory_manager"}, "200")},
    # Her factory's committee case only; an advisor case of her factory is as absent as any other.
    "factory.case": {scope: only({"factory_manager"} if scope == "own_committee" else set(), "200")
                     for scope in CASE_SCOPES},
    "buyers.index": {ANY: only({"buyer"}, "200")},
    # The factory granting her organisation access (A) opens; one that does not (B) is absent.
    "buyers.factory": {"granting": only({"buyer"}, "200"), "other": only(set(), "200")},
    "buyers.summary_csv": {ANY: only({"buyer"}, "200")},
    "buyers.factory_csv": {"granting": only({"buyer"}, "200"), "other": only(set(), "200")},
    "factory.summary": {ANY: only({"factory_manager"}, "200")},
    "factory.summary_csv": {ANY: only({"factory_manager"}, "200")},
    # A country's compilation: its advisors and programme managers, and admins; an advisor of
    # one factory is not shown her country's other factories.
    "programme.index": {"own": only(PROGRAMME, "200"), "other": only({"admin"}, "200")},
    "programme.summary_csv": {"own": only(PROGRAMME, "200"), "other": only({"admin"}, "200")},
    "programme.countries": {ANY: only(PROGRAMME, "200")},
    "programme.countries_csv": {ANY: only(PROGRAMME, "200")},
    # A factory's follow-up log: buyers of a consenting organisation and the programme's people
    # in their scope; never the factory's own people. Only closed periods, for everyone.
    "buyers.followup": {"own": only(LOG_READERS, "200"), "other": only({"admin"}, "200"),
                        "open": only(set(), "200")},
    "buyers.followup_csv": {"own": only(LOG_READERS, "200"), "other": only({"admin"}, "200")},
    # Her factory's grants to buyers; admins record them from /admin instead.
    "factory.grant_access": {"own": only({"factory_manager"}, "→/factory#access"), "other": only(set(), "→/factory")},
    "factory.revoke_access": {"own": only({"factory_manager"}, "→/factory#access"), "other": only(set(), "→/factory")},
    "notifications.index": {ANY: everyone("200")},
    "notifications.read_all": {ANY: everyone("→/notifications")},
    "auth.login": {ANY: everyone("200", signed_out="200")},
    "auth.login#post": {ANY: everyone("400", signed_out="400")},  # wrong password
    "auth.languages": {ANY: everyone("200", signed_out="200")},
    # Signed out, the queue is the way to the sign-in page.
    "auth.choose_language": {ANY: {role: LANDING.get(role, "→/queue") for role in worlds.ROLES}
                             | {SIGNED_OUT: "→/queue"}},
    # The page a one-time password link opens is anyone's who holds the link (before any admin
    # action below makes a newer link for the same person).
    "password.reset_link": {ANY: everyone("→/password/reset", signed_out="→/password/reset")},
    "password.reset": {ANY: everyone("200", signed_out="200")},
    "password.reset#post": {ANY: everyone("400", signed_out="400")},  # the two passwords differ
    "queue.case": case_rule("200"),
    "queue.media": case_rule("200"),
    "queue.acknowledge": case_rule("→/cases"),
    "queue.reply": case_rule("→/cases"),
    "queue.resolve_case": case_rule("→/cases"),
    # Going to a reference: her case opens; one outside her scope is "not found", like none.
    "queue.find": case_rule("→/cases"),
    "queue.note": case_rule("→/cases"),
    # Committee cases only: an advisor case has no note for buyers.
    "queue.followup_note": case_rule("→/cases") | {"own_advisor": only(set(), "→/cases")},
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
    "admin.factories": {ANY: only({"admin"}, "200")},
    "admin.add_factory": {ANY: only({"admin"}, "→/admin/factories/*")},
    "admin.factory": {ANY: only({"admin"}, "200")},
    "admin.save_factory": {ANY: only({"admin"}, "→/admin/factories/*")},
    "admin.add_number": {ANY: only({"admin"}, "→/admin/factories/*")},
    "admin.remove_number": {ANY: only({"admin"}, "→/admin/factories/*")},
    "admin.people": {ANY: only({"admin"}, "200")},
    "admin.add_person": {ANY: only({"admin"}, "200")},  # the page with her password link
    "admin.person": {ANY: only({"admin"}, "200")},
    "admin.add_membership": {ANY: only({"admin"}, "→/admin/people/*")},
    "admin.remove_membership": {ANY: only({"admin"}, "→/admin/people/*")},
    "admin.deactivate_person": {ANY: only({"admin"}, "→/admin/people/*")},
    "admin.reactivate_person": {ANY: only({"admin"}, "→/admin/people/*")},
    "admin.issue_reset_link": {ANY: only({"admin"}, "200")},
    "admin.organisations": {ANY: only({"admin"}, "200")},
    "admin.add_organisation": {ANY: only({"admin"}, "→/admin/organisations/*")},
    "admin.organisation": {ANY: only({"admin"}, "200")},
    "admin.rename_organisation": {ANY: only({"admin"}, "→/admin/organisations/*")},
    "admin.add_grant": {ANY: only({"admin"}, "→/admin/organisations/*")},
    "admin.revoke_grant": {ANY: only({"admin"}, "→/admin/organisations/*")},
    "admin.templates": {ANY: only({"admin"}, "200")},
    "admin.add_reply_template": {ANY: only({"admin"}, "→/admin/templates")},
    "admin.reply_template": {ANY: only({"admin"}, "200")},
    "admin.save_reply_template": {ANY: only({"admin"}, "→/admin/templates")},
    "admin.whatsapp_templates": {ANY: only({"admin"}, "200")},
    "admin.save_whatsapp_template": {ANY: only({"admin"}, "→/admin/whatsapp")},
    "admin.log": {ANY: only({"admin"}, "200")},
    # Surveys: written by the programme's staff of the survey's country (an advisor of one
    # factory, of its country); results read as the factory's summaries are.
    "surveys.index": {ANY: only(SURVEY_WRITERS, "200")},
    "surveys.new_survey": {ANY: only(SURVEY_WRITERS, "→/surveys/*")},
    "surveys.survey": {"own": only(SURVEY_WRITERS, "200"), "other": only({"admin"}, "200")},
    "surveys.save_texts": {"own": only(SURVEY_WRITERS, "→/surveys/*"), "other": only({"admin"}, "→/surveys/*")},
    "surveys.add_question": {"own": only(SURVEY_WRITERS, "→/surveys/*"), "other": only({"admin"}, "→/surveys/*")},
    "surveys.change_question": {"own": only(SURVEY_WRITERS, "→/surveys/*"),
                                "other": only({"admin"}, "→/surveys/*")},
    "surveys.move_question": {"own": only(SURVEY_WRITERS, "→/surveys/*"), "other": only({"admin"}, "→/surveys/*")},
    "surveys.delete_question": {"own": only(SURVEY_WRITERS, "→/surveys/*"),
                                "other": only({"admin"}, "→/surveys/*")},
    "surveys.results": {"own": only(SUMMARY_READERS_A, "200"), "other": only(PROGRAMME, "200")},
    "surveys.results_csv": {"own": only(SUMMARY_READERS_A, "200"), "other": only(PROGRAMME, "200")},
    # Runs: one of factory A is for those who may send to A, one of factory B for those of the
    # whole country; a roster also for A's manager (a POST without its file is a form to correct).
    "surveys.new_run": {ANY: only(SENDERS_A, "200")},
    "surveys.new_run#post": {ANY: only(SENDERS_A, "200")},  # the plan, shown before anything is sent
    "surveys.runs": {ANY: only(SENDERS_A, "200")},
    "surveys.run": {"own": only(SENDERS_A, "200"), "other": only(SENDERS_COUNTRY, "200")},
    "surveys.run_progress": {"own": only(SENDERS_A, "200"), "other": only(SENDERS_COUNTRY, "200")},
    "surveys.start": {"own": only(SENDERS_A, "→/surveys/runs/*"), "other": only(SENDERS_COUNTRY, "→/surveys/runs/*")},
    "surveys.run_action": {"own": only(SENDERS_A, "→/surveys/runs/*"),
                           "other": only(SENDERS_COUNTRY, "→/surveys/runs/*")},
    "surveys.rosters": {ANY: only(SENDERS_A | {"factory_manager"}, "200")},
    "surveys.rosters#post": {ANY: only(SENDERS_A | {"factory_manager"}, "400")},
    "auth.logout": {ANY: everyone("login", signed_out="login")},  # to the sign-in page
}


def _probes(world, rows) -> dict[str, dict[str, tuple[str, str, dict]]]:
    """For each rule (and scope): method, URL and form data (the CSRF token is added)."""
    cases = world.cases
    factory_a, factory_b, subject = world.factories["A"].id, world.factories["B"].id, rows["subject"]
    # The country's week as it is: countries are kept from one test to the next.
    indonesia = db.session.get(Country, "ID")
    week = {"week-weekend": [str(day) for day in indonesia.weekend], "week-workday_start": indonesia.workday_start,
            "week-workday_end": indonesia.workday_end}
    policy = {"policy-category": "*", "policy-route": "picc", "policy-acknowledge_amount": "3",
              "policy-acknowledge_unit": "working_days", "policy-resolve_amount": "20",
              "policy-resolve_unit": "working_days", "policy-reminder_share": "0.25"}
    holiday = {"holiday-date": "2026-12-24", "holiday-every_year": "no", "holiday-name": "Factory closure"}

    this_month = month_of(utcnow(), "Asia/Jakarta").key  # still running: no log for it
    closed = {kind: last_closed(utcnow(), "Asia/Jakarta", kind).key for kind in (MONTH, QUARTER, YEAR)}
    advisor_id = db.session.scalar(select(User.id).where(User.email == world.emails["advisor_country"]))

    def per_case(method, suffix, data=None):
        return {scope: (method, f"/cases/{cases[scope].reference}{suffix(cases[scope])}", data or {})
                for scope in CASE_SCOPES}

    return {
        "queue.home": {ANY: ("GET", "/", {})},
        "queue.index": {ANY: ("GET", "/queue", {})},
        "factory.index": {ANY: ("GET", "/factory", {})},
        "factory.case": {scope: ("GET", f"/factory/cases/{cases[scope].reference}", {}) for scope in CASE_SCOPES},
        "buyers.index": {ANY: ("GET", "/buyers", {})},
        "buyers.factory": {"granting": ("GET", "/buyers/factories/IDN-0001", {}),
                           "other": ("GET", "/buyers/factories/IDN-0002", {})},
        "buyers.summary_csv": {ANY: ("GET", "/buyers/summary.csv?table=factories", {})},
        "buyers.factory_csv": {"granting": ("GET", "/buyers/factories/IDN-0001/summary.csv", {}),
                               "other": ("GET", "/buyers/factories/IDN-0002/summary.csv", {})},
        "factory.summary": {ANY: ("GET", "/factory/summary", {})},
        "factory.summary_csv": {ANY: ("GET", "/factory/summary.csv", {})},
        "programme.index": {"own": ("GET", "/programme?country=ID", {}), "other": ("GET", "/programme?country=KH", {})},
        "programme.summary_csv": {"own": ("GET", "/programme/summary.csv?country=ID", {}),
                                  "other": ("GET", "/programme/summary.csv?country=KH", {})},
        "programme.countries": {ANY: ("GET", "/programme/countries", {})},
        "programme.countries_csv": {ANY: ("GET", "/programme/countries.csv", {})},
        # The log offers recent closed periods only (grievance.summaries.report.offered_periods).
        "buyers.followup": {"own": ("GET", f"/buyers/factories/IDN-0001/followup?period={closed[QUARTER]}", {}),
                            "other": ("GET", f"/buyers/factories/KHM-0001/followup?period={closed[YEAR]}", {}),
                            "open": ("GET", f"/buyers/factories/IDN-0001/followup?period={this_month}", {})},
        "buyers.followup_csv": {"own": ("GET", f"/buyers/factories/IDN-0001/followup.csv?period={closed[MONTH]}", {}),
                                "other": ("GET", f"/buyers/factories/KHM-0001/followup.csv?period={closed[QUARTER]}",
                                          {})},
        "factory.grant_access": {"own": ("POST", "/factory/IDN-0001/access",
                                         {"access-organisation": str(rows["organisation"])}),
                                 "other": ("POST", "/factory/IDN-0002/access",
                                           {"access-organisation": str(rows["organisation_leaving"])})},
        "factory.revoke_access": {"own": ("POST", f"/factory/IDN-0001/access/{rows['grant_A']}/revoke",
                                          {"confirm": "yes"}),
                                  "other": ("POST", f"/factory/IDN-0002/access/{rows['grant']}/revoke",
                                            {"confirm": "yes"})},
        "notifications.index": {ANY: ("GET", "/notifications", {})},
        "notifications.read_all": {ANY: ("POST", "/notifications/read", {})},
        "auth.login": {ANY: ("GET", "/login", {})},
        "auth.login#post": {ANY: ("POST", "/login", {"email": "nobody@example.org", "password": "not it at all"})},
        "auth.choose_language": {ANY: ("POST", "/language", {"language": "en"})},
        "auth.languages": {ANY: ("GET", "/languages?next=/notifications", {})},
        "password.reset_link": {ANY: ("GET", f"/password/reset/{rows['reset_token']}", {})},
        "password.reset": {ANY: ("GET", "/password/reset", {})},
        "password.reset#post": {ANY: ("POST", "/password/reset", {"password": "a long new password",
                                                                   "again": "another one entirely"})},
        "queue.case": per_case("GET", lambda case: ""),
        "queue.media": per_case("GET", lambda case: f"/media/{case.messages[0].id}/0"),
        "queue.acknowledge": per_case("POST", lambda case: "/acknowledge"),
        "queue.reply": per_case("POST", lambda case: "/reply", {"reply-text": "Kami sedang memeriksanya."}),
        "queue.find": {scope: ("POST", "/queue/find", {"find-reference": cases[scope].reference.lower()})
                       for scope in CASE_SCOPES},
        "queue.note": per_case("POST", lambda case: "/note", {"note-body": "Talked to HR."}),
        "queue.followup_note": per_case("POST", lambda case: "/followup",
                                        {"followup-note": "Overtime paid after review."}),
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
        "admin.factories": {ANY: ("GET", "/admin/factories", {})},
        "admin.add_factory": {ANY: ("POST", "/admin/factories", {
            "factory-code": "IDN-0099", "factory-name": "PT Baru", "factory-country": "ID",
            "factory-timezone": "Asia/Jakarta", "factory-headcount": "1200"})},
        "admin.factory": {ANY: ("GET", f"/admin/factories/{factory_a}", {})},
        "admin.save_factory": {ANY: ("POST", f"/admin/factories/{factory_a}", {
            "factory-code": "IDN-0001", "factory-name": "PT Contoh Garmen", "factory-country": "ID",
            "factory-timezone": "Asia/Jakarta", "factory-headcount": "900"})},
        "admin.add_number": {ANY: ("POST", f"/admin/factories/{factory_a}/numbers",
                                   {"number-channel": "whatsapp", "number-number": "+622150000001"})},
        "admin.remove_number": {ANY: ("POST", f"/admin/factories/{factory_b}/numbers/{rows['endpoint']}/remove",
                                      {"confirm": "yes"})},
        "admin.people": {ANY: ("GET", "/admin/people", {})},
        "admin.add_person": {ANY: ("POST", "/admin/people", {
            "person-email": "new@example.org", "person-name": "Sari", "person-language": "id"})},
        "admin.person": {ANY: ("GET", f"/admin/people/{subject}", {})},
        "admin.add_membership": {ANY: ("POST", f"/admin/people/{subject}/memberships", {
            "membership-role": "picc", "membership-factory": str(factory_a), "membership-country": "",
            "membership-organisation": ""})},
        "admin.remove_membership": {ANY: ("POST", f"/admin/people/{subject}/memberships/{rows['membership']}/remove",
                                          {"confirm": "yes"})},
        "admin.deactivate_person": {ANY: ("POST", f"/admin/people/{subject}/deactivate", {"confirm": "yes"})},
        "admin.reactivate_person": {ANY: ("POST", f"/admin/people/{subject}/reactivate", {})},
        "admin.issue_reset_link": {ANY: ("POST", f"/admin/people/{subject}/reset", {})},
        "admin.organisations": {ANY: ("GET", "/admin/organisations", {})},
        "admin.add_organisation": {ANY: ("POST", "/admin/organisations", {"organisation-name": "New Brand"})},
        "admin.organisation": {ANY: ("GET", f"/admin/organisations/{rows['organisation']}", {})},
        "admin.rename_organisation": {ANY: ("POST", f"/admin/organisations/{rows['organisation']}",
                                            {"organisation-name": "Other Brand Group"})},
        "admin.add_grant": {ANY: ("POST", f"/admin/organisations/{rows['organisation']}/grants",
                                  {"grant-factory": str(factory_a), "grant-note": "Letter 2026/14"})},
        "admin.revoke_grant": {ANY: ("POST", f"/admin/organisations/{rows['organisation']}/grants/{rows['grant']}/revoke",
                                     {f"revoke{rows['grant']}-note": "Letter 2026/15", "confirm": "yes"})},
        "admin.templates": {ANY: ("GET", "/admin/templates", {})},
        "admin.add_reply_template": {ANY: ("POST", "/admin/templates", {
            "template-key": "payslip", "template-language": "id", "template-text": "Slip gaji sudah diperiksa.",
            "template-active": "y"})},
        "admin.reply_template": {ANY: ("GET", f"/admin/templates/{rows['template']}", {})},
        "admin.save_reply_template": {ANY: ("POST", f"/admin/templates/{rows['template']}", {
            "template-key": "checked", "template-language": "en", "template-text": "We checked it.",
            "template-active": "y"})},
        "admin.whatsapp_templates": {ANY: ("GET", "/admin/whatsapp", {})},
        "admin.save_whatsapp_template": {ANY: ("POST", "/admin/whatsapp", {
            "whatsapp-purpose": "acknowledgement", "whatsapp-language": "id",
            "whatsapp-content_sid": "HX" + "a" * 32, "whatsapp-variables": "reference,date"})},
        "admin.log": {ANY: ("GET", "/admin/log", {})},
        "surveys.index": {ANY: ("GET", "/surveys/", {})},
        "surveys.new_survey": {ANY: ("POST", "/surveys/", {"survey-title": "Pay", "survey-kind": "survey",
                                                           "survey-country": "ID"})},
        **_survey_probes(rows),
        "surveys.new_run": {ANY: ("GET", f"/surveys/{rows['dispatch_survey']}/runs/new", {})},
        "surveys.new_run#post": {ANY: ("POST", f"/surveys/{rows['dispatch_survey']}/runs/new",
                                       {"run-target": f"factory:{factory_a}"})},
        "surveys.runs": {ANY: ("GET", "/surveys/runs", {})},
        "surveys.run": {"own": ("GET", f"/surveys/runs/{rows['dispatch_run_A']}", {}),
                        "other": ("GET", f"/surveys/runs/{rows['dispatch_run_B']}", {})},
        "surveys.run_progress": {"own": ("GET", f"/surveys/runs/{rows['dispatch_run_A']}/progress.json", {}),
                                 "other": ("GET", f"/surveys/runs/{rows['dispatch_run_B']}/progress.json", {})},
        # A run already sending: pressing its start again only leads back to it.
        "surveys.start": {"own": ("POST", f"/surveys/runs/{rows['dispatch_run_A']}/start", {}),
                          "other": ("POST", f"/surveys/runs/{rows['dispatch_run_B']}/start", {})},
        "surveys.run_action": {"own": ("POST", f"/surveys/runs/{rows['dispatch_run_A']}/pause", {}),
                               "other": ("POST", f"/surveys/runs/{rows['dispatch_run_B']}/pause", {})},
        "surveys.rosters": {ANY: ("GET", "/surveys/rosters", {})},
        "surveys.rosters#post": {ANY: ("POST", "/surveys/rosters", {"roster-factory": str(factory_a)})},
        "auth.logout": {ANY: ("POST", "/logout", {})},
    }


def _survey_probes(rows) -> dict:
    surveys = {"own": rows["survey_ID"], "other": rows["survey_KH"]}

    def each(method, suffix, data=None):
        return {scope: (method, f"/surveys/{survey}{suffix(scope)}", data or {}) for scope, survey in surveys.items()}

    runs = {"own": rows["run_A"], "other": rows["run_B"]}
    return {
        "surveys.survey": each("GET", lambda scope: ""),
        "surveys.save_texts": each("POST", lambda scope: "/texts", {"texts-intro_en": "Hello"}),
        "surveys.add_question": each("POST", lambda scope: "/questions", {"question-kind": "yes_no"}),
        "surveys.change_question": each("POST", lambda scope: f"/questions/{rows['questions_' + scope][0]}",
                                        {**{f"question{rows['questions_own'][0]}-kind": "scale",
                                            f"question{rows['questions_own'][0]}-scale_max": "5"},
                                         **{f"question{rows['questions_other'][0]}-kind": "scale",
                                            f"question{rows['questions_other'][0]}-scale_max": "5"}}),
        "surveys.move_question": each("POST", lambda scope: f"/questions/{rows['questions_' + scope][0]}/move",
                                      {"direction": "down"}),
        "surveys.delete_question": each("POST", lambda scope: f"/questions/{rows['questions_' + scope][1]}/delete"),
        "surveys.results": {scope: ("GET", f"/surveys/runs/{run}/results", {}) for scope, run in runs.items()},
        "surveys.results_csv": {scope: ("GET", f"/surveys/runs/{run}/results.csv", {}) for scope, run in runs.items()},
    }


def _rows(world) -> dict[str, int]:
    """A deadline policy and a holiday of each country, to delete; for the administration, a
    person (with a role to remove and a password link), a second number of factory B, an
    organisation with a grant, a reply template."""
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
    subject = add_user("subject@example.org", "Subject", worlds.PASSWORD, "picc", "IDN-0002", None, None, "en")
    endpoint = ChannelEndpoint(channel="sms", address="+622150000009", factory_id=world.factories["B"].id,
                               country_code="ID")
    organisation = organisation_for("Other Brand")
    leaving = organisation_for("Leaving Brand")
    template = ReplyTemplate(key="looked", language="en", text="We looked at it.")
    db.session.add_all([endpoint, template])
    db.session.flush()
    rows.update(subject=subject.id, membership=subject.memberships[0].id, endpoint=endpoint.id,
                organisation=organisation.id, grant=grant(world.factories["B"], organisation, by=None).id,
                organisation_leaving=leaving.id, grant_A=grant(world.factories["A"], leaving, by=None).id,
                template=template.id, reset_token=issue_reset(db.session, subject, by=None))
    db.session.commit()
    rows.update(_survey_rows(world))
    rows.update(_dispatch_rows(world))
    return rows


def _survey_rows(world) -> dict:
    """A survey of each country with two questions (no run: its questions may change), and a
    finished run in factories A and B of another survey."""
    from tests.surveys import world as surveys

    found = {}
    for code in ("ID", "KH"):
        made = surveys.survey(country=code, questions=[{"kind": "yes_no"}, {"kind": "yes_no"}])
        found[f"survey_{code}"] = made.id
        found["questions_" + ("own" if code == "ID" else "other")] = [q.id for q in made.questions]
    sent = surveys.survey(questions=surveys.CONDITIONS)
    for name in ("A", "B"):
        found[f"run_{name}"] = surveys.run(sent, world.factories[name], sent=12,
                                           answers={2: surveys.values(yes=6, no=6)}).id
    return found


def _dispatch_rows(world) -> dict[str, int]:
    """A survey of Indonesia with every text, and a run of it sending to A and one to B."""
    from grievance.models import Survey, SurveyQuestion, SurveyRun

    now = utcnow()
    texts = {"id": "Survei singkat.", "en": "A short survey."}
    survey = Survey(kind="survey", title="Jam kerja", country_code="ID", intro=texts, thanks=texts, created_at=now,
                    updated_at=now, questions=[SurveyQuestion(position=1, kind="yes_no", text=texts)])
    runs = {name: SurveyRun(survey=survey, factory_id=world.factories[name].id, country_code="ID", status="running",
                            plan={"recipients": 0}, created_at=now, started_at=now) for name in ("A", "B")}
    db.session.add_all([survey, *runs.values()])
    db.session.commit()
    return {"dispatch_survey": survey.id, "dispatch_run_A": runs["A"].id, "dispatch_run_B": runs["B"].id}


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
        if location.split("?")[0].replace("http://localhost", "") == "/login":
            return "login"  # to sign in (back to the page asked for, or the form's page, after)
        return "→" + location.split("?")[0].replace("http://localhost", "")
    return str(response.status_code)


def _matches(expected: str, seen: str) -> bool:
    # "→/cases" stands for the case's own page, whichever case it is; "→/admin/people/*" for a row's page.
    return (seen == expected or (expected == "→/cases" and seen.startswith("→/cases/"))
            or (expected.endswith("/*") and seen.startswith(expected[:-1])))


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
    probes = _probes(world, _rows(world))
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
