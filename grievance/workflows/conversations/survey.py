"""A survey, asked by text one question at a time; below every other kind.

    invite ─► [invited] ─► q1 ─► q2 ─► … ─► thank-you
                 │ WhatsApp outside the 24-hour window: the approved template opens the
                 │ conversation, and the first question follows her reply (inside the window)

    her reply ─┬─ fits the question ─────────► recorded; the skip rule; the next question or the thanks
               ├─ NEW, or a grave complaint ──► taken at once (the survey waits, and asks again after)
               ├─ names one of her cases ─────► joins that case; the question again
               ├─ a complaint beside or ──────► the answer she led with is recorded (if any); the
               │  instead of the answer         complaint joins her open case, or an intake takes it;
               │                                the survey goes on after
               │                                (closed questions; her words in a free text are an
               │                                answer unless grave)
               └─ no fit ─► the question again with a hint; a second miss records "unanswered"

A survey speaks last (priority 5): a worker in the middle of an intake, a choice of case or a
rating is asked once that is over; a complaint she sends mid-survey is taken at once (the
intake outranks the survey, which waits and asks its question again after the acknowledgement).
Her opt-out (STOP in her language) ends her surveys on that channel (``stop``); "END" or
"CANCEL" is an answer like any other, and so is a keyword that is one of the question's answers
("Baja" for "3 baja", ``keyword_answers``), except the opt-out word she is told to use. A
survey that waited behind another on WhatsApp, resuming once her 24-hour window has closed,
sends the invite template again, and its question follows her reply.

A reply that is only a number or a yes/no, to a survey cancelled while she was answering it,
is thanked and goes no further (``after_cancel``): it answers a question, it is no complaint.

``data`` holds ``run_id``, ``delivery_id``, ``survey_id`` and ``position`` (the question being
asked, 1-based; 0 while only invited the first time, her place when invited again).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.channels.base import inside_whatsapp_window
from grievance.i18n.worker import worker_text
from grievance.language.answers import is_bare_answer, leading_value, read_answer
from grievance.language.keywords import yields_to_answer
from grievance.language.lexicon import categories_named, is_new_request
from grievance.models import ChannelEndpoint, Conversation, Message, Survey, SurveyDelivery, SurveyQuestion, SurveyRun
from grievance.models.conversation import WAITING
from grievance.models.message import CANCELLED as MESSAGE_CANCELLED, OUTBOUND
from grievance.models.survey import CANCELLED, CHOICE, FREE_TEXT, NO_ANSWER, SCALE, SKIPPED_ANSWER, YES_NO
from grievance.workflows.conversations import intake, pick_case
from grievance.workflows.conversations.joining import join, named_case
from grievance.workflows.conversations.registry import (
    Kind, Turn, active, begin, end, register, settle_where_asked,
)
from grievance.workflows.intake import grave_category, open_cases_here
from grievance.workflows.conversations.survey_answers import close_delivery, record_answer

SURVEY = "survey"
SURVEY_PRIORITY = 5
# A question left unanswered this long (from when it was asked): the rest are unanswered.
SURVEY_EXPIRY = timedelta(days=3)
INVITED = "invited"  # WhatsApp outside the window: the template went, no question yet
# The purposes of a survey's messages (a WhatsApp template of the invite's purpose opens it).
INVITE_PURPOSE, QUESTION_PURPOSE, THANKS_PURPOSE = "survey_invite", "survey_question", "survey_thanks"
STOPPED = "stopped"  # a delivery's reason when she opted out, or out of surveys, mid-survey
CANCELLED_PURPOSE = "survey_cancelled"  # the thanks for an answer to a survey cancelled meanwhile


def invite(turn: Turn, run: SurveyRun, delivery: SurveyDelivery, provider: str) -> list[Message]:
    """Her conversation for this run begins: she is asked now (the introduction and the first
    question), or after what she is in the middle of. The replies queued carry the run;
    ``turn.reply`` sends through ``provider`` on the delivery's endpoint."""
    session = turn.session
    survey = session.get(Survey, run.survey_id)
    endpoint = delivery_endpoint(turn, delivery)
    whatsapp_closed = endpoint.channel == "whatsapp" and not inside_whatsapp_window(
        turn.worker.whatsapp_last_inbound_at, turn.now)
    conversation = Conversation(
        worker_id=turn.worker.id, kind=SURVEY, step=INVITED if whatsapp_closed else "q1",
        data={"run_id": run.id, "delivery_id": delivery.id, "survey_id": survey.id,
              "position": 0 if whatsapp_closed else 1, "introduced": False},
        endpoint=endpoint, provider=provider, language=delivery.language, updated_at=turn.now,
        expires_at=turn.now + SURVEY_EXPIRY)
    return tag(begin(turn, conversation), run)


