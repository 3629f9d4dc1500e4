"""What the people working a case do to it, as she and they then notice it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grievance.models import Message, Notification
from grievance.models.case import ROUTE_ADVISOR
from grievance.workflows.followup import change_category, reopen, resolve
from grievance.workflows.policies import terms_for
from tests import factories


def _world(session, now):
    factories.factory()
    ani = factories.picc_member(email="ani@example.org")
    sari = factories.advisor(email="sari@example.org", name="Sari")
    return ani, sari, factories.case(now=now)


def test_a_case_moved_to_forced_labour_gets_the_advisors_terms_and_leaves_the_committee_member_who_took_it(
        session, now, receive):
    ani, sari, case = _world(session, now)
    case.assignee_id = ani.id
    committee_due = case.acknowledge_by
    later = now + timedelta(hours=3)

    assert change_category(session, case, sari, "forced_labour", later)
    session.commit()

    told = session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "outbound")
                           .order_by(Message.id.desc())).first()
    assert told.purpose == "moved_to_advisors"  # she was told the committee would answer: now the advisors
    assert "penasihat program, bukan oleh pabrik" in told.body and case.reference in told.body
    terms = terms_for(session, case.country_code, ROUTE_ADVISOR, "forced_labour")
    assert case.route == ROUTE_ADVISOR and case.assignee_id is None
    assert case.acknowledged_at is None  # the advisors acknowledge it themselves
    assert case.acknowledge_by < committee_due  # their day, not the committee's days
    assert terms.acknowledge_amount and case.acknowledge_by > later

    receive("Mandor mengambil paspor saya", at=later + timedelta(minutes=5))
    told = session.scalars(select(Notification.user_id).where(Notification.case_id == case.id,
                                                              Notification.kind == "replied")).all()
    assert sari.id in told and ani.id not in told  # she wrote: the advisors are told, not the committee


def test_a_case_reopened_by_a_person_tells_her_so_and_her_next_1_is_no_rating(session, now, receive):
    ani, _sari, case = _world(session, now)
    resolve(session, case, ani, "Upah lembur sudah dibayar.", now, outcome_code="remedied")
    session.commit()
    later = now + timedelta(hours=1)

    assert reopen(session, case, ani, later)
    session.commit()

    told = session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "outbound")
                           .order_by(Message.id.desc())).first()
    assert told.purpose == "reopened" and case.reference in told.body
    receive("1", at=later + timedelta(minutes=5))
    session.refresh(case)
    assert case.status == "reopened" and case.satisfied is None  # her "1" closed nothing
