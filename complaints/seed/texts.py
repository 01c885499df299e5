"""The words of the demo and bench data: shops, people, and what consumers and staff write.

Pure data plus a few pickers. Every sentence ends in punctuation, so sentences can be joined
and still be split into the same search terms as when they are indexed one by one (the bench
relies on that to index a million complaints quickly).
"""

from __future__ import annotations

import random

# fmt: off
# (code, Chinese name, English name): the categories both seeds create.
CATEGORIES = (
    ("quality", "商品质量", "Product quality"),
    ("delivery", "物流配送", "Delivery"),
    ("refund", "退款退货", "Refunds and returns"),
    ("advertising", "虚假宣传", "Misleading advertising"),
    ("after_sales", "售后服务", "After-sales service"),
    ("pricing", "价格欺诈", "Price fraud"),
    ("account", "账户与支付", "Account and payment"),
    ("other", "其他", "Other"),
)
# How often each category comes up, in the order above.
CATEGORY_WEIGHTS = (24, 20, 18, 9, 12, 7, 6, 4)

# What consumers usually ask for, per category.
DESIRED = {
    "quality": ("refund", "replacement", "repair", "return"),
    "delivery": ("refund", "compensation", "replacement"),
    "refund": ("refund", "return"),
    "advertising": ("refund", "compensation", "apology"),
    "after_sales": ("repair", "replacement", "refund"),
    "pricing": ("refund", "compensation"),
    "account": ("refund", "other"),
    "other": ("other", "apology", "refund"),
}

# (shop code, name, contact email): the demo's dozen shops.
DEMO_MERCHANTS = (
    ("YP-DIGITAL", "优品数码旗舰店", "service@youpin-digital.example"),
    ("XM-HOME", "小满家居生活馆", "kefu@xiaoman-home.example"),
    ("GV-FOODS", "Green Valley Foods", "care@greenvalley.example"),
    ("JN-TEA", "江南茶语官方店", "tea@jiangnan.example"),
    ("US-SPORT", "Urban Stride Sportswear", "help@urbanstride.example"),
    ("MB-BABY", "萌宝母婴专营店", "service@mengbao.example"),
    ("NP-OUTDOOR", "North Peak Outdoor", "support@northpeak.example"),
    ("HY-APPLIANCE", "华悦电器专卖店", "shouhou@huayue.example"),
    ("LM-BEAUTY", "Lumière Beauty Official", "hello@lumiere.example"),
    ("KX-FRUIT", "开心果园生鲜", "guoyuan@kaixin.example"),
    ("PX-ELEC", "PixelWorks Electronics", "rma@pixelworks.example"),
    ("QS-BOOKS", "青山书店", "books@qingshan.example"),
)

# (Chinese, English): the demo's and the bench's mediation organisations.
MEDIATION_ORGANISATIONS = (
    ("上海市消费纠纷人民调解委员会", "Shanghai Consumer Dispute People's Mediation Committee"),
    ("杭州互联网纠纷调解中心", "Hangzhou Online Dispute Mediation Centre"),
)

# Pieces of generated shop names (the bench's two thousand shops).
SHOP_PREFIX_ZH = (
    "优品", "小满", "江南", "萌宝", "华悦", "开心", "青山", "鑫源", "佳禾", "乐享", "森林",
    "蓝海", "金牛", "云朵", "安心", "喜来", "百川", "星辰", "一品", "晨光",
)
SHOP_KIND_ZH = (
    "数码", "家居", "茶语", "母婴", "电器", "果园", "书店", "服饰", "美妆", "运动",
    "厨具", "宠物", "户外", "珠宝", "文具", "食品",
)
SHOP_SUFFIX_ZH = ("旗舰店", "专营店", "官方店", "生活馆", "专卖店", "小铺")
SHOP_PREFIX_EN = (
    "Green Valley", "Urban Stride", "North Peak", "Pixel", "Blue Harbour", "Silver Leaf",
    "Sunrise", "Maple", "Harbour Light", "Golden Grain", "Cloud Nine", "Red Lantern",
)
SHOP_KIND_EN = ("Electronics", "Home", "Outdoor", "Beauty", "Foods", "Sportswear", "Toys", "Books", "Pets")
SHOP_SUFFIX_EN = ("Official", "Store", "Flagship", "Outlet", "Co.")