def delivery_endpoint(turn: Turn, delivery: SurveyDelivery) -> ChannelEndpoint:
    return turn.session.get(ChannelEndpoint, delivery.endpoint_id)


def tag(replies: list[Message], run: SurveyRun | int) -> list[Message]:
    """Mark replies as the run's, so its cancel can stop those not yet sent."""
    run_id = run if isinstance(run, int) else run.id
    for reply in replies:
        reply.run_id = run_id
    return replies


def question_at(turn: Turn, conversation: Conversation, position: int | None = None) -> SurveyQuestion | None:
    survey = turn.session.get(Survey, conversation.data["survey_id"])
    wanted = conversation.data["position"] if position is None else position
    return next((q for q in survey.questions if q.position == wanted), None)


def text_in(texts: dict, language: str) -> str:
    """A survey's text in her language (dispatch refuses a survey missing any of the country's
    languages; English stands in only for a worker who chose English)."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def resume(turn: Turn, conversation: Conversation) -> list[Message]:
    """Its question, when it becomes the one that speaks: the first time, after the
    introduction (or, on a closed WhatsApp window, the invite template alone); again, after
    it waited behind another conversation."""
    survey = turn.session.get(Survey, conversation.data["survey_id"])
    language, run_id = conversation.language, conversation.data["run_id"]
    intro = text_in(survey.intro, language)
    if conversation.endpoint.channel == "whatsapp" and not inside_whatsapp_window(
            turn.worker.whatsapp_last_inbound_at, turn.now):
        conversation.step = INVITED  # a free text would fail: the template again, her place kept
    if conversation.step == INVITED:
        return tag(turn.reply(INVITE_PURPOSE, language, body=intro, intro=intro), run_id)
    prefix = None
    if not conversation.data.get("introduced"):
        prefix = intro
        conversation.data = {**conversation.data, "introduced": True}
    return _ask(turn, conversation, prefix=prefix)


def _ask(turn: Turn, conversation: Conversation, prefix: str | None = None, hint: bool = False) -> list[Message]:
    """The question at her position (after ``prefix``, or a hint), its clock started again; the
    thank-you when no question is left there."""
    question = question_at(turn, conversation)
    if question is None:
        return _finish(turn, conversation)
    language, run_id = conversation.language, conversation.data["run_id"]
    purpose, body = QUESTION_PURPOSE, text_in(question.text, language)
    if hint:
        purpose = f"survey_hint_{question.kind}"
        top = question.scale_max if question.kind == SCALE else len(question.choices or [])
        prefix = worker_text(purpose, language, top=str(top or ""))
    if prefix:
        body = f"{prefix}\n{body}"
    conversation.updated_at, conversation.expires_at = turn.now, turn.now + SURVEY_EXPIRY
    return tag(turn.reply(purpose, language, body=body), run_id)


def answer(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    text = message.body_normalized or message.body
    if conversation.step == INVITED:  # her reply opened the window: her question now
        _move_to(conversation, conversation.data.get("position") or 1)
        if is_new_request(text) or categories_named(text):
            return _complaint(turn, conversation, message)
        return _ask(turn, conversation)
    question = question_at(turn, conversation)
    if question is None:
        return _finish(turn, conversation)
    if is_new_request(text) or (question.kind == FREE_TEXT and grave_category(text)):
        return _complaint(turn, conversation, message)
    case = named_case(turn.session, turn.worker, text)
    if case is not None:  # about one of her cases (its reference is no answer): it goes there
        return join(turn.session, case, message, conversation.language, turn.now, turn.reply) + _ask(turn, conversation)
    if question.kind != FREE_TEXT and _complaint_beside(text, question):
        return _answer_and_complaint(turn, conversation, question, message)
    value = read_answer(message.shown if question.kind == FREE_TEXT else text, kind=question.kind,
                        top=question.scale_max, choices=question.choices)
    if value is not None:
        return _take(turn, conversation, question, value, message)
    return _miss(turn, conversation, question, message)


def _complaint_beside(text: str, question: SurveyQuestion) -> bool:
    """Whether her reply to a closed question also complains: it names a category in the words
    beyond the answer she led with (all of it, when it does not lead with one), other than a
    category the question's own choices name ("2 lembur" to "1 gaji 2 lembur" is an answer)."""
    if not categories_named(text):
        return False
    said, rest = leading_value(text, kind=question.kind, top=question.scale_max, choices=question.choices)
    asked = {category for texts in (question.choices or []) for label in texts.values() if isinstance(label, str)
             for category in categories_named(label)} if question.kind == CHOICE else set()
    return bool(set(categories_named(rest if said is not None else text)) - asked)


