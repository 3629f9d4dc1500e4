"""The kinds of conversation, and which of a worker's pending conversations speaks.

A worker may have several pending conversations; at most one is active (her next message
answers it), the others wait. A kind's priority decides who goes first:

- a new conversation of a higher priority than the active one takes its place (the active one
  waits, and its question is asked again when its turn comes back);
- otherwise it waits, behind every pending one of its priority or higher that came before it;
- when the active one ends, ``settle`` makes the next waiting one active (highest priority,
  then the one waiting longest) and sends its question.

Only the active one's clock runs: it expires ``kind.expiry`` after its question was asked.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

from dataclasses import replace

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from grievance.models import ChannelEndpoint, Conversation, Message, Worker
from grievance.models.conversation import ACTIVE, WAITING
from grievance.privacy import PhoneVault
from grievance.workflows.outbox import queue_reply
from grievance.workflows.workers import held_while_locked, lock_worker

Reply = Callable[..., list[Message]]


@dataclass
class Turn:
    """One moment of one worker's exchange: what every kind needs to act."""

    session: Session
    worker: Worker
    now: datetime
    reply: Reply  # queues a reply to her: reply(purpose, language, case=None, body=None, **variables)
    vault: PhoneVault | None = None


Answer = Callable[[Turn, Conversation, Message], list[Message]]
Step = Callable[[Turn, Conversation], list[Message]]


