"""Locations: the list with their settings, create one, and change its name, kind, whether
it ships, its priority, time zone, cut-off, working days and default bin.

Every role that reads the catalogue sees them; only one that may write locations gets the
forms, and a forged POST is refused by the service (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Permission
from oms.domain.catalogue.model import (
    Location,
    LocationChange,
    LocationKind,
    LocationSettings,
    NewLocation,
)
from oms.domain.errors import Conflict, FieldErrors, InvalidInput
from oms.services import catalogue, local_delivery
from oms.web import forms, local_delivery_form
from oms.web.local_delivery_form import LocalDeliveryForm
from oms.web.problems import Problem, problem_of
from oms.web.shell import Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Typed = Annotated[str, Field(max_length=1024)]


class LocationForm(BaseModel):
    """A location form as typed, shown back unchanged after a refusal. Code, country and
    postal code are only in the form that creates a location."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    code: Typed = ""
    name: Typed = ""
    kind: Typed = LocationKind.WAREHOUSE.value
    country: Typed = ""
    postal_code: Typed = ""
    ships: Typed = ""  # "1" when the box is ticked
    priority: Typed = ""
    time_zone: Typed = ""
    cut_off: Typed = ""
    working_days: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(max_length=7)] = []
    default_bin: Typed = ""

    @classmethod
    def of(cls, loc: Location) -> LocationForm:
        return cls(
            code=loc.code, name=loc.name, kind=loc.kind.value, country=loc.country,
            postal_code=loc.postal_code, ships="1" if loc.ships else "",
            priority=str(loc.priority), time_zone=loc.time_zone,
            cut_off=loc.cut_off.strftime("%H:%M"), working_days=sorted(loc.working_days),
            default_bin=loc.default_bin,
        )  # fmt: skip

    def parsed(self) -> tuple[LocationSettings, int | None, LocationKind]:
        """The settings, priority and kind typed; FieldErrors for what does not parse."""
        errors = FieldErrors()
        cut_off = forms.clock_time(self.cut_off, "cut_off", errors)
        priority = forms.integer(self.priority, "priority", errors)
        if self.kind not in {k.value for k in LocationKind}:
            errors.add("kind", "warehouse, store or distribution centre")
        errors.raise_if_any()
        settings = LocationSettings(
            forms.optional(self.time_zone),
            cut_off,
            frozenset(self.working_days),
            forms.optional(self.default_bin),
        )
        return settings, priority, LocationKind(self.kind)


LocationFormDep = Annotated[LocationForm, Form()]
NEW = LocationForm(ships="1", priority="0", working_days=[0, 1, 2, 3, 4])


def _list(page: Page, new: tuple[LocationForm, Problem] | None = None) -> Response:
    return page.render(
        "locations/list.html",
        new[1].status if new else 200,
        locations=catalogue.list_locations(page.uow, page.actor),
        may_write=page.actor.may(Permission.LOCATION_WRITE),
        form=new[0] if new else NEW,
        problem=new[1] if new else None,
        kinds=list(LocationKind),
        weekdays=WEEKDAYS,
    )


@router.get("/locations")
def location_list(page: PageDep) -> Response:
    return _list(page)


@router.post("/locations")
def create_location(page: PageDep, typed: LocationFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.LOCATION_WRITE)  # refuse before reading the form
        settings, number, kind = typed.parsed()
        new = NewLocation(
            typed.code.strip(), typed.name.strip(), kind, typed.country.strip().upper(),
            typed.postal_code.strip(), typed.ships == "1", number or 0, settings,
        )  # fmt: skip
        location = catalogue.create_location(page.uow, page.actor, new)
    except (InvalidInput, Conflict) as error:
        return _list(page, (typed, problem_of(error)))
    return page.redirect(f"/locations/{location.code}", f"Location {location.code} created.")


def _detail(
    page: Page,
    code: str,
    edit: tuple[LocationForm, Problem] | None = None,
    local: tuple[LocalDeliveryForm, Problem] | None = None,
) -> Response:
    location = catalogue.get_location(page.uow, page.actor, code)
    failed = edit or local
    return page.render(
        "locations/detail.html",
        failed[1].status if failed else 200,
        location=location,
        form=edit[0] if edit else LocationForm.of(location),
        problem=edit[1] if edit else None,
        may_write=page.actor.may(Permission.LOCATION_WRITE),
        kinds=list(LocationKind),
        weekdays=WEEKDAYS,
        **local_delivery_form.section(page, location, local),
    )


@router.get("/locations/{code}")
def location_page(page: PageDep, code: str) -> Response:
    return _detail(page, code)


@router.post("/locations/{code}")
def edit_location(page: PageDep, code: str, typed: LocationFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.LOCATION_WRITE)  # refuse before reading the form
        settings, number, kind = typed.parsed()
        change = LocationChange(settings, number, typed.ships == "1", typed.name, kind)
        catalogue.update_location(page.uow, page.actor, code, change)
    except InvalidInput as error:
        return _detail(page, code, (typed, problem_of(error)))
    return page.redirect(f"/locations/{code}", f"Location {code} saved.")


@router.post("/locations/{code}/local-delivery")
def set_local_delivery(
    page: PageDep, code: str, typed: Annotated[LocalDeliveryForm, Form()]
) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.LOCATION_WRITE)
        local_delivery.set_local_delivery(page.uow, page.actor, code, typed.parsed())
    except InvalidInput as error:
        return _detail(page, code, local=(typed, problem_of(error)))
    return page.redirect(f"/locations/{code}", f"Local delivery of {code} saved.")
