"""Factories whose follow-up summaries the token's owner may see, and the buyers' access they grant."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grievance.access.grants import active_grant, find_organisation
from grievance.api.auth import api_viewer, protected
from grievance.api.pages import keyset_page
from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, User
from grievance.schemas.api import FactoryOut, FactoryPage, GrantIn, GrantOut, GrantPage, GrantQuery, PageQuery
from grievance.web.admin.consent import record_grant, record_revoke

bp = protected(Blueprint("api_factories", __name__, url_prefix="/api/v1",
               description="Factories, and the access they grant buyers' organisations to their summaries."))


def factory_json(factory: Factory) -> dict:
    return {"code": factory.code, "name": factory.name, "country": factory.country_code,
            "timezone": factory.timezone, "headcount": factory.headcount}


def grant_json(found: ConsentGrant, factory_code: str, people: dict[int, str] | None = None) -> dict:
    """``people``: the names of who granted and revoked, by user id (see ``names_of``)."""
    who = api_viewer().sees_who_granted
    people = people if people is not None else names_of([found])
    return {"id": found.id, "factory": factory_code, "organisation": found.organisation.code,
            "organisation_name": found.organisation.name, "granted_at": found.granted_at,
            "revoked_at": found.revoked_at,
            "granted_by": people.get(found.granted_by_id) if who else None,
            "revoked_by": people.get(found.revoked_by_id) if who else None}


def names_of(grants: list[ConsentGrant]) -> dict[int, str]:
    """The names of everyone who granted or revoked one of these, in one query for them all."""
    ids = {g.granted_by_id for g in grants} | {g.revoked_by_id for g in grants}
    ids.discard(None)
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def visible_factory(code: str) -> Factory:
    """Her factory of this code, or a 404 (whether or not it exists)."""
    factory = db.session.scalar(select(Factory).where(api_viewer().summary_factories(), Factory.code == code))
    if factory is None:
        abort(404)
    return factory


def grantable_factory(code: str) -> Factory:
    factory = visible_factory(code)
    if not api_viewer().may_grant(factory):
        # She sees the factory (so the answer confirms nothing), but only its managers decide.
        abort(403, message="Only the factory's managers and admins grant or revoke access.")
    return factory


@bp.route("/factories")
class Factories(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, FactoryPage)
    def get(self, args: dict):
        """The factories whose summaries she may see, by code."""
        query = select(Factory).where(api_viewer().summary_factories())
        rows, following = keyset_page(query, Factory.code, args.get("after"), args["limit"],
                                      lambda factory: factory.code)
        return {"items": [factory_json(factory) for factory in rows], "next": following}


@bp.route("/factories/<string:code>")
class OneFactory(MethodView):
    @bp.response(200, FactoryOut)
    def get(self, code: str):
        """One of them (404 for any other)."""
        return factory_json(visible_factory(code))


@bp.route("/grants")
class Grants(MethodView):
    @bp.arguments(GrantQuery, location="query")
    @bp.response(200, GrantPage)
    def get(self, args: dict):
        """The grants she may see: a factory's people and admins with who granted and revoked;
        a buyer her organisation's active grants; advisors and programme managers their country's."""
        query = select(ConsentGrant).where(api_viewer().grant_rows()).options(selectinload(ConsentGrant.organisation))
        rows, following = keyset_page(query, ConsentGrant.id, args.get("after"), args["limit"],
                                      lambda found: str(found.id))
        codes = dict(db.session.execute(select(Factory.id, Factory.code).where(
            Factory.id.in_({found.factory_id for found in rows}))).all())
        people = names_of(rows) if api_viewer().sees_who_granted else {}
        return {"items": [grant_json(found, codes[found.factory_id], people) for found in rows], "next": following}


@bp.route("/factories/<string:code>/grants")
class FactoryGrants(MethodView):
    @bp.arguments(GrantIn)
    @bp.response(201, GrantOut)
    @bp.alt_response(200, schema=GrantOut, description="Already granted: the grant as it is.")
    def post(self, data: dict, code: str):
        """Let an organisation see this factory's follow-up summaries (managers and admins)."""
        factory = grantable_factory(code)
        organisation = find_organisation(data["organisation"])
        if organisation is None:
            abort(422, message="Unknown organisation.",
                  errors={"json": {"organisation": ["No organisation has this code or name."]}})
        made = record_grant(factory, organisation, by=api_viewer().user)
        found = made or active_grant(factory, organisation)
        db.session.commit()
        return grant_json(found, factory.code), 201 if made else 200


@bp.route("/factories/<string:code>/grants/<string:organisation>")
class FactoryGrant(MethodView):
    @bp.response(204)
    def delete(self, code: str, organisation: str):
        """End an organisation's access now (the grant stays as history)."""
        factory = grantable_factory(code)
        found = find_organisation(organisation)
        if found is None or not record_revoke(factory, found, by=api_viewer().user):
            abort(404, message="This organisation has no active grant from this factory.")
        db.session.commit()
        return None
