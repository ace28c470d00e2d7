"""What demo customers and the bank said to each other: interactions on every channel and
the needs their relationship managers recorded, in Chinese or English."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from customers.demo.plans import Plan
from customers.models import (
    NEEDS_BY_KIND,
    Channel,
    CustomerKind,
    CustomerStatus,
    InteractionType,
    NeedStatus,
    NeedType,
    Segment,
)

if TYPE_CHECKING:
    from customers.demo.batch import BatchPlanner

__all__ = ["amount_words", "plan_interactions", "plan_needs"]

# Summaries: (channel, type, English, Chinese, author: "rm" | "counter" | "system").
RETAIL_TEMPLATES = (
    (Channel.BRANCH, InteractionType.SERVICE, "Updated contact details at the counter and verified identity.",
     "柜台更新联系方式，已核验身份。", "counter"),
    (Channel.BRANCH, InteractionType.SERVICE, "Replaced a damaged debit card; new card issued on the spot.",
     "补办损坏的借记卡，已现场发卡。", "counter"),
    (Channel.BRANCH, InteractionType.ADVICE,
     "Annual portfolio review: customer prefers lower-risk products; suggested laddering term deposits.",
     "年度资产检视：客户偏好低风险产品，建议定期存款分散到期。", "rm"),
    (Channel.BRANCH, InteractionType.SALES,
     "Subscribed {amount} to {product} after a suitability assessment.",
     "完成风险评估后认购{product}，金额{amount}。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Follow-up call on the maturing term deposit; customer will renew for 12 months.",
     "定期存款到期回访，客户表示续存12个月。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP, "Called to confirm the wealth product redemption of {amount}.",
     "致电确认理财产品赎回{amount}。", "rm"),
    (Channel.PHONE, InteractionType.COMPLAINT,
     "Customer complained about the waiting time at the branch; apologised and logged the complaint.",
     "客户投诉网点排队时间过长，已致歉并登记投诉。", "counter"),
    (Channel.PHONE, InteractionType.SERVICE, "Card temporarily blocked after a lost-card report.",
     "客户挂失银行卡，已临时冻结。", "system"),
    (Channel.MOBILE_APP, InteractionType.TRANSACTION,
     "Large transfer of {amount} confirmed in the mobile app.",
     "手机银行大额转账{amount}已确认。", "system"),
    (Channel.MOBILE_APP, InteractionType.NOTIFICATION, "Credit card statement for month {month} is ready.",
     "{month}月信用卡账单已出。", "system"),
    (Channel.MOBILE_APP, InteractionType.SALES, "Bought {product} for {amount} in the app.",
     "通过手机银行购买{product}，金额{amount}。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION, "Online purchase of USD for overseas tuition.",
     "网银购汇用于支付海外学费。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.NOTIFICATION, "Password changed; security notice sent.",
     "网银登录密码已修改，已发送安全提醒。", "system"),
    (Channel.EMAIL, InteractionType.NOTIFICATION, "Monthly wealth statement sent by e-mail.",
     "月度理财对账单已通过电子邮件发送。", "system"),
    (Channel.EMAIL, InteractionType.ADVICE, "Sent the quarterly market outlook and a rebalancing proposal.",
     "发送季度市场展望及资产再平衡建议。", "rm"),
    (Channel.MESSAGING, InteractionType.SERVICE,
     "WeChat enquiry about mortgage prepayment; explained the fees.",
     "微信咨询房贷提前还款，已解释相关费用。", "rm"),
    (Channel.MESSAGING, InteractionType.FOLLOW_UP,
     "Sent a birthday greeting and invited to the client seminar.",
     "发送生日祝福并邀请参加客户讲座。", "rm"),
    (Channel.LETTER, InteractionType.NOTIFICATION, "Annual account statement posted.",
     "年度对账单已邮寄。", "system"),
)
CORPORATE_TEMPLATES = (
    (Channel.BRANCH, InteractionType.ADVICE,
     "Credit review meeting with the CFO: renewal of the working capital line of {amount}.",
     "与财务总监召开授信评审会议，续授流动资金贷款额度{amount}。", "rm"),
    (Channel.BRANCH, InteractionType.SALES, "Signed the cash pooling agreement for the group's subsidiaries.",
     "签署集团子公司资金池协议。", "rm"),
    (Channel.PHONE, InteractionType.ADVICE, "Discussed hedging USD receivables of {amount} with forwards.",
     "与客户讨论以远期合约对冲美元应收账款{amount}。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Chased the audited financial statements for the annual review.",
     "催收年度授信复审所需的审计报告。", "rm"),
    (Channel.EMAIL, InteractionType.SERVICE, "Issued an import letter of credit for equipment, {amount}.",
     "开立设备进口信用证，金额{amount}。", "rm"),
    (Channel.EMAIL, InteractionType.NOTIFICATION, "Loan interest payment reminder sent.",
     "已发送贷款利息还款提醒。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION,
     "Payroll batch of {amount} released in corporate banking.",
     "企业网银发放工资批量{amount}。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION, "Cross-border payment to a supplier released.",
     "向境外供应商的跨境付款已放行。", "system"),
    (Channel.MESSAGING, InteractionType.SERVICE, "Treasurer asked about the new e-CNY merchant settlement.",
     "财务主管咨询数字人民币商户结算业务。", "rm"),
    (Channel.LETTER, InteractionType.NOTIFICATION, "Bank confirmation letter for the auditors posted.",
     "审计询证函回函已寄出。", "system"),
    (Channel.PHONE, InteractionType.COMPLAINT,
     "Complained about a delayed SWIFT payment; traced and resolved.",
     "客户投诉境外汇款延迟，已查询并处理。", "rm"),
)
PROSPECT_TEMPLATES = (
    (Channel.BRANCH, InteractionType.SALES, "Walk-in enquiry about opening an account; brochure provided.",
     "到店咨询开户事宜，已提供产品资料。", "counter"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Introductory call after a referral from an existing customer.",
     "经老客户推荐，进行初次电话沟通。", "rm"),
    (Channel.EMAIL, InteractionType.SALES, "Sent the account opening checklist.",
     "已发送开户所需材料清单。", "rm"),
)
SYSTEM_BY_CHANNEL = {
    Channel.PHONE: "call-centre",
    Channel.MOBILE_APP: "mobile-banking",
    Channel.ONLINE_BANKING: "online-banking",
    Channel.EMAIL: "notification-service",
    Channel.LETTER: "statement-service",
    Channel.MESSAGING: "wechat-service",
    Channel.BRANCH: "branch-teller",
}
# (English, Chinese)
PRODUCT_MENTIONS = (
    ("Wealth Plus 180-day", "“财富增益180天”理财产品"),
    ("a 12-month fixed deposit", "12个月定期存款"),
    ("the CSI 300 Index Fund", "沪深300指数基金"),
    ("the Greater Bay Area Bond Fund", "大湾区债券基金"),
    ("the Education Savings Plan", "子女教育储蓄计划"),
)

NEED_NOTES = {
    NeedType.WEALTH_GROWTH: (
        ("Wants higher returns than deposits for surplus savings.", "希望闲置资金获得高于存款的收益。"),
        ("Planning for a child's overseas education in three years.", "计划三年后为子女出国留学准备资金。"),
    ),
    NeedType.ASSET_PRESERVATION: (
        ("Prefers capital-protected products; retiring next year.", "明年退休，偏好保本类产品。"),
        ("Concerned about inflation eroding cash savings.", "担心通胀侵蚀现金储蓄。"),
    ),
    NeedType.CONSUMER_CREDIT: (
        ("Renovating the flat; may need an instalment loan.", "装修房屋，可能需要分期贷款。"),
        ("Asked about buying a car with a loan.", "咨询贷款购车。"),
    ),
    NeedType.INVESTMENT: (
        ("Interested in QDII funds for overseas exposure.", "对QDII基金配置海外资产感兴趣。"),
        ("Wants a monthly fund investment plan.", "希望办理基金定投。"),
    ),
    NeedType.FINANCING: (
        ("Expansion of the production line needs medium-term financing.", "扩建生产线需要中期融资。"),
        ("Seasonal working capital gap before the holiday season.", "节前存在季节性流动资金缺口。"),
    ),
    NeedType.SETTLEMENT: (
        ("Needs faster supplier payments across provinces.", "需要提升跨省供应商付款效率。"),
    ),
    NeedType.CASH_MANAGEMENT: (
        ("Group wants visibility of subsidiaries' balances.", "集团希望统一查看子公司账户余额。"),
        ("Idle cash could go into a structured deposit.", "闲置资金可考虑结构性存款。"),
    ),
    NeedType.INTERNATIONAL_BUSINESS: (
        ("Growing exports to Southeast Asia; FX risk to hedge.", "对东南亚出口增长，需要对冲汇率风险。"),
        ("Opening a Hong Kong subsidiary; needs cross-border accounts.",
         "拟设立香港子公司，需要跨境账户服务。"),
    ),
}


def plan_interactions(batch: BatchPlanner, plan: Plan, since: datetime.date, status: str) -> None:
    """Add two years of interactions to `plan` (fewer for dormant, prospect and closed
    customers), written by the RM, the branch counter or a bank system, in the customer's
    language."""
    rng = batch.rng
    segment = plan.customer["segment"]
    corporate = plan.kind == CustomerKind.CORPORATE
    low, high = {
        Segment.MASS: (2, 9), Segment.VIP: (6, 16), Segment.PRIVATE: (12, 26),
        Segment.SME: (5, 14), Segment.LARGE: (10, 22), Segment.MULTINATIONAL: (14, 28),
    }[segment]
    count = rng.randint(low, high)
    latest = None
    if status == CustomerStatus.DORMANT:
        # Dormant: no contact for more than a year.
        count = rng.randint(0, 2)
        latest = batch.as_of - datetime.timedelta(days=400)
    elif status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
        count = rng.randint(1, 3)
    chinese = plan.profile.get("preferred_language", "zh-hans") != "en" and (
        not corporate or rng.random() < 0.7)
    templates = CORPORATE_TEMPLATES if corporate else RETAIL_TEMPLATES
    if status == CustomerStatus.PROSPECT:
        templates = PROSPECT_TEMPLATES
    for _ in range(count):
        channel, interaction_type, english, chinese_text, author = rng.choice(templates)
        occurred = batch.moment(since, latest)
        amount = amount_words(batch, plan, chinese)
        product_en, product_zh = rng.choice(PRODUCT_MENTIONS)
        text = (chinese_text if chinese else english).format(
            amount=amount, product=product_zh if chinese else product_en, month=occurred.month,
        )
        staff_id = None
        system = ""
        if author == "system":
            system = SYSTEM_BY_CHANNEL[channel]
        elif author == "counter" and plan.branch_code in batch.floor_staff:
            staff_id = batch.floor_staff[plan.branch_code]
        else:
            staff_id = plan.manager_id
        plan.interactions.append({
            "channel": channel, "interaction_type": interaction_type, "summary": text,
            "staff_id": staff_id, "system": system, "occurred_at": occurred,
        })


def amount_words(batch: BatchPlanner, plan: Plan, chinese: bool) -> str:
    """An amount that fits the customer's segment, in words of the summary's language."""
    if plan.kind == CustomerKind.CORPORATE:
        value = int(batch.rng.choice((5, 10, 20, 30, 50, 80, 100, 200, 500)) * 10_000)
        if plan.customer["segment"] != Segment.SME:
            value *= 10
    else:
        value = int(batch.rng.choice((1, 2, 3, 5, 8, 10, 20, 30, 50)) * 10_000)
        if plan.customer["segment"] == Segment.PRIVATE:
            value *= 20
        elif plan.customer["segment"] == Segment.VIP:
            value *= 4
    if chinese:
        return f"{value // 10_000}万元"
    return f"CNY {value:,}"


def plan_needs(batch: BatchPlanner, plan: Plan, since: datetime.date) -> None:
    """Add up to three needs from the catalogue of the customer's kind, most with a note."""
    rng = batch.rng
    if plan.customer["status"] == CustomerStatus.CLOSED:
        return
    chinese = plan.profile.get("preferred_language", "zh-hans") != "en"
    catalogue = NEEDS_BY_KIND[plan.kind]
    for need_type in rng.sample(list(catalogue), rng.choice((0, 1, 1, 1, 2, 2, 3))):
        status = rng.choices(list(NeedStatus), weights=(45, 25, 22, 8))[0]
        notes = NEED_NOTES[need_type]
        note = None
        if rng.random() < 0.7:
            english, chinese_text = rng.choice(notes)
            note = chinese_text if chinese else english
        plan.needs.append({
            "need_type": need_type, "status": status, "note": note,
            "recorded_by_id": plan.manager_id, "recorded_at": batch.moment(since),
        })
