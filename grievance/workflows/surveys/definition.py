"""What a survey must hold before it can be sent: every text in every language of its country."""

from __future__ import annotations

from dataclasses import dataclass

from grievance.models import Survey, SurveyQuestion
from grievance.models.survey import ANNOUNCEMENT, CHOICE, SCALE, YES_NO


def messages_each(survey: Survey) -> int:
    """How many messages a run sends each worker at most: an announcement one; a survey its
    questions and its thank-you."""
    return 1 if survey.kind == ANNOUNCEMENT else len(survey.questions) + 1


@dataclass(frozen=True)
class MissingText:
    part: str  # "intro", "thanks", "question 2", "question 3, choice 1"
    language: str
    # The same, for a page to word in its own language.
    question: int | None = None
    choice: int | None = None


def missing_texts(survey: Survey, languages: list[str]) -> list[MissingText]:
    """Each text of the survey not yet written in one of ``languages`` (the country's), in the
    order a worker would read them; empty when it can be sent. An announcement is its intro."""
    def blank(texts: dict | None, language: str) -> bool:
        return not ((texts or {}).get(language) or "").strip()

    missing: list[MissingText] = []
    parts: list[tuple[str, dict, int | None, int | None]] = [("intro", survey.intro, None, None)]
    if survey.kind != ANNOUNCEMENT:
        for question in survey.questions:
            parts.append((f"question {question.position}", question.text, question.position, None))
            if question.kind == CHOICE:
                parts += [(f"question {question.position}, choice {number}", texts, question.position, number)
                          for number, texts in enumerate(question.choices or [], start=1)]
        parts.append(("thanks", survey.thanks, None, None))
    for part, texts, position, choice in parts:
        missing += [MissingText(part, language, position, choice) for language in languages if blank(texts, language)]
    return missing


def answer_values(kind: str, scale_max: int | None = None, choices: int = 0) -> list[str]:
    """Every answer a question of this kind can be given, as stored ("yes", "1" … "N"), in the
    order it is offered; none for a free text."""
    if kind == YES_NO:
        return ["yes", "no"]
    if kind == SCALE:
        return [str(number) for number in range(1, (scale_max or 0) + 1)]
    if kind == CHOICE:
        return [str(number) for number in range(1, choices + 1)]
    return []


def answers_of(question: SurveyQuestion) -> list[str]:
    return answer_values(question.kind, question.scale_max, len(question.choices or []))
