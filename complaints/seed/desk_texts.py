"""The desk team's canned replies, which both seeds write (demo_desk.py, bench.py): (title_zh,
title_en, body_zh, body_en). The names in braces are the fields services/canned_replies.py fills
in from the complaint when an agent inserts one."""

# fmt: off
CANNED_REPLIES = (
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
# fmt: on