# (hanzi, pinyin): for people's names and their email addresses.
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
)
GIVEN_NAMES = (
    ("晓明", "xiaoming"), ("丽娟", "lijuan"), ("建国", "jianguo"), ("婷婷", "tingting"),
    ("志强", "zhiqiang"), ("静", "jing"), ("磊", "lei"), ("雪梅", "xuemei"), ("浩然", "haoran"),
    ("思琪", "siqi"), ("子涵", "zihan"), ("海燕", "haiyan"), ("文博", "wenbo"), ("雨欣", "yuxin"),
    ("国华", "guohua"), ("佳怡", "jiayi"), ("俊杰", "junjie"), ("秀英", "xiuying"),
)
ENGLISH_NAMES = (
    "Emily Carter", "James Wong", "Olivia Chen", "Daniel Smith", "Sophie Martin", "Lucas Brown",
    "Grace Lee", "Noah Wilson", "Hannah Kim", "Ethan Taylor",
)

# (Chinese, English) product names; templates say {product}.
PRODUCTS = (
    ("蓝牙耳机", "wireless earbuds"), ("扫地机器人", "robot vacuum"), ("空气炸锅", "air fryer"),
    ("羽绒服", "down jacket"), ("跑步鞋", "running shoes"), ("智能手表", "smartwatch"),
    ("婴儿奶粉", "infant formula"), ("电动牙刷", "electric toothbrush"), ("笔记本电脑", "laptop"),
    ("洗衣机", "washing machine"), ("冰箱", "fridge"), ("护肤套装", "skincare set"),
    ("茶叶礼盒", "tea gift box"), ("行李箱", "suitcase"), ("咖啡机", "coffee machine"),
    ("儿童安全座椅", "child car seat"), ("乳胶床垫", "latex mattress"), ("投影仪", "projector"),
    ("机械键盘", "mechanical keyboard"), ("净水器", "water purifier"), ("电饭煲", "rice cooker"),
    ("折叠自行车", "folding bicycle"), ("登山包", "hiking backpack"), ("车厘子", "cherries"),
    ("图书套装", "book set"),
)

# What each demo shop sells (indexes into PRODUCTS), so a complaint names a product of its shop.
SHOP_PRODUCTS = {
    "YP-DIGITAL": (0, 5, 8, 17, 18),
    "XM-HOME": (1, 13, 16, 19),
    "GV-FOODS": (12, 23),
    "JN-TEA": (12,),
    "US-SPORT": (3, 4),
    "MB-BABY": (6, 15),
    "NP-OUTDOOR": (3, 21, 22),
    "HY-APPLIANCE": (2, 9, 10, 14, 20),
    "LM-BEAUTY": (7, 11),
    "KX-FRUIT": (23,),
    "PX-ELEC": (5, 8, 17, 18),
    "QS-BOOKS": (24,),
}

TITLES = {
    "quality": (
        ("收到的{product}有质量问题", "The {product} arrived faulty"),
        ("{product}用了几天就坏了", "My {product} broke after a few days"),
        ("{product}与描述不符，做工很差", "The {product} is badly made and not as described"),
        ("怀疑{product}是假货", "I suspect the {product} is counterfeit"),
    ),
    "delivery": (
        ("{product}超过约定时间仍未发货", "The {product} has still not been shipped"),
        ("物流显示已签收，但没有收到{product}", "Tracking says delivered but no {product} arrived"),
        ("{product}外包装破损，商品受损", "The {product} arrived damaged in a broken box"),
    ),
    "refund": (
        ("{product}退货后一直没有退款", "No refund after returning the {product}"),
        ("商家拒绝{product}七天无理由退货", "The shop refuses a seven-day return of the {product}"),
        ("申请退款被无故驳回", "My refund request for the {product} was refused without reason"),
    ),
    "advertising": (
        ("{product}宣传的功能根本没有", "The {product} lacks the features it was advertised with"),
        ("直播间承诺的赠品没有收到", "The free gift promised in the live stream never came"),
        ("{product}页面标注正品，实际是仿品", "The {product} was sold as genuine but is an imitation"),
    ),
    "after_sales": (
        ("{product}保修期内维修被拒", "Warranty repair of the {product} refused"),
        ("{product}送修后迟迟没有结果", "The {product} has been at the repair centre for weeks"),
        ("客服一直不回复{product}的售后问题", "Customer service ignores my {product} after-sales request"),
    ),
    "pricing": (
        ("{product}先涨价后打折，优惠是假的", "The {product} discount was fake: prices were raised first"),
        ("下单后商家要求加价才发{product}", "The shop wants more money before sending the {product}"),
        ("{product}结算价格与页面价格不一致", "I was charged more for the {product} than the listed price"),
    ),
    "account": (
        ("同一笔{product}订单被重复扣款", "I was charged twice for one {product} order"),
        ("优惠券被无故作废", "My coupon was cancelled without explanation"),
        ("账户被冻结，余额无法使用", "My account is frozen and I cannot use my balance"),
    ),
    "other": (
        ("商家客服态度恶劣", "The shop's customer service was rude"),
        ("个人信息疑似被商家泄露", "I think the shop leaked my personal information"),
        ("{product}订单被商家单方面取消", "The shop cancelled my {product} order on its own"),
    ),
}

