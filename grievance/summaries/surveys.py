"""A survey run's results, through the summaries' disclosure rule: the tables its page, its CSV
files and the API write out, so that the three always agree.

Tables, by key (every Figure already suppressed):

=======================  =====================================================================
key                      rows × columns
=======================  =====================================================================
response                 sent, responded, not_responded (workers) and rate (responded of sent)
                         × "value"; the rate also × "country" (the country's other factories)
question-<n>             yes/no, scale or choice: each answer value × "workers", "share" (of
                         the answered) and "country"; then "unanswered" (workers sent to who
                         gave none, not part of the total); total "answered". A free-text
                         question: "answered" (in words) and "unanswered" × "workers".
question-<n>-corrected   a randomized yes/no: observed, corrected (the share of "yes" once the
                         random answers are taken out) and margin (95 %) × "value"
=======================  =====================================================================

Counts are distinct workers. Each question's answer values add up to its answered total, and
its answered and unanswered add up to the workers sent to, as do those who responded and those
who did not: one suppression over all of them (disclosure.suppress), so no hidden cell can be
recovered by subtraction, and "sent" is the same figure everywhere. A share is shown only
beside a shown count and a shown total. Free-text answers never become figures other than how
many answered in words; the words themselves are handed only to those who may read them
(``Viewer.sees_free_text``), never in a table, CSV file or API answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import object_session

from grievance.access.viewer import PROGRAMME, Viewer
from grievance.models import Factory, Survey, SurveyAnswer, SurveyDelivery, SurveyQuestion, SurveyRun
from grievance.models.survey import (ANSWERED, CHOICE, FREE_TEXT, NO_ANSWER, SENT, SKIPPED_ANSWER, SURVEY, UNANSWERED,
                                     YES_NO)
from grievance.summaries.disclosure import (Relation, Thresholds, benchmark_figure, share_figure, statistic_n,
                                            suppress, thresholds)
from grievance.summaries.tables import SHARE, Column, Figure, Row, Summary, Table
from grievance.workflows.surveys.definition import answers_of
from grievance.workflows.surveys.progress import answers_over

# A delivery that reached her: the denominator of the response rate.
REACHED = (SENT, ANSWERED, UNANSWERED)

WORKERS = Column("workers", _l("Workers"))
SHARE_COLUMN = Column("share", _l("Share of those who answered"))
COUNTRY = Column("country", _l("Other factories in the country"))
VALUE = Column("value", _l("Value"))
RESPONSE_LABELS = {"sent": _l("Workers sent the survey"), "responded": _l("Workers who answered at least one question"),
                   "not_responded": _l("Workers who answered none"), "rate": _l("Response rate")}
CORRECTED_LABELS = {"observed": _l("Share of stored answers that are yes"),
                    "corrected": _l("Estimated share of yes (random answers taken out)"),
                    "margin": _l("Margin of the estimate (95 %)")}


@dataclass
class RunCounts:
    """The distinct workers behind one run's (or one factory's runs') answers."""

    sent: int = 0
    responded: int = 0
    # question id → answer value ("yes", "3", "text") → workers; "unanswered"/"skipped" left out.
    answers: dict[int, dict[str, int]] = field(default_factory=dict)

    def answered(self, question_id: int) -> int:
        return sum(self.answers.get(question_id, {}).values())


@dataclass
class SurveyResults:
    run: SurveyRun
    summary: Summary
    # question position → her words, for those who may read them (else empty).
    free_texts: dict[int, list[str]] = field(default_factory=dict)


# -- what is counted ---------------------------------------------------------------------------

def _text_in(texts: dict | None, language: str, fallback: str) -> str:
    texts = texts or {}
    return (texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "") or "").strip()


def _value_label(question: SurveyQuestion, value: str, language: str, fallback: str):
    if question.kind == YES_NO:
        return _l("Yes") if value == "yes" else _l("No")
    if question.kind == CHOICE:
        label = _text_in(question.choices[int(value) - 1], language, fallback)
        return f"{value}. {label}" if label else value
    return value


