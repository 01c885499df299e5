"""What the platform's staff set up around the demo's stories, once they are played: the shops'
guarantee deposits, the team's canned replies, last month's shop reputation and the last quarter's
and half-year's service reports (as the nightly jobs would have made them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from complaints.extensions import db
from complaints.models import User
from complaints.seed.desk_texts import CANNED_REPLIES
from complaints.services import reputation, service_reports


def set_up(supervisor_id: int, merchants: list[int], end: datetime) -> None:
    supervisor = db.session.get(User, supervisor_id)
    _top_up_deposits(supervisor, merchants)
    _add_canned_replies(supervisor)
    reputation.compute_month(reputation.Month.last(end))  # as the nightly job would have
    service_reports.generate_due(end)  # as the scheduler would have


def _top_up_deposits(supervisor: User, merchants: list[int]) -> None:
    """Each demo shop has paid into its guarantee deposit (the last one less than the minimum, so
    the supervisors' list of shops to top up is not empty); the supervisor recorded it."""
    from complaints.services import deposits

    for number, merchant_id in enumerate(merchants, 1):
        amount = Decimal("1200.00") if number == len(merchants) else Decimal(10_000 + 2_500 * number)
        deposits.top_up(supervisor, merchant_id, amount, f"保证金缴纳 银行转账 DEP-{merchant_id:04d}")


def _add_canned_replies(supervisor: User) -> None:
    """The supervisor's canned replies, for the agents to insert (written after the stories)."""
    from complaints.services.canned_replies import create_canned_reply

    for title_zh, title_en, body_zh, body_en in CANNED_REPLIES:
        create_canned_reply(
            supervisor, title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en
        )
    db.session.commit()