# Description sentences, per category, then the ones any complaint may carry.
SENTENCES = {
    "quality": (
        ("收到的{product}开箱就无法正常使用。", "The {product} did not work when I took it out of the box."),
        ("使用{days}天后{product}出现严重故障。", "After {days} days the {product} stopped working properly."),
        ("{product}做工粗糙，和商品详情页的图片差别很大。", "The {product} looks nothing like the photos on the product page."),
        ("我怀疑收到的{product}是翻新机或假货。", "I believe the {product} I received is refurbished or fake."),
        ("{product}有明显的划痕和异味。", "The {product} has deep scratches and a strong smell."),
    ),
    "delivery": (
        ("下单已经{days}天，{product}还没有发货。", "I ordered {days} days ago and the {product} has not shipped."),
        ("快递员没有送货上门，直接放在了驿站。", "The courier left the parcel at a pickup point instead of my door."),
        ("物流信息{days}天没有更新。", "The tracking has not changed for {days} days."),
        ("收到时外箱被压坏，{product}也摔坏了。", "The box was crushed and the {product} inside was broken."),
    ),
    "refund": (
        ("我在{days}天前寄回了{product}，商家已经签收。", "I sent the {product} back {days} days ago and the shop signed for it."),
        ("商家以已拆封为由拒绝退货。", "The shop refuses the return because the package was opened."),
        ("退款申请被驳回了{days}次。", "My refund request has been refused {days} times."),
        ("商家要求我承担来回运费。", "The shop wants me to pay shipping both ways."),
    ),
    "advertising": (
        ("商品页面写着{product}有的功能，实际上并没有。", "The product page promised features the {product} does not have."),
        ("主播在直播间承诺赠送配件，但没有收到。", "The host promised free accessories in the live stream, but none came."),
        ("页面宣传的产地和实物标签不一致。", "The origin on the label is not the one advertised."),
    ),
    "after_sales": (
        ("{product}还在保修期内，商家却要求付费维修。", "The {product} is under warranty, yet the shop wants me to pay for the repair."),
        ("送修已经{days}天，没有任何进展。", "It has been at the repair centre for {days} days with no news."),
        ("客服每次都说会有人联系我，但从来没有人联系。", "Each time customer service says someone will call me, and nobody does."),
    ),
    "pricing": (
        ("活动前{product}的价格被调高，再打折后比原价还贵。", "The {product} price was raised before the sale, so the discount is fake."),
        ("付款时的价格比页面显示的高。", "I paid more at checkout than the price on the page."),
        ("商家要求补差价才肯发货。", "The shop will not ship unless I pay the difference."),
    ),
    "account": (
        ("同一笔订单被扣款两次。", "I was charged twice for the same order."),
        ("账户余额被冻结，客服无法说明原因。", "My balance is frozen and support cannot say why."),
        ("领取的优惠券在结算时显示失效。", "The coupon I claimed showed as invalid at checkout."),
    ),
    "other": (
        ("客服在电话里态度很差。", "The customer service agent was rude on the phone."),
        ("下单后不久就接到了陌生的推销电话。", "Soon after ordering I started getting sales calls from strangers."),
        ("商家没有任何解释就取消了订单。", "The shop cancelled the order without any explanation."),
    ),
}
GENERIC_SENTENCES = (
    ("联系客服多次都没有得到解决。", "I contacted customer service several times without result."),
    ("希望平台尽快介入处理。", "Please step in and help."),
    ("我已经保留了聊天记录和订单截图。", "I have kept the chat history and screenshots of the order."),
    ("这已经严重影响了我的正常生活。", "This is causing me real trouble."),
    ("商家一直拖延，不给明确答复。", "The shop keeps stalling and gives no clear answer."),
    ("请平台督促商家履行承诺。", "Please make the shop keep its promise."),
)