# -- pure builders -----------------------------------------------------------------------------

def _relations(questions: list[SurveyQuestion]) -> tuple[dict, list[Relation]]:
    """The keys every count has, and how they add up."""
    keys: list = ["sent", "responded", "not_responded"]
    relations = [Relation("sent", ("responded", "not_responded"))]
    for question in questions:
        values = [(question.id, value) for value in answers_of(question)]
        keys += values + [(question.id, "answered"), (question.id, "unanswered")]
        if values:
            relations.append(Relation((question.id, "answered"), tuple(values)))
        relations.append(Relation("sent", ((question.id, "answered"), (question.id, "unanswered"))))
    return keys, relations


def _counts_of(counts: RunCounts, questions: list[SurveyQuestion]) -> dict:
    values = {"sent": counts.sent, "responded": counts.responded, "not_responded": max(counts.sent - counts.responded, 0)}
    for question in questions:
        answered = counts.answered(question.id)
        if question.kind != FREE_TEXT:
            for value in answers_of(question):
                values[(question.id, value)] = counts.answers.get(question.id, {}).get(value, 0)
            answered = sum(values[(question.id, value)] for value in answers_of(question))
        values[(question.id, "answered")] = answered
        values[(question.id, "unanswered")] = max(counts.sent - answered, 0)
    return values


def _share(count: Figure, total: Figure, part: int, whole: int, limits: Thresholds) -> Figure:
    """A share beside its count: hidden whenever the count or the total is (it would give them
    back), else as any share of workers."""
    for hidden in (count, total):
        if not hidden.shown:
            return Figure(SHARE, None, None, hidden.suppressed)
    return share_figure(part, whole, whole, limits, of_workers=True)


def _country_share(part_key, whole_key, others: list[dict], limits: Thresholds) -> Figure:
    """The country's other factories together, as a benchmark: enough of them, none dominating."""
    part, whole = sum(o.get(part_key, 0) for o in others), sum(o.get(whole_key, 0) for o in others)
    figure = share_figure(part, whole, whole, limits, of_workers=True) if whole else Figure(SHARE, None, None, "no_data")
    return benchmark_figure(figure, [o.get(whole_key, 0) for o in others], limits)


def corrected_share(yes: int, answered: int, share: float) -> tuple[float, float]:
    """Randomized response: a known ``share`` of answers was replaced at random (half yes, half
    no), so the observed share of yes is p_obs = (1 - s)·p + s/2. Returns the estimate of p
    and its 95 % margin, both clipped to [0, 1]."""
    observed = yes / answered
    estimate = (observed - share / 2) / (1 - share)
    margin = 1.96 * math.sqrt(observed * (1 - observed) / answered) / (1 - share)
    return min(max(estimate, 0.0), 1.0), min(margin, 1.0)


def _corrected_table(question: SurveyQuestion, title, yes_share: Figure, yes: int, answered: int,
                     limits: Thresholds) -> Table:
    if yes_share.shown:
        estimate, margin = corrected_share(yes, answered, question.randomized_share)
        n = statistic_n(answered, limits)
        figures = {"observed": yes_share, "corrected": Figure(SHARE, round(estimate, 2), n),
                   "margin": Figure(SHARE, round(margin, 2), n)}
    else:
        figures = {key: Figure(SHARE, None, None, yes_share.suppressed) for key in CORRECTED_LABELS}
    rows = [Row(key, CORRECTED_LABELS[key], {"value": figure}) for key, figure in figures.items()]
    note = _l("%(percent)s of the answers to this question were replaced at random, so that no single yes is "
              "anyone's for sure; the estimate takes them out.", percent=f"{round(question.randomized_share * 100)} %")
    return Table(f"question-{question.position}-corrected", _l("%(title)s: estimate", title=title), [VALUE], rows,
                 note=note)


