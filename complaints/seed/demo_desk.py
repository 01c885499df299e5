"""What the platform's staff set up around the demo's stories, once they are played: the shops'
guarantee deposits, the team's canned replies, last month's shop reputation and the last quarter's
and half-year's service reports (as the nightly jobs would have made them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from complaints.extensions import db
from complaints.models import User
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


# (title_zh, title_en, body_zh, body_en): the team's canned replies (services/canned_replies.py).
DEMO_CANNED_REPLIES = (
    (
        "已收到，正在核实",
        "Received, being checked",
        "{consumer_name}您好，您的投诉 {reference} 我们已收到，正在与{shop}核实情况，"
        "将在 {next_pledge_date} 前给您答复。客服专员 {agent_name}",
        "Dear {consumer_name}, we have received your complaint {reference} and are checking it with "
        "{shop}. We will answer you by {next_pledge_date}. {agent_name}, customer service",
    ),
    (
        "请补充订单截图",
        "Please send the order screenshot",
        "{consumer_name}您好，为尽快处理投诉 {reference}，请在本页上传订单详情截图和商品照片。"
        "收到后我们会继续处理。客服专员 {agent_name}",
        "Dear {consumer_name}, to deal with {reference} quickly, please upload a screenshot of the "
        "order and photos of the item on this page. We continue as soon as we have them. {agent_name}",
    ),
    (
        "已联系店铺",
        "The shop has been contacted",
        "{consumer_name}您好，我们已就投诉 {reference} 联系{shop}，店铺需在回复时限内答复。"
        "有进展我们会第一时间通知您。客服专员 {agent_name}",
        "Dear {consumer_name}, we have contacted {shop} about {reference}; the shop must answer within "
        "its reply window. We will tell you as soon as there is news. {agent_name}",
    ),
    (
        "退款已安排",
        "Refund arranged",
        "{consumer_name}您好，{shop}已同意为投诉 {reference} 办理退款，款项将原路退回，"
        "一般需要 1–3 个工作日到账。客服专员 {agent_name}",
        "Dear {consumer_name}, {shop} has agreed to refund you for {reference}. The money goes back "
        "to how you paid, usually within 1–3 working days. {agent_name}",
    ),
)


def _add_canned_replies(supervisor: User) -> None:
    """The supervisor's canned replies, for the agents to insert (written after the stories)."""
    from complaints.services.canned_replies import create_canned_reply

    for title_zh, title_en, body_zh, body_en in DEMO_CANNED_REPLIES:
        create_canned_reply(
            supervisor, title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en
        )
    db.session.commit()
