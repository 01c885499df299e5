"""Human names for the domain's enums, translated where shown."""

from __future__ import annotations

from complaints.models import (
    AdminAction,
    ClockKind,
    DesiredOutcome,
    EntryKind,
    MessageKind,
    OfferStatus,
    Outcome,
    PayoutStatus,
    Priority,
    Role,
    SanctionStep,
    SettlementKind,
    WaitingOn,
)
from complaints.web.i18n import lazy_gettext as _l
from complaints.workflow import Action, State

STATE = {
    State.RECEIVED: _l("Received"),
    State.VERIFIED: _l("Verified"),
    State.MEDIATED: _l("In mediation"),
    State.RESOLVED: _l("Resolved"),
    State.REJECTED: _l("Rejected"),
    State.WITHDRAWN: _l("Withdrawn"),
    State.CLOSED: _l("Closed"),
}

OUTCOME = {
    Outcome.UPHELD: _l("Upheld"),
    Outcome.PARTLY_UPHELD: _l("Partly upheld"),
    Outcome.NOT_UPHELD: _l("Not upheld"),
    Outcome.SETTLED: _l("Settled in mediation"),
    Outcome.NOT_SETTLED: _l("Not settled in mediation"),
    Outcome.SETTLED_WITH_SHOP: _l("Settled with the shop"),
    Outcome.MEDIATION_WITHDRAWN: _l("Withdrawn from mediation"),
}

SETTLEMENT_KIND = {
    SettlementKind.REFUND: _l("Refund"),
    SettlementKind.REPLACEMENT: _l("Replacement"),
    SettlementKind.REPAIR: _l("Repair"),
    SettlementKind.COMPENSATION: _l("Compensation"),
}

