"""The Viewer: everything a person (or an API token) may see or do, answered in one place.

Grades of a case:

- ``full``: everything the committee's page shows (her words, attachments, her name where she
  agreed the committee may know it) and the right to act on it. PICC members on their factory's
  committee cases; advisors and programme managers on every case of their country, or of their
  one factory, on both routes (a factory's late committee cases escalate to them); admins on all.
- ``status``: a factory manager on her factory's committee cases: status, category and
  deadlines; her words only where the worker agreed to give her name (the case is not
  anonymous), since the committee she told includes management; never her name, number or
  attachments. Advisor cases are never shown to a factory's people, not even that they exist.
- ``none``: everything else, and everything for buyers, who see aggregates only.

Row scopes are SQL predicates, so lists filter in the database; ``case_grade`` answers the same
rules for one loaded case (tests/access check that the two agree).
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from grievance.access.roles import (ADMIN, BUYER, CASE_WORKERS, COUNTRY_ROLES, FACTORY_MANAGER, PICC, Scope)
from grievance.models import Case, ConsentGrant, Factory, User
from grievance.models.case import ROUTE_PICC

FULL, STATUS, NONE = "full", "status", "none"
# Who a summary is worded for (summary_audience).
PROGRAMME, FACTORY, BUYER_AUDIENCE = "programme", "factory", "buyer"
_RANK = {NONE: 0, STATUS: 1, FULL: 2}


class Viewer:
    """Who is looking, as the access rules read it; built once per request (or token use)."""

    def __init__(self, user: User | None, scopes: Iterable[Scope] = ()) -> None:
        self.user = user
        self.scopes: tuple[Scope, ...] = tuple(scopes)

    @classmethod
    def for_user(cls, user: User | None) -> "Viewer":
        """A signed-in, active user's memberships; nobody (signed out, deactivated) sees nothing."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(None)
        return cls(user, (Scope(m.role, m.factory_id, m.country_code, m.organisation_id)
                          for m in user.memberships))

    @classmethod
    def for_token(cls, raw_token: str, now: datetime | None = None) -> "Viewer":
        """The person behind an API bearer token (nobody if it is unknown, revoked or hers is
        deactivated); the token's last use is recorded in the caller's session."""
        from grievance.access.tokens import user_for_token

        return cls.for_user(user_for_token(raw_token, now))

    # -- who -----------------------------------------------------------------------------------

    def _roles(self) -> set[str]:
        return {scope.role for scope in self.scopes}

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self._roles()

    @property
    def works_cases(self) -> bool:
        """Whether she has a queue: acknowledges, replies to workers, resolves."""
        return bool(self._roles() & CASE_WORKERS)

    @property
    def sees_read_log(self) -> bool:
        """Who read her words (a case's read log): advisors, programme managers and admins;
        never a factory's people."""
        return bool(self._roles() & (COUNTRY_ROLES | {ADMIN}))

    @property
    def follows_factory(self) -> bool:
        """A factory manager: follows the status of her factory's committee cases."""
        return FACTORY_MANAGER in self._roles()

    @property
    def is_buyer(self) -> bool:
        return BUYER in self._roles()

    def may_admin(self, area: str | None = None) -> bool:
        """The administration pages and commands (every area is the admins' for now)."""
        return self.is_admin

    # -- which cases, how much -----------------------------------------------------------------

    def _full_rows(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for scope in self.scopes:
            if scope.role == ADMIN:
                return [true()]
            if scope.role == PICC and scope.factory_id is not None:
                conditions.append(and_(Case.factory_id == scope.factory_id, Case.route == ROUTE_PICC))
            elif scope.role in COUNTRY_ROLES and scope.factory_id is not None:
                conditions.append(Case.factory_id == scope.factory_id)
            elif scope.role in COUNTRY_ROLES and scope.country_code:
                conditions.append(Case.country_code == scope.country_code)
        return conditions

    def _status_rows(self) -> list[ColumnElement[bool]]:
        return [and_(Case.factory_id == scope.factory_id, Case.route == ROUTE_PICC)
                for scope in self.scopes if scope.role == FACTORY_MANAGER and scope.factory_id is not None]

    def case_rows(self, grade: str = STATUS) -> ColumnElement[bool]:
        """The cases this viewer sees at least at ``grade``, as a predicate on Case."""
        conditions = self._full_rows() + (self._status_rows() if _RANK[grade] <= _RANK[STATUS] else [])
        return or_(*conditions) if conditions else false()

    def _grade_of(self, scope: Scope, case: Case) -> str:
        own_factory = scope.factory_id is not None and case.factory_id == scope.factory_id
        if scope.role == ADMIN:
            return FULL
        if scope.role == PICC:
            return FULL if own_factory and case.route == ROUTE_PICC else NONE
        if scope.role == FACTORY_MANAGER:
            return STATUS if own_factory and case.route == ROUTE_PICC else NONE
        if scope.role in COUNTRY_ROLES:
            if scope.factory_id is not None:
                return FULL if own_factory else NONE
            return FULL if scope.country_code and case.country_code == scope.country_code else NONE
        return NONE

    def case_grade(self, case: Case | None) -> str:
        """How much of this case the viewer sees: ``full``, ``status`` or ``none``."""
        if case is None:
            return NONE
        return max((self._grade_of(scope, case) for scope in self.scopes), key=_RANK.__getitem__, default=NONE)

    def may_act(self, case: Case | None) -> bool:
        """Acknowledge, write to the worker, resolve: only those who see the whole case."""
        return self.case_grade(case) == FULL

    def shows_words(self, case: Case) -> bool:
        """Whether the worker's messages are shown (see the module's note on ``status``)."""
        grade = self.case_grade(case)
        return grade == FULL or (grade == STATUS and not case.anonymous)

    def queue_factories(self) -> ColumnElement[bool]:
        """The factories whose cases this viewer works, as a predicate on Factory (the queue's
        factory filter is offered when there are several)."""
        conditions: list[ColumnElement[bool]] = []
        for scope in self.scopes:
            if scope.role == ADMIN:
                return true()
            if scope.role in CASE_WORKERS and scope.factory_id is not None:
                conditions.append(Factory.id == scope.factory_id)
            elif scope.role in COUNTRY_ROLES and scope.country_code:
                conditions.append(Factory.country_code == scope.country_code)
        return or_(*conditions) if conditions else false()

    def colleagues(self) -> ColumnElement[bool]:
        """The active people who work cases this viewer works (whom a case may be assigned to,
        and the queue filtered by), as a predicate on User."""
        from grievance.models import Membership

        if not self.works_cases:
            return false()
        memberships = select(Membership.user_id).where(Membership.role.in_(CASE_WORKERS))
        if not self.is_admin:
            countries = [scope.country_code for scope in self.scopes
                         if scope.role in COUNTRY_ROLES and scope.factory_id is None and scope.country_code]
            factories = select(Factory.id).where(self.queue_factories())
            memberships = memberships.where(or_(Membership.factory_id.in_(factories),
                                                and_(Membership.factory_id.is_(None),
                                                     Membership.country_code.in_(countries))))
        return and_(User.active.is_(True), User.id.in_(memberships))

    def visible_case(self, reference: str, grade: str = FULL) -> Case | None:
        from grievance.extensions import db

        return db.session.scalar(select(Case).where(self.case_rows(grade), Case.reference == reference.upper()))

    # -- summaries, landing --------------------------------------------------------------------

    def summary_factories(self) -> ColumnElement[bool]:
        """The factories whose follow-up summaries this viewer may see, as a predicate on Factory:
        a factory's own people their factory, advisors and programme managers their scope,
        admins all, buyers the factories granting their organisation access now."""
        conditions: list[ColumnElement[bool]] = []
        for scope in self.scopes:
            if scope.role == ADMIN:
                return true()
            if scope.role == BUYER and scope.organisation_id is not None:
                conditions.append(Factory.id.in_(
                    select(ConsentGrant.factory_id).where(ConsentGrant.organisation_id == scope.organisation_id,
                                                          ConsentGrant.revoked_at.is_(None))))
            elif scope.factory_id is not None:
                conditions.append(Factory.id == scope.factory_id)
            elif scope.role in COUNTRY_ROLES and scope.country_code:
                conditions.append(Factory.country_code == scope.country_code)
        return or_(*conditions) if conditions else false()

    def summary_audience(self, factory: Factory) -> str | None:
        """How this factory's summary is worded for her: ``programme`` (admins, advisors and
        programme managers whose scope holds it: both routes), ``factory`` (its PICC and
        manager: committee cases only), ``buyer`` (her organisation holds an active grant from
        it: committee cases and one zero-tolerance count per quarter), or None (not hers)."""
        found = {self._audience_of(scope, factory) for scope in self.scopes} - {None}
        return next((audience for audience in (PROGRAMME, FACTORY, BUYER_AUDIENCE) if audience in found), None)

    def _audience_of(self, scope: Scope, factory: Factory) -> str | None:
        if scope.role == ADMIN:
            return PROGRAMME
        if scope.role in COUNTRY_ROLES:
            in_scope = (scope.factory_id == factory.id if scope.factory_id is not None
                        else bool(scope.country_code) and scope.country_code == factory.country_code)
            return PROGRAMME if in_scope else None
        if scope.role in (PICC, FACTORY_MANAGER):
            return FACTORY if scope.factory_id == factory.id else None
        if scope.role == BUYER and scope.organisation_id is not None:
            from grievance.extensions import db

            granted = db.session.scalar(select(ConsentGrant.id).where(
                ConsentGrant.factory_id == factory.id, ConsentGrant.organisation_id == scope.organisation_id,
                ConsentGrant.revoked_at.is_(None)))
            return BUYER_AUDIENCE if granted is not None else None
        return None

    @property
    def sees_programme(self) -> bool:
        """The programme's compilations (a country's factories side by side, countries against
        each other): advisors and programme managers of a country, and admins. An advisor of
        one factory is not shown the other factories of her country."""
        return bool(self.is_admin or self._country_scopes())

    def _country_scopes(self) -> set[str]:
        # A membership of one factory may also name its country: that is not the country's.
        return {scope.country_code for scope in self.scopes
                if scope.role in COUNTRY_ROLES and scope.country_code and scope.factory_id is None}

    def programme_countries(self) -> list[str]:
        """The countries whose compilation she may read, in code order (admins: every country)."""
        from grievance.extensions import db
        from grievance.models import Country

        if self.is_admin:
            return list(db.session.scalars(select(Country.code).order_by(Country.code)))
        return sorted(self._country_scopes())

    def summary_countries(self) -> set[str] | None:
        """The countries whose compilation she may read: None means all (admins)."""
        return None if self.is_admin else self._country_scopes()

    def may_grant(self, factory: Factory) -> bool:
        """Grant or revoke a buyer organisation's access to the factory's summaries: the
        factory's own managers (it is the factory's decision), and admins, who record it on the
        factory's written request."""
        if factory is None:
            return False
        if self.is_admin:
            return True
        return any(scope.role == FACTORY_MANAGER and scope.factory_id == factory.id for scope in self.scopes)

    def may_read_followup_log(self, factory: Factory) -> bool:
        """The buyers' follow-up log of one factory (one line per committee case, no words of
        hers): buyers of an organisation the factory grants access now, and the programme's
        people within their scope; never the factory's own people, who have their case pages."""
        from grievance.extensions import db

        readers = Viewer(self.user, [scope for scope in self.scopes if scope.role in COUNTRY_ROLES | {ADMIN, BUYER}])
        if not readers.scopes:
            return False
        return db.session.scalar(select(Factory.id).where(Factory.id == factory.id,
                                                          readers.summary_factories())) is not None

    def grant_rows(self) -> ColumnElement[bool]:
        """The grants this viewer may list, as a predicate on ConsentGrant: a factory's people
        their factory's (with the history), advisors and programme managers their scope's,
        admins all, a buyer her organisation's active ones."""
        conditions: list[ColumnElement[bool]] = []
        for scope in self.scopes:
            if scope.role == ADMIN:
                return true()
            if scope.role == BUYER and scope.organisation_id is not None:
                conditions.append(and_(ConsentGrant.organisation_id == scope.organisation_id,
                                       ConsentGrant.revoked_at.is_(None)))
            elif scope.factory_id is not None:
                conditions.append(ConsentGrant.factory_id == scope.factory_id)
            elif scope.role in COUNTRY_ROLES and scope.country_code:
                conditions.append(ConsentGrant.factory_id.in_(
                    select(Factory.id).where(Factory.country_code == scope.country_code)))
        return or_(*conditions) if conditions else false()

    # -- surveys and announcements ------------------------------------------------------------

    def survey_countries(self) -> set[str] | None:
        """The countries whose surveys she may write and send: the programme's staff (advisors,
        programme managers) of a country, or of one factory (its country); None means all
        (admins)."""
        if self.is_admin:
            return None
        from grievance.extensions import db

        countries = set(self._country_scopes())
        factory_ids = [scope.factory_id for scope in self.scopes
                       if scope.role in COUNTRY_ROLES and scope.factory_id is not None]
        if factory_ids:
            countries |= set(db.session.scalars(select(Factory.country_code).where(Factory.id.in_(factory_ids))))
        return countries

    def survey_rows(self) -> ColumnElement[bool]:
        """The surveys and announcements she may see and edit, as a predicate on Survey."""
        from grievance.models import Survey

        countries = self.survey_countries()
        if countries is None:
            return true()
        return Survey.country_code.in_(sorted(countries)) if countries else false()

    @property
    def writes_surveys(self) -> bool:
        """Whether she may write surveys and announcements at all (the programme's staff)."""
        countries = self.survey_countries()
        return countries is None or bool(countries)

    def may_dispatch(self, factory: Factory) -> bool:
        """Send a survey or announcement to a factory's workers, pause, resume, cancel it: the
        programme's staff whose scope holds the factory, and admins."""
        return factory is not None and any(
            self._audience_of(scope, factory) == PROGRAMME for scope in self.scopes if scope.role != BUYER)

    def may_dispatch_run(self, run) -> bool:
        """See a run (on its survey's page too) and pause, resume or cancel it."""
        return (self.may_dispatch(run.factory) if run.factory_id is not None
                else self.may_dispatch_country(run.country_code))

    def may_edit_survey(self, survey, runs: Iterable) -> bool:
        """Change a survey's texts and questions (``runs``: all of its runs): the programme's
        staff of its country and admins; an advisor of one factory only while it was sent to no
        factory but hers, since an edit reaches every worker it was sent to. A survey sent
        elsewhere she may still read and send to her own factory."""
        if self.is_admin or survey.country_code in self._country_scopes():
            return True
        return survey.country_code in (self.survey_countries() or ()) and all(map(self.may_dispatch_run, runs))

    def may_dispatch_country(self, country_code: str) -> bool:
        """An announcement to a whole country's opted-in workers: its advisors, programme
        managers and admins."""
        return self.is_admin or country_code in self._country_scopes()

    def may_upload_roster(self, factory: Factory) -> bool:
        """Add a roster of workers who agreed to surveys: the factory's managers and the
        programme's staff whose scope holds it."""
        if factory is None:
            return False
        return self.may_dispatch(factory) or any(
            scope.role == FACTORY_MANAGER and scope.factory_id == factory.id for scope in self.scopes)

    def sees_free_text(self, factory: Factory) -> bool:
        """Free-text survey answers (her own words): the programme's staff only, never the
        factory's people or buyers."""
        return self.may_dispatch(factory)

    @property
    def sees_who_granted(self) -> bool:
        """Who at the factory granted or revoked: not for buyers, who see that access exists."""
        return self.is_authenticated and not (self._roles() <= {BUYER})

    def landing_endpoint(self) -> str:
        """Where she lands after signing in: her queue if she works cases, else her factory's
        page or the buyers' page. Someone with no role yet lands on the queue, which tells her
        there is nothing for her."""
        if self.works_cases:
            return "queue.index"
        if self.follows_factory:
            return "factory.index"
        if self.is_buyer:
            return "buyers.index"
        return "queue.index"

    def landing(self) -> str:
        from flask import url_for

        return url_for(self.landing_endpoint())


def current_viewer() -> Viewer:
    """The Viewer of this request's signed-in person, built once per request."""
    from flask import g, has_request_context
    from flask_login import current_user

    if not has_request_context():
        return Viewer(None)
    if "viewer" not in g:
        g.viewer = Viewer.for_user(current_user._get_current_object() if current_user else None)
    return g.viewer