def _question_tables(question: SurveyQuestion, figures: dict, values: dict, others: list[dict] | None,
                     language: str, fallback: str, limits: Thresholds) -> list[Table]:
    title = _l("Question %(number)s: %(text)s", number=question.position,
               text=_text_in(question.text, language, fallback))
    key, qid = f"question-{question.position}", question.id
    unanswered = Row("unanswered", _l("No answer"), {"workers": figures[(qid, "unanswered")]})
    if question.kind == FREE_TEXT:
        answered = Row("answered", _l("Answered in words"), {"workers": figures[(qid, "answered")]})
        return [Table(key, title, [WORKERS], [answered, unanswered])]
    columns = [WORKERS, SHARE_COLUMN] + ([COUNTRY] if others is not None else [])
    total_figure = figures[(qid, "answered")]
    rows, shares = [], {}
    for value in answers_of(question):
        count = figures[(qid, value)]
        shares[value] = _share(count, total_figure, values[(qid, value)], values[(qid, "answered")], limits)
        cells = {"workers": count, "share": shares[value]}
        if others is not None:
            cells["country"] = _country_share((qid, value), (qid, "answered"), others, limits)
        rows.append(Row(value, _value_label(question, value, language, fallback), cells))
    total = Row("answered", _l("Answered"), {"workers": total_figure})
    tables = [Table(key, title, columns, rows + [unanswered], total=total, chart="bars")]
    if question.kind == YES_NO and question.randomized_share:
        tables.append(_corrected_table(question, title, shares["yes"], values[(qid, "yes")],
                                       values[(qid, "answered")], limits))
    return tables


def build_run_results(survey: Survey, subject: str, counts: RunCounts, others: list[RunCounts] | None, *,
                      language: str, limits: Thresholds | None = None) -> Summary:
    """The tables of one run. ``others``: the same survey's counts in each other factory of the
    country (None: no comparison, as for a country-wide run); ``language``: the reader's, for
    questions and choices (else the survey's first language)."""
    limits = limits or thresholds()
    questions = [question for question in survey.questions]
    keys, relations = _relations(questions)
    values = _counts_of(counts, questions)
    figures = suppress({key: values[key] for key in keys}, relations, limits)
    other_values = None if others is None else [_counts_of(other, questions) for other in others]
    fallback = survey.country.default_language if survey.country else language
    response_rows = [Row(key, RESPONSE_LABELS[key], {"value": figures[key]})
                     for key in ("sent", "responded", "not_responded")]
    rate = {"value": _share(figures["responded"], figures["sent"], values["responded"], values["sent"], limits)}
    if other_values is not None:
        rate["country"] = _country_share("responded", "sent", other_values, limits)
    response_rows.append(Row("rate", RESPONSE_LABELS["rate"], rate))
    columns = [VALUE] + ([COUNTRY] if other_values is not None else [])
    tables = [Table("response", _l("Who answered"), columns, response_rows)]
    for question in questions:
        tables += _question_tables(question, figures, values, other_values, language, fallback, limits)
    return Summary(subject, None, tables)


# -- what a viewer may read --------------------------------------------------------------------

def results_audience(viewer: Viewer, run: SurveyRun) -> str | None:
    """Who reads the run's results as what: a factory's run as its summaries are read
    (``Viewer.summary_audience``); a country-wide run only by the programme of that country."""
    if run.factory is None:
        return PROGRAMME if viewer.may_dispatch_country(run.country_code) else None
    return viewer.summary_audience(run.factory)


def results_ready(run: SurveyRun, now: datetime) -> bool:
    """Whether a run's results may be read outside the programme: a survey (not an
    announcement) whose answers are all in. While any worker can still answer, figures that
    move answer by answer would tell, by subtraction, what one worker said."""
    if run.survey.kind != SURVEY or run.started_at is None:
        return False
    return answers_over(object_session(run), run, now)


def readable(viewer: Viewer, run: SurveyRun | None, now: datetime) -> bool:
    if run is None:
        return False
    audience = results_audience(viewer, run)
    return audience == PROGRAMME or (audience is not None and results_ready(run, now))


