"""Automatic assignment: a newly filed complaint goes to the agent with the least open work.

An option (AUTO_ASSIGN, off by default). The complaint is assigned by the system through the
workflow's ASSIGN action, as a supervisor's assignment is: the same effect, one event on the
timeline, the agent told (announcements: being assigned), the pledge's clocks asked.

Whom: an active agent (supervisors are not given new work by the machine) with the fewest open
complaints assigned (received, verified or in mediation); among equals, the lowest user id: the
longest-standing agent, a rule anyone can check, and one that cost nothing to read. Counting by
open complaints spreads the work: an agent who just got one is no longer among the least
loaded, so new agents catch up first. Two filings at the same instant may pick the same agent;
the next filing evens it out.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.participants import roles_where
from complaints.services.clock_order import state_condition
from complaints.services.lifecycle import apply_action
from complaints.workflow import OPEN_STATES, Action


def least_loaded_agent() -> User | None:
    """The active agent with the fewest open complaints assigned (lowest id among equals), or
    None when there is no active agent. One query: each agent's open complaints are counted over
    ix_complaints_assignee_state_created (assignee_id, state, ...), never over the complaints."""
    open_work = (
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.assignee_id == User.id, state_condition(sorted(OPEN_STATES)))
        .correlate(User)
        .scalar_subquery()
    )
    return db.session.scalar(
        select(User)
        .where(User.role.in_(_agent_roles()), User.active.is_(True))
        .order_by(open_work, User.id)
        .limit(1)
    )


def _agent_roles():
    """The platform's staff who work complaints and do not supervise (agents), per the policy."""
    return roles_where(lambda entry: entry.platform_staff and not entry.supervises)


def assign_new_complaint(complaint: Complaint) -> User | None:
    """Assign the complaint just filed to the least loaded agent, when AUTO_ASSIGN is on.

    complaint: a complaint filed in this transaction, not yet assigned.
    Returns the agent, or None (the option is off, or no agent is active: it waits in the
    unassigned queue). The caller commits, with the filing.
    """
    if not current_app.config.get("AUTO_ASSIGN") or complaint.assignee_id is not None:
        return None
    agent = least_loaded_agent()
    if agent is None:
        return None
    apply_action(complaint, None, Action.ASSIGN, assignee_id=agent.id)
    current_app.logger.info("the system assigned %s to user %s", complaint.reference, agent.id)
    return agent
