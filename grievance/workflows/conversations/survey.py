"""A survey, asked by text one question at a time; below every other kind.

    invite ─► [invited] ─► q1 ─► q2 ─► … ─► thank-you
                 │ WhatsApp outside the 24-hour window: the approved template opens the
                 │ conversation, and the first question follows her reply (inside the window)

A survey speaks last (priority 5): a worker in the middle of an intake, a choice of case or a
rating is asked once that is over; a complaint she sends mid-survey is taken at once (the
intake outranks the survey, which waits and asks its question again after the acknowledgement).

``data`` holds ``run_id``, ``delivery_id``, ``survey_id`` and ``position`` (the question being
asked, 1-based; 0 while only invited).
"""

from __future__ import annotations

from datetime import timedelta

from grievance.channels.base import inside_whatsapp_window
from grievance.models import Conversation, Message, Survey, SurveyDelivery, SurveyQuestion, SurveyRun
from grievance.workflows.conversations.registry import Kind, Turn, begin, end, register

SURVEY = "survey"
SURVEY_PRIORITY = 5
# A question left unanswered this long (from when it was asked): the rest are unanswered.
SURVEY_EXPIRY = timedelta(days=3)
INVITED = "invited"  # WhatsApp outside the window: the template went, no question yet
# The purposes of a survey's messages (a WhatsApp template of the invite's purpose opens it).
INVITE_PURPOSE, QUESTION_PURPOSE, THANKS_PURPOSE = "survey_invite", "survey_question", "survey_thanks"


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


def delivery_endpoint(turn: Turn, delivery: SurveyDelivery):
    from grievance.models import ChannelEndpoint

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
    if conversation.step == INVITED:
        return tag(turn.reply(INVITE_PURPOSE, language, body=intro, intro=intro), run_id)
    question = question_at(turn, conversation)
    body = text_in(question.text, language)
    if not conversation.data.get("introduced"):
        body = f"{intro}\n{body}"
        conversation.data = {**conversation.data, "introduced": True}
    return tag(turn.reply(QUESTION_PURPOSE, language, body=body), run_id)


def answer(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    raise NotImplementedError  # the answers' parsing comes with the survey's replies


def expire(turn: Turn, conversation: Conversation) -> list[Message]:
    end(turn, conversation)
    return []


register(Kind(name=SURVEY, priority=SURVEY_PRIORITY, expiry=SURVEY_EXPIRY, answer=answer, expire=expire,
              resume=resume))
