"""The cases the token's owner may read, at the grade she has: never a phone number, a name, a
pseudonym, her words, internal notes or attachments (the schema has no field for them)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from grievance.access.viewer import STATUS
from grievance.api.auth import api_viewer, protected
from grievance.api.pages import keyset_page
from grievance.models import Case, Factory
from grievance.schemas.api import CaseOut, CasePage, CaseQuery

NEVER_SHOWN = ("Never through the API, at any grade: a phone number, a name, a pseudonym, what the worker "
               "wrote, internal notes or attachments.")
bp = protected(Blueprint("api_cases", __name__, url_prefix="/api/v1/cases",
               description="Cases the token's owner may read (committee members, factory managers for "
                           "their factory's committee cases, advisors, programme managers, admins). "
                           + NEVER_SHOWN))


def case_json(case: Case) -> dict:
    return {"reference": case.reference, "factory": case.factory.code if case.factory else None,
            "country": case.country_code, "category": case.category, "route": case.route,
            "status": case.status, "opened_at": case.opened_at, "acknowledge_by": case.acknowledge_by,
            "resolve_by": case.resolve_by, "acknowledged_in_time": case.acknowledged_in_time,
            "resolved_in_time": case.resolved_in_time, "outcome_code": case.outcome_code,
            "grade": api_viewer().case_grade(case)}


@bp.route("")
class Cases(MethodView):
    @bp.arguments(CaseQuery, location="query")
    @bp.response(200, CasePage)
    def get(self, args: dict):
        """The cases she may read, by reference; filters: status, category, factory (a code)."""
        query = select(Case).where(api_viewer().case_rows(STATUS))
        if "status" in args:
            query = query.where(Case.status == args["status"])
        if "category" in args:
            query = query.where(Case.category == args["category"])
        if "factory" in args:
            query = query.where(Case.factory_id.in_(select(Factory.id).where(Factory.code == args["factory"])))
        rows, following = keyset_page(query, Case.reference, args.get("after"), args["limit"],
                                      lambda case: case.reference)
        return {"items": [case_json(case) for case in rows], "next": following}


@bp.route("/<string:reference>")
class OneCase(MethodView):
    @bp.response(200, CaseOut)
    def get(self, reference: str):
        """One case she may read (404 for any other, whether it exists or not)."""
        case = api_viewer().visible_case(reference, STATUS)
        if case is None:
            abort(404)
        return case_json(case)
