"""What the assistant tells a verified customer about an order or a repair.

Kept apart from the lookups so the wording can be read and tested on its own. Only ever
used on private channels: the actions refuse to reveal order details in public.
"""

from __future__ import annotations

from datetime import date

from bot.store.models import Order, OrderStatus, Repair, RepairStatus


def _day(value: date) -> str:
    return f"{value:%A %B} {value.day}, {value.year}"


def _usd(amount: int) -> str:
    return f"${amount:,}"


ORDER_NEXT_STEP = {
    OrderStatus.RECEIVED: "Our team will confirm it and begin preparing it shortly.",
    OrderStatus.PREPARING: "It will ship soon; the tracking details will follow by e-mail.",
    OrderStatus.SHIPPED: "You can follow it with the tracking number on the carrier's website.",
    OrderStatus.DELIVERED: "For any question about your piece, the concierge is here for you.",
    OrderStatus.READY_FOR_COLLECTION: "Please bring a photo ID when you collect it.",
    OrderStatus.CANCELLED: "For any question about this cancellation or a refund, the "
    "concierge will be glad to help.",
    OrderStatus.RETURNED: "For any question about the return or its refund, the concierge "
    "will be glad to help.",
}

ORDER_STATUS_WORDS = {
    OrderStatus.RECEIVED: "received",
    OrderStatus.PREPARING: "being prepared",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.READY_FOR_COLLECTION: "ready for collection",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.RETURNED: "returned",
}


def describe_order(order: Order) -> str:
    items = ", ".join(
        f"{item.product.name}" + (f" (x{item.quantity})" if item.quantity > 1 else "")
        for item in order.items
    )
    lines = [
        f"Order {order.number}, placed on {_day(order.placed_at.date())}: "
        f"{ORDER_STATUS_WORDS[order.status]}.",
        f"Items: {items}.",
    ]
    changed = order.history[-1].at.date() if order.history else None
    if order.status is OrderStatus.SHIPPED:
        if changed:
            lines.append(
                f"Shipped on {_day(changed)} with {order.carrier}, "
                f"tracking number {order.tracking_number}."
            )
        if order.estimated_delivery:
            lines.append(f"Estimated delivery: {_day(order.estimated_delivery)}.")
    elif order.status is OrderStatus.DELIVERED and changed:
        lines.append(
            f"Delivered on {_day(changed)} by {order.carrier} "
            f"(tracking number {order.tracking_number})."
        )
    elif order.status is OrderStatus.READY_FOR_COLLECTION and order.collection_boutique:
        boutique = order.collection_boutique
        lines.append(
            f"It awaits you at {boutique.name}, {boutique.address_line}, "
            f"{boutique.city} ({boutique.phone})."
        )
    elif order.status in (OrderStatus.RECEIVED, OrderStatus.PREPARING) and order.estimated_delivery:
        lines.append(f"Estimated delivery: {_day(order.estimated_delivery)}.")
    lines.append(ORDER_NEXT_STEP[order.status])
    return "\n".join(lines)


def order_summary_line(order: Order) -> str:
    return f"{order.number} ({_day(order.placed_at.date())}): {ORDER_STATUS_WORDS[order.status]}"


REPAIR_STATUS_WORDS = {
    RepairStatus.RECEIVED: "received by our workshop",
    RepairStatus.AWAITING_ESTIMATE_APPROVAL: "awaiting your approval of the estimate",
    RepairStatus.IN_PROGRESS: "in progress in our workshop",
    RepairStatus.QUALITY_CONTROL: "in final quality control",
    RepairStatus.READY_FOR_COLLECTION: "ready for collection",
    RepairStatus.COLLECTED: "collected",
    RepairStatus.DECLINED: "closed without repair (estimate declined)",
}


def describe_repair(repair: Repair) -> str:
    boutique = repair.boutique
    lines = [
        f"Repair {repair.number}: {repair.item_description}, {repair.service}.",
        f"Status: {REPAIR_STATUS_WORDS[repair.status]}.",
    ]
    if repair.status is RepairStatus.AWAITING_ESTIMATE_APPROVAL and repair.estimate_usd:
        lines.append(
            f"The estimate is {_usd(repair.estimate_usd)}. To go ahead, please approve it "
            f"with {boutique.name} ({boutique.phone}) or the concierge; work starts once "
            "it is approved."
        )
    if repair.estimated_completion and repair.status in (
        RepairStatus.RECEIVED,
        RepairStatus.AWAITING_ESTIMATE_APPROVAL,
        RepairStatus.IN_PROGRESS,
        RepairStatus.QUALITY_CONTROL,
    ):
        lines.append(f"Estimated completion: {_day(repair.estimated_completion)}.")
    if repair.status is RepairStatus.READY_FOR_COLLECTION:
        lines.append(
            f"Please collect it at {boutique.name}, {boutique.address_line}, {boutique.city}, "
            f"with your repair receipt and a photo ID ({boutique.phone})."
        )
    elif repair.status is RepairStatus.DECLINED:
        lines.append(
            f"Your piece is waiting to be collected at {boutique.name} "
            f"({boutique.phone}), unchanged."
        )
    elif repair.status in (
        RepairStatus.RECEIVED,
        RepairStatus.IN_PROGRESS,
        RepairStatus.QUALITY_CONTROL,
    ):
        lines.append("Nothing is needed from you for now; we will let you know when it is ready.")
    return "\n".join(lines)


def repair_summary_line(repair: Repair) -> str:
    return f"{repair.number}: {repair.item_description} — {REPAIR_STATUS_WORDS[repair.status]}"
