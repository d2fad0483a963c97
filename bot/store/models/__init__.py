"""The store's typed models, one module per topic."""

from bot.store.models.agents import Agent, AgentRole
from bot.store.models.base import Base
from bot.store.models.catalogue import Boutique, Collection, Gender, Product, ProductCategory
from bot.store.models.channels import (
    ChannelCursor,
    DeliveryStatus,
    InboundEvent,
    InboundEventStatus,
    OutboxMessage,
)
from bot.store.models.contacts import (
    DISPLAY_NAME_LENGTH,
    Channel,
    ChannelIdentity,
    Contact,
    Priority,
)
from bot.store.models.conversations import (
    Author,
    Conversation,
    ConversationHolder,
    Direction,
    Message,
)
from bot.store.models.handoffs import (
    Alert,
    AlertKind,
    ConversationLabel,
    ConversationProof,
    ConversationRead,
    Handoff,
    InboxPresence,
    MailStatus,
    ProofMethod,
)
from bot.store.models.inbox import AgentSession, AuditEntry, CannedResponse
from bot.store.models.jobs import ScheduledJob
from bot.store.models.outcomes import ConversationOutcome, CsatRating, OutcomeKind
from bot.store.models.limits import RateCounter
from bot.store.models.orders import (
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusEvent,
    Repair,
    RepairStatus,
    RepairStatusEvent,
)
from bot.store.models.privacy import (
    ConsentEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from bot.store.models.security import LookupGuard, VerificationCode

__all__ = [
    "Alert",
    "AlertKind",
    "ConversationLabel",
    "ConversationProof",
    "ConversationRead",
    "Handoff",
    "InboxPresence",
    "MailStatus",
    "Priority",
    "ProofMethod",
    "Agent",
    "AgentRole",
    "AgentSession",
    "AuditEntry",
    "Author",
    "Base",
    "Boutique",
    "CannedResponse",
    "Channel",
    "ChannelCursor",
    "ChannelIdentity",
    "DISPLAY_NAME_LENGTH",
    "Collection",
    "ConsentEvent",
    "Contact",
    "Conversation",
    "ConversationHolder",
    "DeliveryStatus",
    "Direction",
    "Gender",
    "InboundEvent",
    "InboundEventStatus",
    "LookupGuard",
    "Message",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderStatusEvent",
    "ConversationOutcome",
    "CsatRating",
    "OutcomeKind",
    "OutboxMessage",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "Product",
    "ProductCategory",
    "RateCounter",
    "Repair",
    "RepairStatus",
    "RepairStatusEvent",
    "ScheduledJob",
    "VerificationCode",
]
