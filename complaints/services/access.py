"""Who may see which complaints. Every complaint is loaded through these scoped queries."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from complaints.extensions import db
from complaints.models import Complaint, Role, User
from complaints.workflow import Actor


def visible_complaints(user: User) -> Select:
    """A SELECT of the complaints `user` may see; nothing for a role without a scope."""
    query = select(Complaint)
    if user.role is Role.CONSUMER:
        return query.where(Complaint.consumer_id == user.id)
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        return query
    if user.role is Role.MEDIATOR and user.mediation_org_id is not None:
        return query.where(Complaint.mediation_org_id == user.mediation_org_id)
    if user.role is Role.MERCHANT and user.merchant_id is not None:
        return query.where(Complaint.merchant_id == user.merchant_id)
    return query.where(false())


def get_visible_complaint(user: User, reference: str, *, options=()) -> Complaint | None:
    """The complaint with `reference` if `user` may see it, else None (the caller answers 404)."""
    query = visible_complaints(user).where(Complaint.reference == reference).options(*options)
    return db.session.scalars(query).first()


def workflow_actor(user: User | None) -> Actor | None:
    """How the workflow sees `user`; None for roles that never act on complaints."""
    if user is None:
        return Actor.SYSTEM
    return {
        Role.CONSUMER: Actor.CONSUMER,
        Role.AGENT: Actor.AGENT,
        Role.SUPERVISOR: Actor.SUPERVISOR,
        Role.MEDIATOR: Actor.MEDIATOR,
    }.get(user.role)


def sees_internal_notes(user: User) -> bool:
    """Internal notes are for the platform's staff only."""
    return user.role in (Role.AGENT, Role.SUPERVISOR)
