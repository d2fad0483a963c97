"""The store's typed models, one module per topic."""

from bot.store.models.agents import Agent, AgentRole
from bot.store.models.base import Base
from bot.store.models.catalogue import Boutique, Collection, Gender, Product, ProductCategory
from bot.store.models.contacts import Channel, ChannelIdentity, Contact
from bot.store.models.conversations import (
    Author,
    Conversation,
    ConversationHolder,
    Direction,
    Message,
)
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

__all__ = [
    "Agent",
    "AgentRole",
    "Author",
    "Base",
    "Boutique",
    "Channel",
    "ChannelIdentity",
    "Collection",
    "ConsentEvent",
    "Contact",
    "Conversation",
    "ConversationHolder",
    "Direction",
    "Gender",
    "Message",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderStatusEvent",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "Product",
    "ProductCategory",
    "Repair",
    "RepairStatus",
    "RepairStatusEvent",
]
