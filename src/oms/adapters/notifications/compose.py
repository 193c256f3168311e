"""The customer's e-mails, written from Jinja2 templates: a plain-text and an HTML part, in
the order's language (English and French; others fall back to the shop's default), with
the shop's name and the link to the order's tracking page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from oms.domain.notifications.topics import EMAIL_TOPICS, Topic
from oms.domain.orders.model import Order
from oms.services.ports.notifications import EmailMessage, OutboxEvent

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "fr")

SUBJECTS: Mapping[str, Mapping[Topic, str]] = {
    "en": {
        Topic.ORDER_CONFIRMED: "Your order {number} is confirmed",
        Topic.SHIPMENT_SHIPPED: "Your order {number} is on its way",
        Topic.SHIPMENT_OUT_FOR_DELIVERY: "Your order {number} arrives today",
        Topic.SHIPMENT_DELIVERED: "Your order {number} was delivered",
        Topic.SHIPMENT_LATE: "Your order {number} is late",
        Topic.SHIPMENT_DELIVERY_FAILED: "We could not deliver your order {number}",
        Topic.SHIPMENT_LOST: "A parcel of your order {number} was lost",
        Topic.RETURN_APPROVED: "Your return {return_number} is approved",
        Topic.REFUND_ISSUED: "Your refund for order {number}",
    },
    "fr": {
        Topic.ORDER_CONFIRMED: "Votre commande {number} est confirmée",
        Topic.SHIPMENT_SHIPPED: "Votre commande {number} est en route",
        Topic.SHIPMENT_OUT_FOR_DELIVERY: "Votre commande {number} arrive aujourd'hui",
        Topic.SHIPMENT_DELIVERED: "Votre commande {number} a été livrée",
        Topic.SHIPMENT_LATE: "Votre commande {number} a du retard",
        Topic.SHIPMENT_DELIVERY_FAILED: "Nous n'avons pas pu livrer votre commande {number}",
        Topic.SHIPMENT_LOST: "Un colis de votre commande {number} a été perdu",
        Topic.RETURN_APPROVED: "Votre retour {return_number} est accepté",
        Topic.REFUND_ISSUED: "Votre remboursement pour la commande {number}",
    },
}


def language_of(tag: str | None, default: str) -> str:
    """The template language for a BCP 47 tag: its primary subtag when oms has it."""
    primary = (tag or "").split("-")[0].lower()
    return primary if primary in LANGUAGES else default


class TemplateComposer:
    def __init__(self, shop_name: str, public_url: str, default_language: str = "en") -> None:
        if default_language not in LANGUAGES:
            raise ValueError(f"the default language is one of {', '.join(LANGUAGES)}")
        self.shop_name = shop_name
        self.public_url = public_url.rstrip("/")
        self.default_language = default_language
        self.text = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self.html = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )

    def email(self, event: OutboxEvent, order: Order, message_id: str) -> EmailMessage | None:
        topic = Topic(event.topic)
        if topic not in EMAIL_TOPICS:
            return None
        lang = language_of(order.customer.language, self.default_language)
        context = self._context(event, order, lang)
        subject = SUBJECTS[lang][topic].format(**context)
        name = topic.value
        return EmailMessage(
            message_id=message_id,
            to=order.customer.email,
            subject=subject,
            text=self.text.get_template(f"{lang}/{name}.txt").render(context, subject=subject),
            html=self.html.get_template(f"{lang}/{name}.html").render(context, subject=subject),
            language=lang,
        )

    def _context(self, event: OutboxEvent, order: Order, lang: str) -> dict[str, Any]:
        data = dict(event.data)
        return {
            "shop": self.shop_name,
            "number": order.number,
            "customer": order.customer.name,
            "tracking_url": f"{self.public_url}/track/{order.tracking_token}",
            "carrier": data.get("carrier"),
            "tracking_number": data.get("tracking_number"),
            "promised": data.get("promised_delivery_date"),
            "return_number": data.get("number") if event.topic.startswith("return.") else None,
            "amount": data.get("amount"),
            "currency": order.currency,
            "lang": lang,
            "data": data,
        }
