"""The warehouse station of one location: its open shipments by stage, making a pick list
(a wave) and printing it, reporting what was picked (short picks included) or giving the
list up. Packing and shipping are in station_pack.py.

Every act is the API's service under the same permission: a form not offered to a role is
still refused (403) by the service if forged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.catalogue.model import Location
from oms.domain.errors import Conflict, FieldErrors, InvalidInput, NotFound
from oms.domain.fulfilment.model import MAX_WAVE, Picked, PickList, PickListStatus
from oms.services import documents, picking, station
from oms.services.station import StationViews
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
FormList = Annotated[list[str], Form()]
_PICKED_FIELD = re.compile(r"^picked\[(\d+)\]")


@dataclass
class Station:
    """What every station route gets: the page, the station's read models, its location."""

    page: Page
    views: StationViews
    location: Location

    @property
    def zone(self) -> str:
        return self.location.time_zone

    @property
    def may_fulfil(self) -> bool:
        return self.page.actor.may(Permission.FULFIL)

    def render(self, template: str, status: int = 200, **context: object) -> Response:
        return self.page.render(
            template, status, loc=self.location, zone=self.zone, may_fulfil=self.may_fulfil,
            **context,
        )  # fmt: skip

    def redirect(self, path: str, flash: str) -> Response:
        return self.page.redirect(f"/station/{self.location.code}{path}", flash)


def station_of(page: PageDep, location_code: str) -> Station:
    where = station.location(page.uow, page.actor, location_code)
    return Station(page, container(page.request).station_views(page.uow), where)


StationDep = Annotated[Station, Depends(station_of)]


def pdf(content: bytes, name: str) -> Response:
    """A document the browser shows (and prints) itself, as the API serves it."""
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-store"}
    return Response(content, media_type="application/pdf", headers=headers)


# -- choosing a station, the overview, waves ----------------------------------------------


@router.get("/station")
def choose_station(page: PageDep) -> Response:
    locations = station.shipping_locations(page.uow, page.actor)
    own = station.own_location(page.actor, locations)
    if own is not None:
        return page.redirect(f"/station/{own.code}")
    return page.render("station/choose.html", locations=locations)


def _overview(
    st: Station,
    problem: Problem | None = None,
    typed: str | None = None,
    ticked: Sequence[str] = (),
) -> Response:
    found = station.overview(st.page.uow, st.views, st.page.actor, st.location.code)
    lists = picking.list_pick_lists(
        st.page.uow, st.page.actor, st.location.code, PickListStatus.OPEN.value, None, 50
    )
    return st.render(
        "station/overview.html",
        problem.status if problem else 200,
        o=found,
        pick_lists=lists,
        problem=problem,
        max_orders=typed if typed is not None else str(found.wave_default),
        max_wave=MAX_WAVE,
        ticked=set(ticked),
    )


@router.get("/station/{location_code}")
def station_overview(st: StationDep) -> Response:
    return _overview(st)


@router.post("/station/{location_code}/pick-lists")
def make_wave(
    st: StationDep,
    csrf_token: FormText = "",
    max_orders: FormText = "",
    shipment: FormList = [],  # noqa: B006 - FastAPI copies a default, it is never shared
) -> Response:
    """The shipments ticked, if any (the size of the wave is then theirs); else the first
    `max_orders` orders waiting, in wave order."""
    st.page.check_csrf(csrf_token)
    try:
        chosen = [forms.whole_number(x, "shipment") for x in shipment] or None
        wave = (
            min(len(chosen), MAX_WAVE) if chosen else forms.whole_number(max_orders, "max_orders")
        )
        made = picking.create_pick_list(
            st.page.uow, st.page.actor, st.location.code, wave, shipment_ids=chosen
        )
    except (InvalidInput, Conflict) as error:
        return _overview(st, problem_of(error), max_orders, shipment)
    count = len(made.shipment_ids)
    return st.redirect(
        f"/pick-lists/{made.id}",
        f"Pick list {made.id} made: {count} shipment{'s' * (count != 1)}. Print it, then pick.",
    )


# -- a pick list: print, report what was picked, give up -------------------------------------


