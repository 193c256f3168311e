"""The local delivery part of a location's page: where its own drivers go, the price, the
transit days, the cut-off and the attempts, as an admin types them."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Permission
from oms.domain.catalogue.model import Location
from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.local_delivery import LocalDelivery, LocalDeliverySettings
from oms.services import local_delivery
from oms.web import forms
from oms.web.problems import Problem
from oms.web.shell import Page

Typed = Annotated[str, Field(max_length=2048)]
DEFAULT_CUT_OFF = time(11, 0)


class LocalDeliveryForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    postal_prefixes: Typed = ""
    base: Typed = ""
    per_kg: Typed = ""
    currency: Typed = "EUR"
    transit_days: Typed = "0"
    cut_off: Typed = "11:00"
    max_attempts: Typed = "3"

    @classmethod
    def of(cls, found: LocalDelivery | None) -> LocalDeliveryForm:
        if found is None:
            return cls(base="0.00", per_kg="0.00")
        return cls(
            postal_prefixes=" ".join(sorted(found.postal_prefixes)),
            base=str(found.base.amount),
            per_kg=str(found.per_kg.amount),
            currency=found.base.currency,
            transit_days=str(found.transit_days),
            cut_off=found.cut_off.strftime("%H:%M"),
            max_attempts=str(found.max_attempts),
        )

    def parsed(self) -> LocalDeliverySettings:
        errors = FieldErrors()
        base = forms.amount(self.base, "base", errors)
        per_kg = forms.amount(self.per_kg, "per_kg", errors)
        days = forms.integer(self.transit_days, "transit_days", errors)
        attempts = forms.integer(self.max_attempts, "max_attempts", errors)
        cut_off = forms.clock_time(self.cut_off, "cut_off", errors)
        errors.raise_if_any()
        assert base is not None and per_kg is not None
        return LocalDeliverySettings(
            tuple(self.postal_prefixes.replace(",", " ").split()),
            base,
            per_kg,
            self.currency.strip().upper(),
            days or 0,
            cut_off or DEFAULT_CUT_OFF,
            attempts if attempts is not None else 3,
        )


def section(
    page: Page, location: Location, attempt: tuple[LocalDeliveryForm, Problem] | None = None
) -> dict[str, Any]:
    """What the location page shows of local delivery, and the form (admins)."""
    found = local_delivery.get_local_delivery(page.uow, page.actor, location.code)
    return {
        "local": found,
        "local_form": attempt[0] if attempt else LocalDeliveryForm.of(found),
        "local_problem": attempt[1] if attempt else None,
        "may_set_local": page.actor.may(Permission.LOCATION_WRITE),
    }
