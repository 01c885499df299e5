"""The models, one module per aggregate. Import them from here."""

from complaints.models.admin_audit import AUDIT_SUBJECTS, AdminAction, AdminAuditEntry
from complaints.models.agreement import Agreement, AgreementStatus, NotSettledReason, Payer
from complaints.models.api_client import ApiClient, ApiToken, IdempotencyKey
from complaints.models.complaint import (
    AGENT_OUTCOMES,
    CONCLUDED_MEDIATION_OUTCOMES,
    MEDIATION_OUTCOMES,
    Complaint,
    DesiredOutcome,
    Outcome,
    Priority,
    ReferenceCounter,
    WaitingOn,
)
from complaints.models.deposit import (
    OPEN_PAYOUT_STATUSES,
    DepositAccount,
    DepositEntry,
    EntryKind,
    PayoutRequest,
    PayoutStatus,
)
from complaints.models.desk_tools import CannedReply, SavedFilter
from complaints.models.event import GENESIS_HASH, Event
from complaints.models.mediation import MediationOrganisation, MediationSession
from complaints.models.merchant import Category, Merchant, MerchantInvitation
from complaints.models.message import Attachment, Message, MessageKind
from complaints.models.pending_upload import PendingUpload
from complaints.models.referral import (
    OPEN_REFERRAL_STATUSES,
    ConsentAnswer,
    ConsentParty,
    Referral,
    ReferralConsent,
    ReferralStatus,
)
from complaints.models.reputation import ShopOrderVolume, ShopReputation
from complaints.models.sanction import LADDER, Sanction, SanctionStatus, SanctionStep, ShopEvent
from complaints.models.service_report import ServiceReport
from complaints.models.settlement import PAYING_KINDS, OfferStatus, SettlementKind, SettlementOffer
from complaints.models.sla import (
    BreachAction,
    CalendarDay,
    ClockKind,
    ClockResult,
    Notification,
    NotificationKind,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
    TargetUnit,
    WorkCalendar,
)
from complaints.models.user import EmailFrequency, Role, User
from complaints.models.webhook import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ApiClient",
    "ApiToken",
    "IdempotencyKey",
    "OPEN_REFERRAL_STATUSES",
    "ConsentAnswer",
    "ConsentParty",
    "Referral",
    "LADDER",
    "Sanction",
    "DeliveryStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "ServiceReport",
    "SanctionStatus",
    "SanctionStep",
    "ShopEvent",
    "ShopOrderVolume",
    "ShopReputation",
    "ReferralConsent",
    "ReferralStatus",
    "Agreement",
    "AgreementStatus",
    "NotSettledReason",
    "Payer",
    "AUDIT_SUBJECTS",
    "AdminAction",
    "AdminAuditEntry",
    "BreachAction",
    "CannedReply",
    "DepositAccount",
    "DepositEntry",
    "EntryKind",
    "OPEN_PAYOUT_STATUSES",
    "PayoutRequest",
    "PayoutStatus",
    "CalendarDay",
    "ClockKind",
    "ClockResult",
    "Notification",
    "NotificationKind",
    "SlaClock",
    "SlaPolicy",
    "SlaPolicyVersion",
    "SlaTarget",
    "TargetUnit",
    "WorkCalendar",
    "AGENT_OUTCOMES",
    "GENESIS_HASH",
    "CONCLUDED_MEDIATION_OUTCOMES",
    "MEDIATION_OUTCOMES",
    "Attachment",
    "Category",
    "Complaint",
    "DesiredOutcome",
    "Event",
    "MediationOrganisation",
    "MediationSession",
    "Merchant",
    "MerchantInvitation",
    "OfferStatus",
    "PAYING_KINDS",
    "SettlementKind",
    "SavedFilter",
    "SettlementOffer",
    "EmailFrequency",
    "Message",
    "MessageKind",
    "Outcome",
    "PendingUpload",
    "Priority",
    "ReferenceCounter",
    "Role",
    "User",
    "WaitingOn",
]
