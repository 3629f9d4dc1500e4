"""Writing a survey: its texts per language, and its questions in order with their one skip
rule each. Plain functions over a session and a clock; the editor's pages call them.

A survey that has been sent (it has a run) keeps its questions as they were: answers are
stored by question, and a question changed, moved or removed under them would make the
results say something the workers were never asked. Its texts may still be corrected (a typo
found in one language before the next factory is sent it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import object_session

from grievance.models import Survey, SurveyQuestion, SurveyRun
from grievance.models.survey import CHOICE, PAUSED, RUNNING, SCALE, YES_NO
from grievance.workflows.surveys.definition import answer_values

SCALE_TOPS = range(2, 11)    # a scale runs 1..N, N from 2 to 10
CHOICE_COUNTS = range(2, 10)  # one keypress each: 1 to 9
MAX_RANDOMIZED_SHARE = 0.5
END = 0  # a skip rule's target: the survey ends


class SurveyLocked(Exception):
    """The survey has been sent: its questions stay as the workers were asked them."""


class TextsInUse(Exception):
    """A run of the survey is sending (or paused): a text of its country's languages cannot be
    removed, or its workers would be asked in another language. ``parts``: (part, language)."""

    def __init__(self, parts: list[tuple[tuple, str]]) -> None:
        super().__init__(parts)
        self.parts = parts


@dataclass(frozen=True)
class QuestionShape:
    """What a question is, apart from its texts."""

    kind: str
    scale_max: int | None = None
    choices: int = 0
    skip_if: str | None = None
    skip_to: int | None = None
    randomized_share: float | None = None


def has_runs(session, survey: Survey) -> bool:
    return session.scalar(select(SurveyRun.id).where(SurveyRun.survey_id == survey.id).limit(1)) is not None


def shape_problems(shape: QuestionShape, position: int, count: int) -> dict[str, str]:
    """What is wrong with a question at ``position`` of ``count``, by field, as codes the
    editor words: the scale's top, the number of choices, the skip rule's answer (one the
    question can be given) and target (a later question, or the end), the randomized share
    (yes/no only, 0 to 0.5)."""
    problems: dict[str, str] = {}
    if shape.kind == SCALE and shape.scale_max not in SCALE_TOPS:
        problems["scale_max"] = "scale_top"
    if shape.kind == CHOICE and shape.choices not in CHOICE_COUNTS:
        problems["choices"] = "choice_count"
    if shape.skip_if or shape.skip_to is not None:
        if not shape.skip_if:
            problems["skip_if"] = "skip_answer_missing"
        elif problems or shape.skip_if not in answer_values(shape.kind, shape.scale_max, shape.choices):
            problems["skip_if"] = "skip_answer"
        if shape.skip_to is None:
            problems["skip_to"] = "skip_target_missing"
        elif shape.skip_to != END and not position < shape.skip_to <= count:
            problems["skip_to"] = "skip_target"
    if shape.randomized_share:
        if shape.kind != YES_NO:
            problems["randomized_share"] = "randomized_kind"
        elif not 0 < shape.randomized_share <= MAX_RANDOMIZED_SHARE:
            problems["randomized_share"] = "randomized_share"
    return problems


def _apply(question: SurveyQuestion, shape: QuestionShape) -> None:
    question.kind = shape.kind
    question.scale_max = shape.scale_max if shape.kind == SCALE else None
    if shape.kind == CHOICE:  # the choices kept keep their texts
        kept = [dict(choice) for choice in question.choices or []]
        question.choices = (kept + [{} for _ in range(shape.choices)])[:shape.choices]
    else:
        question.choices = []
    question.skip_if = shape.skip_if or None
    question.skip_to = shape.skip_to if shape.skip_if else None
    question.randomized_share = (shape.randomized_share or None) if shape.kind == YES_NO else None


def _unlocked(session, survey: Survey) -> None:
    if has_runs(session, survey):
        raise SurveyLocked(survey.id)


def add_question(session, survey: Survey, shape: QuestionShape, now: datetime) -> SurveyQuestion:
    """A question at the end (its texts are written afterwards, per language)."""
    _unlocked(session, survey)
    question = SurveyQuestion(position=len(survey.questions) + 1, text={}, choices=[])
    _apply(question, shape)
    survey.questions.append(question)
    survey.updated_at = now
    session.flush()
    return question


def change_question(session, survey: Survey, question: SurveyQuestion, shape: QuestionShape, now: datetime) -> None:
    _unlocked(session, survey)
    _apply(question, shape)
    survey.updated_at = now
    session.flush()


def _renumber(session, survey: Survey, order: list[SurveyQuestion]) -> None:
    """Positions 1..n in ``order``, skip targets following their questions (the unique
    position is moved out of the way first)."""
    old_to_question = {question.position: question for question in order}
    targets = {question.id: old_to_question.get(question.skip_to) for question in order if question.skip_to}
    for question in order:
        question.position = -question.position - 1000
    session.flush()
    for position, question in enumerate(order, start=1):
        question.position = position
    for question in order:
        if question.id in targets:
            target = targets[question.id]
            question.skip_to = target.position if target is not None else END
    session.flush()
    session.expire(survey, ["questions"])


def delete_question(session, survey: Survey, question: SurveyQuestion, now: datetime) -> None:
    """Removed, the others closing up; a skip rule that led to it leads to the question after
    it (or the end)."""
    _unlocked(session, survey)
    order = [other for other in survey.questions if other.id != question.id]
    following = {other.id: next((later for later in order if later.position > question.position), None)
                 for other in order if other.skip_to == question.position}
    for other in order:
        if other.id in following:
            other.skip_to = following[other.id].position if following[other.id] else END
    session.delete(question)
    session.flush()
    _renumber(session, survey, order)
    survey.updated_at = now


def move_question(session, survey: Survey, question: SurveyQuestion, step: int, now: datetime) -> list[int]:
    """One place up (-1) or down (+1). Refused (nothing changes) when a skip rule would then
    lead backwards: returns the positions, as they are now, of the questions whose rule would."""
    _unlocked(session, survey)
    order = list(survey.questions)
    index = order.index(question)
    other = index + step
    if not 0 <= other < len(order):
        return []
    moved = order[:]
    moved[index], moved[other] = moved[other], moved[index]
    new_position = {q.position: moved.index(q) + 1 for q in order}
    broken = [q.position for q in order if q.skip_to and q.skip_to != END
              and new_position[q.skip_to] <= new_position[q.position]]
    if broken:
        return broken
    _renumber(session, survey, moved)
    survey.updated_at = now
    return []


def save_texts(survey: Survey, texts: dict[tuple, dict[str, str]], now: datetime) -> None:
    """``texts``: ("intro",) / ("thanks",) / ("question", position) / ("choice", position, n)
    → language → text (blank removes it). Raises TextsInUse, changing nothing, when a text of
    the country's languages would be removed while a run of the survey is sending or paused."""
    by_position = {question.position: question for question in survey.questions}
    blanked = _blanked(survey, by_position, texts)
    if blanked and _sending(object_session(survey), survey):
        raise TextsInUse(blanked)

    def merged(current: dict | None, given: dict[str, str]) -> dict:
        result = dict(current or {})
        for language, words in given.items():
            words = (words or "").strip()
            if words:
                result[language] = words
            else:
                result.pop(language, None)
        return result

    for part, given in texts.items():
        if part == ("intro",):
            survey.intro = merged(survey.intro, given)
        elif part == ("thanks",):
            survey.thanks = merged(survey.thanks, given)
        elif part[0] == "question" and part[1] in by_position:
            by_position[part[1]].text = merged(by_position[part[1]].text, given)
        elif part[0] == "choice" and part[1] in by_position:
            question = by_position[part[1]]
            choices = [dict(choice) for choice in question.choices or []]
            if 1 <= part[2] <= len(choices):
                choices[part[2] - 1] = merged(choices[part[2] - 1], given)
                question.choices = choices
    survey.updated_at = now


def _texts_of(survey: Survey, by_position: dict, part: tuple) -> dict:
    if part == ("intro",):
        return survey.intro or {}
    if part == ("thanks",):
        return survey.thanks or {}
    question = by_position.get(part[1]) if len(part) > 1 else None
    if question is None:
        return {}
    if part[0] == "question":
        return question.text or {}
    choices = question.choices or []
    return choices[part[2] - 1] or {} if part[0] == "choice" and 1 <= part[2] <= len(choices) else {}


def _blanked(survey: Survey, by_position: dict, texts: dict[tuple, dict[str, str]]) -> list[tuple[tuple, str]]:
    """The texts of the country's languages that ``texts`` would remove."""
    languages = set(survey.country.languages) if survey.country is not None else set()
    return [(part, language) for part, given in texts.items() for language, words in given.items()
            if language in languages and not (words or "").strip()
            and (_texts_of(survey, by_position, part).get(language) or "").strip()]


def _sending(session, survey: Survey) -> bool:
    return session is not None and session.scalar(select(SurveyRun.id).where(
        SurveyRun.survey_id == survey.id, SurveyRun.status.in_((RUNNING, PAUSED))).limit(1)) is not None