def _answer_and_complaint(turn: Turn, conversation: Conversation, question: SurveyQuestion,
                          message: Message) -> list[Message]:
    """The answer she led with is recorded and her place moves on (the question there is asked
    once her complaint is taken); the complaint goes where any would (``_complaint``). Not on a randomized
    question: her message is kept on her case, so the answer it gives cannot be drawn for, and
    the question is asked again after."""
    text = message.body_normalized or message.body
    said, _rest = leading_value(text, kind=question.kind, top=question.scale_max, choices=question.choices)
    replies: list[Message] = []
    if said is not None and not (question.kind == YES_NO and question.randomized_share):
        row = record_answer(turn.session, run_id=conversation.data["run_id"], question=question,
                            worker_id=turn.worker.id, value=said, text=None, message_id=message.id, now=turn.now)
        replies = _go_on(turn, conversation, question, row.value, ask=False)
    return replies + _complaint(turn, conversation, message)


def _complaint(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    """A complaint mid-survey goes where the same message would go outside it: onto her open
    case here (she is asked which, when she has several), and the survey asks its question
    next; else to an intake, which outranks the survey, so the question comes once the case is
    acknowledged. These replies are no part of the run."""
    language = message.language or conversation.language
    text = message.body_normalized or message.body
    cases = [] if is_new_request(text) else open_cases_here(turn.session, turn.worker, message.endpoint)
    if not cases:
        return intake.start(turn, message, language)
    replies = pick_case.to_open_case(turn, message, cases, language)
    if active(turn.session, turn.worker) is conversation:  # joined her case: the survey goes on
        replies += _ask(turn, conversation)
    return replies


def _take(turn: Turn, conversation: Conversation, question: SurveyQuestion, value: str,
          message: Message) -> list[Message]:
    free = question.kind == FREE_TEXT
    row = record_answer(turn.session, run_id=conversation.data["run_id"], question=question,
                        worker_id=turn.worker.id, value="text" if free else value, text=value if free else None,
                        message_id=message.id, now=turn.now)
    return _go_on(turn, conversation, question, row.value)


def _miss(turn: Turn, conversation: Conversation, question: SurveyQuestion, message: Message) -> list[Message]:
    """A reply that fits neither the question nor a complaint: asked again once with a hint,
    then recorded unanswered (the message itself stays with her)."""
    if conversation.retries == 0:
        conversation.retries = 1
        return _ask(turn, conversation, hint=True)
    record_answer(turn.session, run_id=conversation.data["run_id"], question=question, worker_id=turn.worker.id,
                  value=NO_ANSWER, text=None, message_id=message.id, now=turn.now)
    return _go_on(turn, conversation, question, NO_ANSWER)


def _go_on(turn: Turn, conversation: Conversation, question: SurveyQuestion, stored: str,
           ask: bool = True) -> list[Message]:
    """The next question, by the skip rule on the answer as stored (so a randomized answer's
    follow-up questions never contradict what the records show), or the thank-you. Without
    ``ask``, her place moves to it and it is asked when the survey next speaks."""
    later = [q for q in turn.session.get(Survey, conversation.data["survey_id"]).questions
             if q.position > question.position]
    target = later[0].position if later else 0
    if question.skip_if is not None and question.skip_if == stored and question.skip_to is not None:
        if question.skip_to == 0 or question.skip_to > question.position:
            target = question.skip_to
    for skipped in later:
        if target == 0 or skipped.position < target:
            record_answer(turn.session, run_id=conversation.data["run_id"], question=skipped,
                          worker_id=turn.worker.id, value=SKIPPED_ANSWER, text=None, message_id=None, now=turn.now)
    if target == 0 or not any(q.position == target for q in later):
        return _finish(turn, conversation)
    _move_to(conversation, target)
    return _ask(turn, conversation) if ask else []


def _move_to(conversation: Conversation, position: int) -> None:
    conversation.step, conversation.retries = f"q{position}", 0
    conversation.data = {**conversation.data, "position": position, "introduced": True}


def _finish(turn: Turn, conversation: Conversation) -> list[Message]:
    """Every question has its row: the thank-you, and the survey is over."""
    survey = turn.session.get(Survey, conversation.data["survey_id"])
    _close(turn, conversation)
    thanks = text_in(survey.thanks or {}, conversation.language)
    end(turn, conversation)
    if not thanks:
        return []
    return tag(turn.reply(THANKS_PURPOSE, conversation.language, body=thanks), conversation.data["run_id"])


def _close(turn: Turn, conversation: Conversation, reason: str | None = None) -> None:
    survey = turn.session.get(Survey, conversation.data["survey_id"])
    close_delivery(turn.session, run_id=conversation.data["run_id"], questions=list(survey.questions),
                   worker_id=turn.worker.id, now=turn.now, reason=reason)


def expire(turn: Turn, conversation: Conversation) -> list[Message]:
    """Left unanswered: the questions left are recorded unanswered, and the survey is over."""
    _close(turn, conversation)
    end(turn, conversation)
    return []


def interrupted(turn: Turn, conversation: Conversation) -> None:
    """A grave complaint came instead of an answer and was taken at once: the survey waits, and
    its question is asked again (never the invitation) once the acknowledgement is queued."""
    if conversation.step == INVITED:
        _move_to(conversation, conversation.data.get("position") or 1)
    conversation.status = WAITING


def stop(turn: Turn, *, channel: str | None = None) -> int:
    """She opted out (on ``channel``) or out of surveys: her surveys there end at once, what she
    answered kept, the rest recorded unanswered. Returns how many ended."""
    ended = 0
    for conversation in turn.session.scalars(select(Conversation).where(
            Conversation.worker_id == turn.worker.id, Conversation.kind == SURVEY).order_by(Conversation.id)).all():
        if channel is None or conversation.endpoint.channel == channel:
            _close(turn, conversation, reason=STOPPED)
            end(turn, conversation)
            ended += 1
    settle_where_asked(turn)  # a survey on another channel that waited behind one of these speaks
    return ended


def keyword_answers(turn: Turn, text: str) -> bool:
    """Whether a whole-message keyword is, here, her answer to the closed question her active
    survey asks ("Baja" to "1 alta 2 media 3 baja"); see language.keywords on which give way."""
    conversation = active(turn.session, turn.worker)
    if (conversation is None or conversation.kind != SURVEY or conversation.step == INVITED
            or conversation.expires_at <= turn.now or not yields_to_answer(text)):
        return False
    question = question_at(turn, conversation)
    return (question is not None and question.kind != FREE_TEXT
            and read_answer(text, kind=question.kind, top=question.scale_max, choices=question.choices) is not None)


def after_cancel(turn: Turn, message: Message, language: str) -> list[Message] | None:
    """Her bare answer ("1", "ya") when the last thing we sent her was a question of a survey
    cancelled since (within a survey's expiry): thanked, and taken no further (no complaint is
    opened on it). None when that is not so, and her message goes on its way."""
    if not is_bare_answer(message.body_normalized or message.body):
        return None
    run = _last_run_asked(turn.session, turn.worker.id)
    if run is None or run.status != CANCELLED or run.cancelled_at is None:
        return None
    if turn.now - run.cancelled_at > SURVEY_EXPIRY:
        return None
    # Not tagged with the run: the cancelled run's messages are the ones never sent.
    return turn.reply(CANCELLED_PURPOSE, language)


def _last_run_asked(session: Session, worker_id: int) -> SurveyRun | None:
    run_id = session.scalar(select(Message.run_id).where(
        Message.worker_id == worker_id, Message.direction == OUTBOUND, Message.status != MESSAGE_CANCELLED)
        .order_by(Message.id.desc()).limit(1))
    return session.get(SurveyRun, run_id) if run_id is not None else None


register(Kind(name=SURVEY, priority=SURVEY_PRIORITY, expiry=SURVEY_EXPIRY, answer=answer, expire=expire,
              resume=resume))
