"""What one person may see of one complaint, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    Agreement,
    Attachment,
    ClockKind,
    Complaint,
    Event,
    MediationSession,
    Message,
    MessageKind,
    Referral,
    SettlementOffer,
    User,
)
from complaints.services.agreements import agreement_of
from complaints.services.duplicates import DuplicateLinks, links_of
from complaints.services.privacy import contact_for
from complaints.sla import clocks as sla_clocks
from complaints.sla.facts import facts_for, latest_broke_promise, latest_referral
from complaints.sla.terms import ClockStatus, shop_did_not_reply, statuses
from complaints.timekeeping import now
from complaints.workflow import Action, allowed_actions


@dataclass
class ComplaintView:
    complaint: Complaint
    events: list[Event]
    messages: list[Message]
    attachments: list[Attachment]
    sessions: list[MediationSession]
    actions: list[Action]
    clocks: list[ClockStatus]
    contact: dict  # the consumer's name and contact details as the viewer may see them
    appealed: bool = False  # the clocks restarted after an appeal (ClockStatus.round 2)
    offers: list[SettlementOffer] = field(default_factory=list)  # the shop's offers, newest first
    agreement: Agreement | None = None  # the agreement a settled mediation produced
    referral: Referral | None = None  # the latest referral to mediation
    links: DuplicateLinks = field(default_factory=DuplicateLinks)  # what it repeats, what repeats it

    @property
    def evidence(self) -> list[Attachment]:
        """The complaint's files but the mediation sessions' documents (shown with their session)."""
        return [a for a in self.attachments if a.session_id is None]

    @property
    def session_documents(self) -> dict[int, list[Attachment]]:
        """Each held session's documents (session id -> files), for those who read the notes."""
        documents: dict[int, list[Attachment]] = {}
        for attachment in self.attachments:
            if attachment.session_id is not None:
                documents.setdefault(attachment.session_id, []).append(attachment)
        return documents

    def can(self, action: Action | str) -> bool:
        return Action(action) in self.actions

    @property
    def open_offer(self) -> SettlementOffer | None:
        return next((offer for offer in self.offers if offer.is_open), None)

    @property
    def shop_did_not_reply(self) -> bool:
        """The shop let its reply window pass (terms.shop_did_not_reply)."""
        return shop_did_not_reply(self.clocks)


def load_complaint_view(user: User, reference: str) -> ComplaintView | None:
    """The complaint `reference` as `user` may see it, or None (answer 404).

    What each viewer sees (internal notes, mediation session notes, contact details) is the
    participant policy's answer (complaints/participants.py).
    """
    row = participants.get_visible_complaint_with(
        user,
        reference,
        _what_it_has(),
        options=(
            joinedload(Complaint.merchant),  # (its category's name comes from memory)
            User.alone(Complaint.assignee),
            User.alone(Complaint.consumer),
            joinedload(Complaint.mediation_org),
        ),
    )
    if row is None:
        return None
    complaint, has_offers, has_agreement, has_referral, has_files, repeated = row
    internal = participants.sees_internal_notes(user)
    events_q = select(Event).where(Event.complaint_id == complaint.id).options(User.alone(Event.actor))
    messages_q = (
        select(Message).where(Message.complaint_id == complaint.id).options(User.alone(Message.author))
    )
    if not internal:
        events_q = events_q.where(Event.public.is_(True))
        messages_q = messages_q.where(Message.kind != MessageKind.INTERNAL)
    attachments_q = select(Attachment).where(Attachment.complaint_id == complaint.id)
    if not participants.sees_mediation_notes(user):  # a session's documents are read as its notes
        attachments_q = attachments_q.where(Attachment.session_id.is_(None))
    if not internal:
        attachments_q = attachments_q.outerjoin(Message, Attachment.message_id == Message.id).where(
            (Attachment.message_id.is_(None)) | (Message.kind != MessageKind.INTERNAL)
        )
    sessions: list[MediationSession] = []
    if complaint.was_mediated and participants.sees_mediation_notes(user):  # (held only in mediation)
        sessions = list(
            db.session.scalars(
                select(MediationSession)
                .where(MediationSession.complaint_id == complaint.id, MediationSession.status == "held")
                .order_by(MediationSession.held_at)
            )
        )
    actor = participants.workflow_actor(user)
    events = list(db.session.scalars(events_q.order_by(Event.id)))
    at = now()
    clocks = sla_clocks.all_clocks(complaint)
    # Loaded for the table; the workflow's facts read the resolution clock from them too.
    breached = latest_broke_promise(clocks, ClockKind.RESOLUTION, at)
    appealed_at = max((e.created_at for e in events if e.action == Action.APPEAL.value), default=None)
    messages = list(db.session.scalars(messages_q.order_by(Message.created_at, Message.id)))
    attachments = list(db.session.scalars(attachments_q.order_by(Attachment.id))) if has_files else []
    offers = []
    if has_offers:
        offers = list(
            db.session.scalars(
                select(SettlementOffer)
                .where(SettlementOffer.complaint_id == complaint.id)
                .order_by(SettlementOffer.id.desc())
            )
        )
    agreement = agreement_of(complaint.id) if has_agreement else None
    referral = latest_referral(complaint.id) if has_referral else None
    for message in messages:  # each message's files, from the one read of the complaint's files
        set_committed_value(message, "attachments", [a for a in attachments if a.message_id == message.id])
    return ComplaintView(
        complaint=complaint,
        events=events,
        messages=messages,
        attachments=attachments,
        sessions=sessions,
        actions=allowed_actions(
            actor,
            facts_for(
                complaint,
                resolution_breached=breached,
                at=at,
                offers=offers,
                agreement=agreement,
                referral=referral,
            ),
        )
        if actor
        else [],
        clocks=statuses(clocks, at, restarted_at=appealed_at),
        contact=contact_for(user, complaint.consumer),
        appealed=appealed_at is not None,
        offers=offers,
        agreement=agreement,
        referral=referral,
        links=links_of(user, complaint, repeated=repeated),
    )


@lru_cache(maxsize=1)
def _what_it_has() -> tuple:
    """Whether the complaint has settlement offers, an agreement, a referral, files and
    duplicates, read with the complaint (built once per process). Most complaints have none of
    them: their pages skip those reads, a round trip each.

    Each EXISTS selects the column it looks up, so its index alone answers. With SELECT *,
    SQLite's statistics (a million complaints that repeat none, all under one NULL in the
    duplicates' index) made reading every complaint look cheaper than the index: 250 ms.
    """
    repeat = aliased(Complaint)
    return tuple(
        select(column).where(column == Complaint.id).exists()
        for column in (
            SettlementOffer.complaint_id,
            Agreement.complaint_id,
            Referral.complaint_id,
            Attachment.complaint_id,
            repeat.duplicate_of_id,
        )
    )


def load_visible_attachment(user: User, reference: str, attachment_id: int) -> Attachment | None:
    """An attachment of a complaint `user` may see, if they may see that attachment too."""
    view = load_complaint_view(user, reference)
    if view is None:
        return None
    return next((a for a in view.attachments if a.id == attachment_id), None)
