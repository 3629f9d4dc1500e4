"""Surveys, runs, deliveries and answers built directly (the dispatch and the answering are
tested where they are written): what the results read."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from grievance.extensions import db
from grievance.models import (ChannelEndpoint, Factory, Survey, SurveyAnswer, SurveyDelivery, SurveyQuestion,
                              SurveyRun, Worker)
from grievance.models.survey import ANSWERED, CHOICE, FINISHED, FREE_TEXT, SENT, UNANSWERED, YES_NO

STARTED = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
_numbers = itertools.count(1)


def survey(*, country: str = "ID", title: str = "Working conditions", languages=("id", "en"),
           questions: list[dict] | None = None) -> Survey:
    """A survey with its texts in ``languages``; each question a dict of SurveyQuestion fields
    (``text`` and ``choices`` given as plain strings are written in every language)."""
    def texts(words: str) -> dict:
        return {language: f"{words} ({language})" for language in languages}

    made = Survey(title=title, country_code=country, intro=texts("Halo"), thanks=texts("Terima kasih"),
                  created_at=STARTED, updated_at=STARTED)
    for position, fields in enumerate(questions or [], start=1):
        fields = dict(fields)
        words = fields.pop("text", f"Question {position}")
        choices = [texts(choice) if isinstance(choice, str) else choice for choice in fields.pop("choices", [])]
        made.questions.append(SurveyQuestion(position=position, text=texts(words), choices=choices, **fields))
    db.session.add(made)
    db.session.commit()
    return made


CONDITIONS = [
    {"kind": CHOICE, "text": "Which shift do you work?", "choices": ["Night", "Evening", "Day"]},
    {"kind": YES_NO, "text": "Were you paid on time?"},
    {"kind": FREE_TEXT, "text": "What should change?"},
]


def run(made: Survey, factory: Factory | None, *, answers: dict[int, list[str]], sent: int,
        texts: dict[int, list[str]] | None = None, status: str = FINISHED, started: datetime = STARTED) -> SurveyRun:
    """A run sent to ``sent`` workers; ``answers``: question position → each answering worker's
    value, the first worker first (worker i answers every question that lists an i-th value);
    ``texts``: a free-text question's words, one per worker."""
    texts = texts or {}
    found = SurveyRun(survey_id=made.id, factory_id=factory.id if factory else None,
                      country_code=made.country_code, status=status, created_at=started, started_at=started,
                      finished_at=started + timedelta(days=3) if status == FINISHED else None)
    db.session.add(found)
    db.session.flush()
    endpoint = db.session.query(ChannelEndpoint).filter_by(
        factory_id=factory.id if factory else None).first() or db.session.query(ChannelEndpoint).first()
    questions = {question.position: question for question in made.questions}
    for index in range(sent):
        number = next(_numbers)
        worker = Worker(phone_hash=f"survey-{number}", phone_encrypted="x", pseudonym=f"W-SV{number}", language="id")
        db.session.add(worker)
        db.session.flush()
        gave = [position for position, values in answers.items() if index < len(values)]
        db.session.add(SurveyDelivery(run_id=found.id, worker_id=worker.id, endpoint_id=endpoint.id, language="id",
                                      status=ANSWERED if gave else (UNANSWERED if status == FINISHED else SENT),
                                      sent_at=started, answered_at=started + timedelta(hours=1) if gave else None))
        for position in gave:
            value = answers[position][index]
            words = texts.get(position, [])
            db.session.add(SurveyAnswer(run_id=found.id, question_id=questions[position].id, worker_id=worker.id,
                                        value=value, text=words[index] if index < len(words) else None,
                                        answered_at=started + timedelta(hours=1)))
    db.session.commit()
    return found


def values(**counts: int) -> list[str]:
    """``values(yes=3, no=12)``: that many workers giving each value, in that order; a digit
    value is written ``_2=6``."""
    return [value.lstrip("_") for value, count in counts.items() for _ in range(count)]