# What people write on a complaint, by who writes it and why.
AGENT_REPLIES = (
    ("您好，我们已收到您的投诉，正在联系商家核实情况，请耐心等待。",
     "Hello, we have received your complaint and are checking with the shop. We will update you soon."),
    ("感谢您的反馈，我们已将您的诉求转达给商家，并要求其在两个工作日内答复。",
     "Thank you. We have passed your request to the shop and asked it to answer within two working days."),
    ("您好，您的投诉已受理，我们会根据平台服务承诺尽快处理。",
     "Hello, your complaint is accepted and we will handle it within the times our pledge promises."),
)
CONSUMER_REPLIES = (
    ("好的，谢谢，我等你们的消息。", "Thank you, I will wait for your update."),
    ("我已经补充了订单截图，请查看。", "I have added screenshots of the order, please take a look."),
    ("商家刚才又联系我了，但还是没有给出解决方案。", "The shop called me again but still offers no solution."),
    ("请问现在处理到哪一步了？", "Could you tell me where things stand now?"),
)
INFO_REQUESTS_CONSUMER = (
    ("请您提供订单截图和商品照片，以便我们核实。", "Please send a screenshot of the order and photos of the item so we can check."),
    ("请补充您与商家客服的聊天记录。", "Please add your chat history with the shop's customer service."),
)
INFO_REQUESTS_MERCHANT = (
    ("已请商家在48小时内提供发货记录和质检报告。", "Asked the shop for its shipping record and quality report within 48 hours."),
    ("已通过商家后台要求其说明拒绝退款的原因。", "Asked the shop, through its seller console, why it refused the refund."),
)
MERCHANT_ANSWERS = (
    ("商家回复：经核实确有质量问题，同意为消费者办理退款。", "Shop's answer: we confirm the defect and agree to refund the consumer."),
    ("商家回复：商品出库前已质检，认为是人为损坏，可提供维修服务。", "Shop's answer: the item passed inspection; we consider the damage accidental and offer a repair."),
    ("商家回复：快递延误属实，愿意补偿运费并重新发货。", "Shop's answer: the delivery was late; we will refund shipping and send a new one."),
    ("商家回复：不同意消费者的诉求，已提供发货凭证。", "Shop's answer: we do not accept the request and have provided proof of shipping."),
)
INTERNAL_NOTES = (
    ("该商家本月同类投诉较多，建议重点关注。", "This shop has had several similar complaints this month; keep an eye on it."),
    ("已电话联系消费者，情况属实。", "Called the consumer; the account checks out."),
    ("金额较大，处理结果需主管确认。", "Large amount: the supervisor should confirm the outcome."),
    ("商家联系人已更换，新联系方式见商家资料。", "The shop's contact changed; see its record for the new one."),
)
REJECTION_REASONS = (
    ("经核实，该订单不是在本平台购买的，不属于受理范围。", "This order was not placed on our marketplace, so we cannot take the complaint."),
    ("投诉内容缺少必要的订单信息，且消费者未在期限内补充。", "The complaint lacks the order details and they were not added in time."),
    ("该问题已在此前的投诉中处理完毕，不重复受理。", "This matter was settled in an earlier complaint."),
)
WITHDRAWAL_REASONS = (
    ("商家已经私下给我退款了，撤回投诉。", "The shop refunded me directly, so I am withdrawing."),
    ("问题已经解决，谢谢。", "It has been sorted out, thank you."),
    ("我找到了包裹，是快递放错了地方。", "I found the parcel; the courier left it in the wrong place."),
)
RESOLUTION_NOTES = (
    ("商家同意全额退款，款项将在三个工作日内原路退回。", "The shop agreed to a full refund, returned to the original payment within three working days."),
    ("商家同意部分退款作为补偿。", "The shop agreed to a partial refund as compensation."),
    ("经核实商家已按约定履行义务，投诉不成立。", "The shop kept its obligations; the complaint is not upheld."),
    ("商家同意免费更换新品。", "The shop agreed to replace the item free of charge."),
)
ESCALATION_REASONS = (
    ("双方分歧较大，转交第三方调解。", "The parties are far apart; referring to third-party mediation."),
    ("商家拒绝平台处理方案，申请调解。", "The shop refused the platform's proposal; asking for mediation."),
)
DISPUTE_REASONS = (
    ("我不接受这个处理结果，要求调解。", "I do not accept this outcome and ask for mediation."),
    ("补偿金额太低，无法弥补我的损失。", "The compensation is too low to cover my loss."),
)
APPEAL_REASONS = (
    ("我已经补充了订单截图，请重新受理。", "I have added the order screenshot; please look at it again."),
    ("订单确实是在本平台下的，附上付款记录。", "The order was placed on your marketplace; the payment record is attached."),
)
SESSION_NOTES = (
    ("与双方电话沟通，商家愿意部分退款，消费者考虑中。", "Spoke with both parties by phone; the shop offers a partial refund, the consumer is considering it."),
    ("视频调解，双方对损坏原因各执一词，约定补充证据后再谈。", "Video session: each side blames the other for the damage; they will bring more evidence."),
    ("线上调解会议，双方初步达成一致。", "Online session: the parties reached a first agreement."),
)
SETTLEMENT_TERMS = (
    ("双方达成和解：商家退还货款并承担运费。", "Settled: the shop refunds the price and pays shipping."),
    ("双方达成和解：商家补偿消费者代金券并道歉。", "Settled: the shop gives the consumer a voucher and an apology."),
)
NO_SETTLEMENT_REASONS = (
    ("商家坚持不同意退款，调解未能达成一致。", "The shop still refuses any refund; no agreement was reached."),
    ("消费者要求的赔偿超出商家可接受范围，调解终止。", "The consumer's claim is beyond what the shop will pay; mediation ended."),
)
RATING_COMMENTS = {
    5: (("处理很及时，非常满意。", "Quick and fair, thank you."),),
    4: (("结果满意，就是等的时间有点长。", "Good result, though it took a while."),),
    3: (("问题解决了，但过程比较繁琐。", "Sorted, but it was a lot of back and forth."),),
    2: (("处理太慢了。", "Far too slow."),),
    1: (("对结果很不满意。", "Very unhappy with the outcome."),),
}