def _pick_list(st: Station, pick_list_id: int) -> PickList:
    found = picking.get_pick_list(st.page.uow, st.page.actor, pick_list_id)
    if found.location_id != st.location.id:
        raise NotFound(f"no pick list with id {pick_list_id} at {st.location.code}")
    return found


@dataclass(frozen=True, slots=True)
class PickAttempt:
    """A refused report or cancel: what was typed, and why, per row where it can say."""

    form: str  # "complete" or "cancel"
    problem: Problem
    typed: list[str] | None = None
    reason: str = ""

    def row_errors(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for name, message in self.problem.fields.items():
            match = _PICKED_FIELD.match(name)
            if match:
                found.setdefault(int(match.group(1)), message)
        return found


def _pick_page(st: Station, pick_list_id: int, attempt: PickAttempt | None = None) -> Response:
    pick_list = _pick_list(st, pick_list_id)
    rows = station.pick_rows(st.page.uow, st.views, st.page.actor, pick_list_id)
    return st.render(
        "station/pick.html",
        attempt.problem.status if attempt else 200,
        pl=pick_list,
        rows=rows,
        attempt=attempt,
        row_errors=attempt.row_errors() if attempt else {},
        is_open=pick_list.status is PickListStatus.OPEN,
    )


@router.get("/station/{location_code}/pick-lists/{pick_list_id}")
def pick_page(st: StationDep, pick_list_id: int) -> Response:
    return _pick_page(st, pick_list_id)


@router.get("/station/{location_code}/pick-lists/{pick_list_id}/pick-list.pdf")
def pick_list_pdf(st: StationDep, pick_list_id: int) -> Response:
    _pick_list(st, pick_list_id)
    content = documents.pick_list_pdf(st.page.uow, st.page.actor, pick_list_id)
    return pdf(content, f"pick-list-{pick_list_id}")


def _picks(lines: list[str], picked: list[str]) -> list[Picked]:
    """The report as the form sends it: per row 'shipment:SKU' and the quantity typed."""
    errors = FieldErrors()
    found = []
    for i, (line, quantity) in enumerate(zip(lines, picked, strict=False)):
        shipment_id, _, sku = line.partition(":")
        try:
            found.append(Picked(int(shipment_id), sku, int(quantity.strip())))
        except ValueError:
            errors.add(f"picked[{i}].quantity", "must be a whole number")
    if len(lines) != len(picked):
        errors.add("picked", "each line needs a quantity")
    errors.raise_if_any()
    return found


@router.post("/station/{location_code}/pick-lists/{pick_list_id}/complete")
def complete_pick(
    st: StationDep,
    pick_list_id: int,
    csrf_token: FormText = "",
    line: FormList = [],  # noqa: B006 - FastAPI copies a default, it is never shared
    picked: FormList = [],  # noqa: B006
) -> Response:
    st.page.check_csrf(csrf_token)
    _pick_list(st, pick_list_id)
    rows = station.pick_rows(st.page.uow, st.views, st.page.actor, pick_list_id)
    try:
        picks = _picks(line, picked)
        picking.complete_pick_list(st.page.uow, st.page.actor, pick_list_id, picks)
    except (InvalidInput, Conflict) as error:
        return _pick_page(st, pick_list_id, PickAttempt("complete", problem_of(error), picked))
    expected = {(r.shipment_id, r.sku): r for r in rows}
    short = [
        f"{row.expected - p.quantity} of {p.sku} for {row.order_number}"
        for p in picks
        if (row := expected.get((p.shipment_id, p.sku))) and p.quantity < row.expected
    ]
    words = f" Short: {', '.join(short)}; counted and sourced again." if short else ""
    return st.redirect("", f"Pick list {pick_list_id} completed.{words}")


@router.post("/station/{location_code}/pick-lists/{pick_list_id}/cancel")
def cancel_pick(
    st: StationDep, pick_list_id: int, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    st.page.check_csrf(csrf_token)
    _pick_list(st, pick_list_id)
    try:
        picking.cancel_pick_list(st.page.uow, st.page.actor, pick_list_id, reason)
    except (InvalidInput, Conflict) as error:
        return _pick_page(st, pick_list_id, PickAttempt("cancel", problem_of(error), reason=reason))
    return st.redirect(
        "", f"Pick list {pick_list_id} given up: its shipments wait for the next wave."
    )
