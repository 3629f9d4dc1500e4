"""What a survey must hold before it can be sent: every text in every language of its country."""

from __future__ import annotations

from dataclasses import dataclass

from grievance.models import Survey
from grievance.models.survey import ANNOUNCEMENT, CHOICE


@dataclass(frozen=True)
class MissingText:
    part: str  # "intro", "thanks", "question 2", "question 3, choice 1"
    language: str


def missing_texts(survey: Survey, languages: list[str]) -> list[MissingText]:
    """Each text of the survey not yet written in one of ``languages`` (the country's), in the
    order a worker would read them; empty when it can be sent. An announcement is its intro."""
    def blank(texts: dict | None, language: str) -> bool:
        return not ((texts or {}).get(language) or "").strip()

    missing: list[MissingText] = []
    parts: list[tuple[str, dict]] = [("intro", survey.intro)]
    if survey.kind != ANNOUNCEMENT:
        for question in survey.questions:
            parts.append((f"question {question.position}", question.text))
            if question.kind == CHOICE:
                parts += [(f"question {question.position}, choice {number}", texts)
                          for number, texts in enumerate(question.choices or [], start=1)]
        parts.append(("thanks", survey.thanks))
    for part, texts in parts:
        missing += [MissingText(part, language) for language in languages if blank(texts, language)]
    return missing
