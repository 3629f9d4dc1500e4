"""The queue's "worker replied" marker: set when her words join a case, cleared when she is answered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grievance.models import Case, Notification
from grievance.workflows.followup import committee_reply, resolve
from tests import factories


def _world(now):
    factories.factory()
    ani = factories.picc_member(email="ani@example.org")
    budi = factories.picc_member(email="budi@example.org", name="Budi")
    case = factories.case(now=now)
    return case, ani, budi


def _notified(session, case) -> list[tuple[int, str]]:
    return sorted(session.execute(select(Notification.user_id, Notification.kind)
                                  .where(Notification.case_id == case.id)).all())


def test_her_opening_message_does_not_mark_the_case(session, now):
    case, _ani, _budi = _world(now)
    assert case.worker_replied_at is None
    assert _notified(session, case) == []


def test_her_reply_marks_the_case_and_tells_the_committee_once(session, receive, now):
    case, ani, budi = _world(now)
    committee_reply(session, case, ani, now + timedelta(minutes=5), text="Kapan itu terjadi?")
    session.commit()
    assert case.worker_replied_at is None

    later = now + timedelta(hours=1)
    receive(f"{case.reference} kemarin malam, jam 10", at=later)
    session.refresh(case)
    assert case.worker_replied_at == later
    assert _notified(session, case) == [(ani.id, "replied"), (budi.id, "replied")]

    receive(f"{case.reference} dan pintunya masih dikunci", at=later + timedelta(minutes=3))
    session.refresh(case)
    assert case.worker_replied_at == later + timedelta(minutes=3)
    assert len(_notified(session, case)) == 2  # the marker already says it: no second round

    committee_reply(session, case, budi, later + timedelta(hours=1), text="Terima kasih, kami periksa.")
    session.commit()
    assert case.worker_replied_at is None


def test_an_assigned_case_tells_only_the_person_who_took_it(session, receive, now):
    case, ani, budi = _world(now)
    case.assignee_id = budi.id
    session.commit()
    receive(f"{case.reference} ada foto juga", at=now + timedelta(hours=1))
    assert _notified(session, case) == [(budi.id, "replied")]


def test_resolving_clears_the_marker(session, receive, now):
    case, ani, _budi = _world(now)
    receive(f"{case.reference} masih belum dibayar", at=now + timedelta(hours=1))
    session.refresh(case)
    assert case.worker_replied_at is not None
    resolve(session, case, ani, "Lembur dibayar 20 Juli.", now + timedelta(hours=2))
    session.commit()
    assert session.get(Case, case.id).worker_replied_at is None