def load_counts(session, run_ids: list[int]) -> dict[int | None, RunCounts]:
    """Distinct workers per factory (None: a country-wide run) over the given runs."""
    found: dict[int | None, RunCounts] = {}
    factory_of = dict(session.execute(select(SurveyRun.id, SurveyRun.factory_id).where(SurveyRun.id.in_(run_ids))).all())
    if not factory_of:
        return found

    def of(run_factory) -> RunCounts:
        return found.setdefault(run_factory, RunCounts())

    for factory_id, sent in session.execute(
            select(SurveyRun.factory_id, func.count(distinct(SurveyDelivery.worker_id)))
            .join(SurveyRun, SurveyRun.id == SurveyDelivery.run_id)
            .where(SurveyDelivery.run_id.in_(run_ids), SurveyDelivery.status.in_(REACHED))
            .group_by(SurveyRun.factory_id)):
        of(factory_id).sent = sent
    given = SurveyAnswer.value.notin_((NO_ANSWER, SKIPPED_ANSWER))
    for factory_id, responded in session.execute(
            select(SurveyRun.factory_id, func.count(distinct(SurveyAnswer.worker_id)))
            .join(SurveyRun, SurveyRun.id == SurveyAnswer.run_id)
            .where(SurveyAnswer.run_id.in_(run_ids), given).group_by(SurveyRun.factory_id)):
        of(factory_id).responded = responded
    for factory_id, question_id, value, workers in session.execute(
            select(SurveyRun.factory_id, SurveyAnswer.question_id, SurveyAnswer.value,
                   func.count(distinct(SurveyAnswer.worker_id)))
            .join(SurveyRun, SurveyRun.id == SurveyAnswer.run_id)
            .where(SurveyAnswer.run_id.in_(run_ids), given)
            .group_by(SurveyRun.factory_id, SurveyAnswer.question_id, SurveyAnswer.value)):
        of(factory_id).answers.setdefault(question_id, {})[value] = workers
    return found


def _free_texts(session, run: SurveyRun, questions: list[SurveyQuestion]) -> dict[int, list[str]]:
    wanted = {question.id: question.position for question in questions if question.kind == FREE_TEXT}
    texts: dict[int, list[str]] = {}
    if not wanted:
        return texts
    for question_id, words in session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.text)
            .where(SurveyAnswer.run_id == run.id, SurveyAnswer.question_id.in_(list(wanted)),
                   SurveyAnswer.text.is_not(None)).order_by(SurveyAnswer.answered_at, SurveyAnswer.id)):
        if words.strip():
            texts.setdefault(wanted[question_id], []).append(words.strip())
    return texts


def run_results(session, viewer: Viewer, run: SurveyRun | None, now: datetime, language: str) -> SurveyResults | None:
    """One run's results for the viewer, in her language; None when it is not hers to read."""
    if not readable(viewer, run, now):
        return None
    survey = run.survey
    others: list[RunCounts] | None = None
    if run.factory is not None:
        other_runs = list(session.scalars(
            select(SurveyRun.id).join(Factory, Factory.id == SurveyRun.factory_id)
            .where(SurveyRun.survey_id == survey.id, Factory.country_code == run.factory.country_code,
                   SurveyRun.factory_id != run.factory_id, SurveyRun.started_at.is_not(None))))
        others = list(load_counts(session, other_runs).values()) if other_runs else []
    counts = load_counts(session, [run.id]).get(run.factory_id, RunCounts())
    subject = run.factory.name if run.factory is not None else (survey.country.name if survey.country else "")
    summary = build_run_results(survey, subject, counts, others, language=language)
    free = _free_texts(session, run, survey.questions) if run.factory is not None and viewer.sees_free_text(
        run.factory) else {}
    return SurveyResults(run, summary, free)


def results_runs(session, viewer: Viewer, factory: Factory, now: datetime) -> list[SurveyRun]:
    """The factory's survey runs whose results the viewer may read, newest first."""
    if viewer.summary_audience(factory) is None:
        return []
    runs = session.scalars(select(SurveyRun).where(SurveyRun.factory_id == factory.id,
                                                   SurveyRun.started_at.is_not(None))
                           .order_by(SurveyRun.started_at.desc(), SurveyRun.id.desc()))
    return [run for run in runs if readable(viewer, run, now)]

