"""Surveys and their subscribers for the tests, by keyword only; thousands of subscribers in a
few INSERTs (the rows the roster import or the consent keyword would write)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from grievance.extensions import db
from grievance.models import Factory, Survey, SurveyQuestion, SurveySubscriber, Worker
from grievance.models.survey import ANNOUNCEMENT, SURVEY, TEXTED, YES_NO
from grievance.privacy import vault


def survey(*, country: str = "ID", kind: str = SURVEY, now: datetime, title: str = "Jam kerja",
           intro: dict | None = None, thanks: dict | None = None, questions: list[dict] | None = None) -> Survey:
    """A survey whose every text is written in Indonesian and English unless told otherwise."""
    made = Survey(kind=kind, title=title, country_code=country, created_at=now, updated_at=now,
                  intro=intro if intro is not None else {"id": "Survei singkat dari pabrik Anda.",
                                                         "en": "A short survey from your factory."},
                  thanks=thanks if thanks is not None else ({} if kind == ANNOUNCEMENT else
                                                           {"id": "Terima kasih.", "en": "Thank you."}))
    if questions is None and kind != ANNOUNCEMENT:
        questions = [{"kind": YES_NO, "text": {"id": "Apakah lembur dibayar? 1 ya 2 tidak",
                                               "en": "Was overtime paid? 1 yes 2 no"}}]
    for position, question in enumerate(questions or [], start=1):
        made.questions.append(SurveyQuestion(position=position, kind=question["kind"], text=question["text"],
                                             choices=question.get("choices", [])))
    db.session.add(made)
    db.session.commit()
    return made


def announcement(*, country: str = "ID", now: datetime, intro: dict | None = None) -> Survey:
    return survey(country=country, kind=ANNOUNCEMENT, now=now, title="Pengumuman",
                  intro=intro or {"id": "Rapat PICC hari Jumat.", "en": "PICC meeting on Friday."})


def subscribers(*, factory: Factory, count: int, now: datetime, language: str | None = "id", channel: str = "sms",
                first: int = 0, prefix: str = "+62812") -> list[int]:
    """``count`` workers who agreed to the factory's surveys (numbers prefix + a running number);
    returns their worker ids."""
    keys = vault()
    numbers = [f"{prefix}{first + i:07d}" for i in range(count)]
    rows = [{"phone_hash": keys.hash(number), "phone_encrypted": keys.encrypt(number), "pseudonym": f"W-T{first + i:07d}",
             "language": None, "country_code": factory.country_code, "opted_out_channels": [], "created_at": now}
            for i, number in enumerate(numbers)]
    session = db.session
    for start in range(0, count, 2000):
        session.execute(insert(Worker), rows[start:start + 2000])
    hashes = [row["phone_hash"] for row in rows]
    ids = []
    for start in range(0, count, 2000):
        ids += session.scalars(select(Worker.id).where(Worker.phone_hash.in_(hashes[start:start + 2000]))).all()
    session.execute(insert(SurveySubscriber), [
        {"worker_id": worker_id, "factory_id": factory.id, "source": TEXTED, "language": language, "channel": channel,
         "consent_where": "SMS", "consent_at": now, "created_at": now} for worker_id in ids])
    session.commit()
    return sorted(ids)