# fmt: on


def pick(rng: random.Random, pairs, lang: str) -> str:
    """One of `pairs` ((Chinese, English) tuples), in `lang` ('zh' or 'en')."""
    zh, en = rng.choice(pairs)
    return zh if lang == "zh" else en


def product_name(index: int, lang: str) -> str:
    zh, en = PRODUCTS[index]
    return zh if lang == "zh" else en


def complaint_parts(
    rng: random.Random, category: str, lang: str, products: tuple[int, ...] | None = None
) -> tuple[str, list[str]]:
    """A title and the sentences of a description for a complaint in `category`, in `lang`, about
    one of `products` (indexes into PRODUCTS; default: any)."""
    index = rng.choice(products) if products else rng.randrange(len(PRODUCTS))
    product = product_name(index, lang)
    title = pick(rng, TITLES[category], lang).format(product=product)
    own = rng.sample(SENTENCES[category], k=min(len(SENTENCES[category]), rng.randint(1, 3)))
    own.append(rng.choice(GENERIC_SENTENCES))
    days = rng.randint(2, 30)
    index = 0 if lang == "zh" else 1
    return title, [pair[index].format(product=product, days=days) for pair in own]


def join_sentences(sentences: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(sentences)


def complaint_text(
    rng: random.Random, category: str, lang: str, products: tuple[int, ...] | None = None
) -> tuple[str, str]:
    """A (title, description) for a complaint in `category`, written in `lang`, about one of `products`."""
    title, sentences = complaint_parts(rng, category, lang, products)
    return title, join_sentences(sentences, lang)


def person_name(rng: random.Random, english: bool = False) -> tuple[str, str]:
    """A (display name, email local part) for a made-up person."""
    if english:
        name = rng.choice(ENGLISH_NAMES)
        return name, name.lower().replace(" ", ".")
    (surname, surname_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
    return surname + given, f"{given_py}.{surname_py}"


# The demo shop's offers: (kind, share of the amount claimed or None, (Chinese, English) terms).
SHOP_OFFERS = (
    (
        "refund",
        1,
        (
            "全额退款至原支付账户，无需退回商品。",
            "A full refund to the original payment; no need to return the goods.",
        ),
    ),
    (
        "replacement",
        None,
        (
            "寄出全新同款商品，运费由本店承担，旧件无需退回。",
            "We send a new one of the same item at our cost; keep the old one.",
        ),
    ),
    (
        "compensation",
        0.3,
        ("补偿部分货款，作为对延误的歉意。", "Part of the price back, as an apology for the delay."),
    ),
)
OFFER_DECLINED = (
    ("我要求全额退款，不接受部分补偿。", "I want a full refund, not part of it."),
    (
        "换货已经换过一次了，还是同样的问题，我要退款。",
        "This is already the second replacement with the same fault; I want a refund.",
    ),
)

# Why a supervisor hands a complaint to another agent (staff only).
HANDOVER_REASONS = (
    ("原处理人休假，转交同组同事跟进。", "The agent handling it is on leave; a colleague takes over."),
    (
        "涉及大家电售后，转交熟悉该品类的同事。",
        "It concerns a large appliance; handed to the colleague who knows the category.",
    ),
    ("平衡工作量。", "Balancing the workload."),
)