@dataclass(frozen=True)
class Kind:
    """A kind of conversation.

    ``answer`` takes her message while the conversation is active; ``expire`` finishes it when
    she left it unanswered (nothing collected is dropped); ``resume`` sends its question when
    it becomes the one that speaks (and again after it waited behind another). Each of them
    calls ``end`` when the conversation is over.
    """

    name: str
    priority: int  # higher speaks first
    expiry: timedelta
    answer: Answer
    expire: Step
    resume: Step


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind to the registry (each kind's module does it when it is imported)."""
    if kind.name in KINDS and KINDS[kind.name] != kind:
        raise ValueError(f"a conversation kind named {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


# Worker id → her conversations, read once while her row is locked (``known``, ``read_for``).
_KNOWN = "grievance.known_conversations"
held_while_locked(_KNOWN)


def read_for(session: Session, worker_ids: list[int]) -> None:
    """The conversations of a batch's senders read in one statement, their rows locked by
    ``lock_workers``: whatever else changes a worker's conversations takes her row first (a
    case action, a survey's batch, the expiry round, a run's cancellation), so what is read
    here stays true until the commit, kept up with this session's own changes (``_followed``,
    ``_bulk``); ``known`` then reads nothing more for her messages."""
    table = session.info.setdefault(_KNOWN, {})
    wanted = sorted({worker_id for worker_id in worker_ids if worker_id not in table})
    if not wanted:
        return
    read: dict[int, list[Conversation]] = {worker_id: [] for worker_id in wanted}
    for conversation in session.scalars(select(Conversation).where(Conversation.worker_id.in_(wanted))
                                        .order_by(Conversation.id)):
        read[conversation.worker_id].append(conversation)
    table.update(read)


@contextmanager
def known(session: Session, worker: Worker) -> Iterator[None]:
    """Her conversations read in one statement for the handling of one of her messages, her
    row locked (as her messages and the expiry round lock it): ``pending`` answers from them
    meanwhile, where each step of the handling asked the database again. This session's adds
    and deletes are followed (``_followed``); a bulk statement on conversations forgets them
    (``_bulk``); they are forgotten when the message is handled, and with the locks. Those
    ``read_for`` read for her batch are kept for her next message."""
    table = session.info.setdefault(_KNOWN, {})
    if worker.id in table:
        yield
        return
    table[worker.id] = list(session.scalars(select(Conversation).where(Conversation.worker_id == worker.id)))
    try:
        yield
    finally:
        session.info.get(_KNOWN, {}).pop(worker.id, None)


@event.listens_for(Session, "after_flush")
def _followed(session: Session, _context) -> None:
    table = session.info.get(_KNOWN)
    if not table:
        return
    for added in session.new:
        if isinstance(added, Conversation) and added.worker_id in table:
            table[added.worker_id].append(added)
    for removed in session.deleted:
        if isinstance(removed, Conversation) and removed in table.get(removed.worker_id, ()):
            table[removed.worker_id].remove(removed)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> None:
    if (not state.is_select and _KNOWN in state.session.info
            and any(mapper.class_ is Conversation for mapper in state.all_mappers)):
        state.session.info.pop(_KNOWN, None)


def pending(session: Session, worker: Worker) -> list[Conversation]:
    """Her pending conversations, the active one first, then in the order they will speak."""
    hers = session.info.get(_KNOWN, {}).get(worker.id)
    if hers is not None:
        if any(isinstance(changed, Conversation) for changed in (*session.new, *session.deleted)):
            session.flush()  # as a query's autoflush would: the new get their ids, the deleted go
            hers = session.info.get(_KNOWN, {}).get(worker.id)
    if hers is not None:
        found = list(hers)
    else:
        found = session.scalars(select(Conversation).where(Conversation.worker_id == worker.id)
                                .order_by(Conversation.id)).all()
    return sorted(found, key=lambda c: (c.status != ACTIVE, -KINDS[c.kind].priority, c.id))


def active(session: Session, worker: Worker) -> Conversation | None:
    first = next(iter(pending(session, worker)), None)
    return first if first is not None and first.status == ACTIVE else None


def begin(turn: Turn, conversation: Conversation) -> list[Message]:
    """A new conversation: it speaks now if it outranks the active one, else it waits its turn."""
    if not _takes_the_floor(turn, conversation):
        return _waits(turn, conversation)
    turn.session.add(conversation)
    return _speak(turn, conversation)


def begin_or_finish(turn: Turn, conversation: Conversation, finish: Callable[[], list[Message]]) -> list[Message]:
    """A conversation with nothing left to ask (a first message that says all an intake needs):
    ``finish`` now, without storing a conversation only to delete it in the same breath, when
    it would speak now; else it waits its turn, as any other."""
    if not _takes_the_floor(turn, conversation):
        return _waits(turn, conversation)
    return finish()


def _takes_the_floor(turn: Turn, conversation: Conversation) -> bool:
    """Whether it speaks now: nothing of hers outranks it (what it outranks waits behind it)."""
    session, kind = turn.session, KINDS[conversation.kind]
    # Her row locked, as her messages lock it: a case resolved while her message is processed,
    # or two runs' batches sent at once, must not make two of her conversations active. The
    # lock is taken before her conversations are read, so the second one waits and then reads
    # the first (her message's processing, or whoever began this, may hold it already).
    lock_worker(session, turn.worker)
    current = active(session, turn.worker)
    if current is not None and current is not conversation and KINDS[current.kind].priority >= kind.priority:
        return False
    if current is not None and current is not conversation:
        current.status = WAITING
    return True


def _waits(turn: Turn, conversation: Conversation) -> list[Message]:
    conversation.status = WAITING
    turn.session.add(conversation)
    turn.session.flush()
    return []


def _speak(turn: Turn, conversation: Conversation) -> list[Message]:
    conversation.status, conversation.retries = ACTIVE, 0
    conversation.updated_at = turn.now
    conversation.expires_at = turn.now + KINDS[conversation.kind].expiry  # from when it is asked
    turn.session.flush()
    return KINDS[conversation.kind].resume(turn, conversation)


def end(turn: Turn, conversation: Conversation) -> None:
    """The conversation is over; the next one speaks when the caller settles."""
    turn.session.delete(conversation)
    turn.session.flush()


def settle(turn: Turn) -> list[Message]:
    """If none of her conversations is active, the next waiting one speaks (its question is sent).

    Called once the message or the expiry at hand is dealt with, so a question is never
    answered by a message she wrote before she could read it."""
    replies: list[Message] = []
    while True:
        first = next(iter(pending(turn.session, turn.worker)), None)  # the active one comes first
        if first is None or first.status == ACTIVE:
            break
        replies += _speak(turn, first)
    return replies


def settle_where_asked(turn: Turn) -> list[Message]:
    """``settle`` after a conversation ended outside one of her messages (it expired, its run
    was cancelled, she stopped it on another channel): what waited speaks on the number and
    through the provider it began on, where she wrote about its matter."""
    following = next(iter(pending(turn.session, turn.worker)), None)
    if following is None or following.status == ACTIVE:
        return []
    return settle(replace(turn, reply=replier(turn.session, turn.worker, following.endpoint, following.provider,
                                              turn.now)))


def replier(session: Session, worker: Worker, endpoint: ChannelEndpoint, provider: str, now: datetime) -> Reply:
    """Replies to her on one number and provider (where she last wrote about the matter)."""
    def reply(purpose: str, language: str, case=None, body: str | None = None, **variables: str) -> list[Message]:
        return [queue_reply(session, worker=worker, endpoint=endpoint, provider=provider, purpose=purpose,
                            language=language, now=now, case=case, body=body, **variables)]
    return reply