OFFER_STATUS = {
    OfferStatus.OPEN: _l("Waiting for the consumer's answer"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.SUPERSEDED: _l("Replaced by a newer offer"),
    OfferStatus.LAPSED: _l("Lapsed: the complaint was decided first"),
}

DESIRED = {
    DesiredOutcome.REFUND: _l("Refund"),
    DesiredOutcome.RETURN: _l("Return the goods"),
    DesiredOutcome.REPLACEMENT: _l("Replacement"),
    DesiredOutcome.REPAIR: _l("Repair"),
    DesiredOutcome.COMPENSATION: _l("Compensation"),
    DesiredOutcome.APOLOGY: _l("Apology"),
    DesiredOutcome.OTHER: _l("Something else"),
}

PRIORITY = {Priority.NORMAL: _l("Normal"), Priority.HIGH: _l("High"), Priority.URGENT: _l("Urgent")}

WAITING = {WaitingOn.CONSUMER: _l("Waiting on consumer"), WaitingOn.MERCHANT: _l("Waiting on merchant")}

ROLE = {
    Role.CONSUMER: _l("Consumer"),
    Role.AGENT: _l("Agent"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.MEDIATOR: _l("Mediator"),
    Role.MERCHANT: _l("Merchant staff"),
    Role.ADMIN: _l("Administrator"),
}

MESSAGE_KIND = {
    MessageKind.PUBLIC: _l("Reply"),
    MessageKind.INTERNAL: _l("Internal note"),
    MessageKind.MERCHANT: _l("Merchant's answer"),
    MessageKind.MERCHANT_QUESTION: _l("Question to the shop"),
}

# Timeline entries, by event action.
EVENT = {
    "filed": _l("Complaint filed"),
    Action.VERIFY: _l("Complaint verified"),
    Action.REJECT: _l("Complaint rejected"),
    Action.WITHDRAW: _l("Withdrawn by the consumer"),
    Action.RESOLVE: _l("Resolved"),
    Action.ESCALATE: _l("Referred to mediation"),
    Action.RECORD_OUTCOME: _l("Mediation outcome recorded"),
    Action.CONFIRM: _l("Outcome confirmed"),
    Action.DISPUTE: _l("Outcome disputed; referred to mediation"),
    Action.APPEAL: _l("Rejection appealed"),
    Action.CLOSE: _l("Closed"),
    Action.MARK_DUPLICATE: _l("Closed as a duplicate"),
    Action.CLAIM: _l("Taken by an agent"),
    Action.ASSIGN: _l("Assigned"),
    Action.REPLY: _l("Message"),
    Action.NOTE: _l("Internal note"),
    Action.REQUEST_INFO: _l("Information requested"),
    Action.MERCHANT_ANSWER: _l("Merchant's answer recorded"),
    Action.ADD_EVIDENCE: _l("Evidence added"),
    Action.RECORD_SESSION: _l("Mediation session held"),
    Action.RECLASSIFY: _l("Category or amount corrected"),
    Action.PROPOSE_SETTLEMENT: _l("The shop offered a settlement"),
    Action.ACCEPT_SETTLEMENT: _l("The consumer accepted the shop's offer"),
    Action.DECLINE_SETTLEMENT: _l("The consumer declined the shop's offer"),
    Action.ACCEPT_AGREEMENT: _l("Mediation agreement accepted"),
    Action.CONFIRM_PAYMENT: _l("Payment under the agreement confirmed"),
    Action.CONFIRM_RECEIPT: _l("The consumer answered on receiving it"),
    Action.MARK_UNPAID: _l("Agreement unpaid after its deadline"),
    Action.DECLINE_AGREEMENT: _l("Mediation agreement declined"),
    Action.CONSENT_REFERRAL: _l("Consented to mediation"),
    Action.DECLINE_REFERRAL: _l("Mediation declined"),
    Action.ACCEPT_REFERRAL: _l("Mediation accepted by the organisation"),
    Action.RETURN_REFERRAL: _l("Returned by the mediation organisation"),
    Action.SCHEDULE_SESSION: _l("Mediation session scheduled"),
    Action.ASK_PARTY: _l("The mediator asked for information"),
    "clock_started": _l("Pledged time started"),
    "clock_paused": _l("Pledged time paused"),
    "clock_resumed": _l("Pledged time resumed"),
    "clock_stopped": _l("Pledged time stopped"),
    "clock_retargeted": _l("Pledged time recalculated under a new policy"),
    "sla_warning": _l("Pledged time about to run out"),
    "sla_breach": _l("Pledged time ran out"),
    "deposit_payout_requested": _l("Payout from the shop's guarantee deposit proposed"),
    "deposit_payout_consented": _l("The consumer consented to the payout"),
    "deposit_payout_approved": _l("Payout approved by a supervisor"),
    "deposit_payout_paid": _l("Paid from the shop's guarantee deposit"),
    "deposit_payout_refused": _l("Payout refused"),
    "deposit_payout_cancelled": _l("Payout cancelled"),
}

# Why a mediation did not settle (models/agreement.py).
NOT_SETTLED = {
    "party_refused": _l("A party refused"),
    "unreachable": _l("A party could not be reached"),
    "no_agreement": _l("The parties could not agree"),
    "time_ran_out": _l("The time for mediation ran out"),
}

DEPOSIT_ENTRY = {
    EntryKind.TOP_UP: _l("Top-up"),
    EntryKind.PAYOUT: _l("Payout to a consumer"),
    EntryKind.ADJUSTMENT: _l("Adjustment"),
}

PAYOUT_STATUS = {
    PayoutStatus.REQUESTED: _l("Waiting for the consumer's consent"),
    PayoutStatus.CONSENTED: _l("Waiting for a supervisor's approval"),
    PayoutStatus.APPROVED: _l("Approved, waiting to be paid"),
    PayoutStatus.PAID: _l("Paid"),
    PayoutStatus.REFUSED: _l("Refused"),
    PayoutStatus.CANCELLED: _l("Cancelled"),
}

# A referral to mediation as its parties read it (services/referrals.ReferralState.status).
REFERRAL_STATUS = {
    "awaiting_consent": _l("Waiting for both parties' consent"),
    "awaiting_consumer": _l("Waiting for the consumer's consent"),
    "awaiting_shop": _l("Waiting for the shop's consent"),
    "awaiting_organisation": _l("Both parties consented; waiting for the organisation to accept"),
    "accepted": _l("Accepted: mediation is underway"),
    "declined": _l("Declined: the platform decides the complaint"),
    "returned": _l("Returned by the organisation: the platform decides the complaint"),
    "lapsed": _l("Lapsed: consent did not come in time, which counts as a decline"),
}

CONSENT_ANSWER = {
    "consented": _l("Consented"),
    "declined": _l("Declined"),
    "lapsed": _l("Did not answer in time"),
}

CLOCK = {
    ClockKind.RESPONSE: _l("First response"),
    ClockKind.VERIFICATION: _l("Verification"),
    ClockKind.MERCHANT_REPLY: _l("Merchant's reply"),
    ClockKind.RESOLUTION: _l("Resolution"),
    ClockKind.MEDIATION: _l("Mediation"),
}

# The pledge's words (defined in complaints/sla/terms.py).
CLOCK_STATE = {
    "running": _l("Running"),
    "paused": _l("Paused"),
    "at_risk": _l("At risk"),
    "overdue": _l("Overdue"),
    "met": _l("Met"),
    "missed": _l("Missed"),
    "void": _l("No longer applies"),
}

# A target's unit; "hours" in a calendar with working hours are working hours.
UNIT = {"hours": _l("hours"), "working_hours": _l("working hours"), "working_days": _l("working days")}

PAUSE_REASON = {"consumer": _l("waiting on the consumer"), "merchant": _l("waiting on the merchant")}

CHANNEL = {
    "phone": _l("Phone"),
    "video": _l("Video call"),
    "in_person": _l("In person"),
    "online": _l("Online chat"),
}


# The admin audit log: what an admin did, to what, and the names of the values they changed.
AUDIT_ACTION = {
    AdminAction.USER_ACTIVATED: _l("Account activated"),
    AdminAction.USER_DEACTIVATED: _l("Account deactivated"),
    AdminAction.STAFF_CREATED: _l("Staff account created"),
    AdminAction.POLICY_CREATED: _l("Pledge policy created"),
    AdminAction.POLICY_VERSION_PUBLISHED: _l("Pledge policy version published"),
    AdminAction.POLICY_ACTIVATED: _l("Pledge policy activated"),
    AdminAction.POLICY_DEACTIVATED: _l("Pledge policy deactivated"),
    AdminAction.POLICY_RENAMED: _l("Pledge policy renamed"),
    AdminAction.CALENDAR_UPDATED: _l("Calendar changed"),
    AdminAction.CALENDAR_DAY_ADDED: _l("Calendar date listed"),
    AdminAction.CALENDAR_DAY_REMOVED: _l("Calendar date no longer listed"),
    AdminAction.MERCHANT_CREATED: _l("Shop added"),
    AdminAction.MERCHANT_UPDATED: _l("Shop changed"),
    AdminAction.MERCHANT_INVITED: _l("Shop staff invited"),
    AdminAction.MERCHANT_INVITATION_REVOKED: _l("Shop staff invitation revoked"),
    AdminAction.MERCHANT_INVITATION_ACCEPTED: _l("Shop staff invitation accepted"),
    AdminAction.CATEGORY_CREATED: _l("Category added"),
    AdminAction.CATEGORY_UPDATED: _l("Category changed"),
    AdminAction.ORGANISATION_CREATED: _l("Mediation organisation added"),
    AdminAction.ORGANISATION_UPDATED: _l("Mediation organisation changed"),
    AdminAction.API_CLIENT_CREATED: _l("API client added"),
    AdminAction.API_TOKEN_ISSUED: _l("API token issued"),
    AdminAction.API_TOKEN_REVOKED: _l("API token revoked"),
    AdminAction.WEBHOOK_ADDED: _l("Webhook endpoint added"),
    AdminAction.WEBHOOK_ACTIVATED: _l("Webhook endpoint turned on"),
    AdminAction.WEBHOOK_DEACTIVATED: _l("Webhook endpoint turned off"),
    AdminAction.WEBHOOK_SECRET_ROTATED: _l("Webhook signing secret replaced"),
    AdminAction.WEBHOOK_REPLAYED: _l("Webhook delivery sent again"),
}

AUDIT_SUBJECT = {
    "user": _l("Account"),
    "policy": _l("Pledge policy"),
    "calendar": _l("Calendar"),
    "merchant": _l("Shop"),
    "category": _l("Category"),
    "organisation": _l("Mediation organisation"),
    "api_client": _l("API client"),
    "webhook": _l("Webhook endpoint"),
}

AUDIT_FIELD = {
    "name": _l("Name"),
    "email": _l("Email"),
    "role": _l("Role"),
    "active": _l("Active"),
    "shop_code": _l("Shop code"),
    "contact_email": _l("Contact email"),
    "code": _l("Code"),
    "name_zh": _l("Name in Chinese"),
    "name_en": _l("Name in English"),
    "organisation": _l("Mediation organisation"),
    "timezone": _l("Time zone"),
    "count_receipt_day": _l("Count the day a complaint arrives"),
    "hours_0": _l("Monday"),
    "hours_1": _l("Tuesday"),
    "hours_2": _l("Wednesday"),
    "hours_3": _l("Thursday"),
    "hours_4": _l("Friday"),
    "hours_5": _l("Saturday"),
    "hours_6": _l("Sunday"),
}


def label(mapping: dict, key) -> str:
    """The label of `key` in `mapping`, or the key itself if it has none."""
    if key is None:
        return ""
    return str(mapping.get(key, key))


# Measures against a shop below the line (models/sanction.py), mildest first.
MEASURES = {
    SanctionStep.WARNING: _l("Formal warning"),
    SanctionStep.INTERVIEW: _l("Interview"),
    SanctionStep.TRAFFIC_LIMIT: _l("Traffic limited"),
    SanctionStep.REMOVAL: _l("Removed from the marketplace"),
    SanctionStep.BAN: _l("Banned for good, regulator told"),
}
MEASURE_STATUS = {
    "proposed": _l("Proposed"),
    "in_force": _l("In force"),
    "dismissed": _l("Dismissed"),
    "lifted": _l("Lifted"),
}
SHOP_EVENTS = {
    "sanction_proposed": _l("Measure proposed for a grade below the line"),
    "sanction_approved": _l("Measure approved"),
    "sanction_changed": _l("Measure approved, changed from the proposal"),
    "sanction_dismissed": _l("Proposal dismissed"),
    "sanction_lifted": _l("Measure lifted"),
    "interview_recorded": _l("Interview recorded"),
}

# The webhook event types (services/webhooks.EVENT_TYPES), in words.
WEBHOOK_EVENT = {
    "complaint.filed": _l("A complaint is filed"),
    "complaint.state_changed": _l("A complaint's state changes"),
    "message.public": _l("A public message is posted"),
    "clock.warning": _l("A pledged window reaches its warning point"),
    "clock.breached": _l("A pledged window is missed"),
    "settlement.offered": _l("The shop offers a settlement"),
    "mediation.outcome": _l("A mediation's outcome is recorded"),
}

DELIVERY_STATUS = {
    "pending": _l("Waiting to be sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Given up"),
}
