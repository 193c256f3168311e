"""Delivery runs as pure rules: the default stop order, re-ordering, outcomes and their
repeats, the attempts rule, proof images, and local delivery's coverage and price."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import Conflict, InvalidInput, TransitionNotAllowed
from oms.domain.fulfilment.delivery_runs import (
    MAX_PROOF_BYTES,
    DeliveryRun,
    FailureReason,
    RunStatus,
    RunStop,
    StopAddress,
    StopOutcome,
    default_stop_order,
    delivered,
    failed,
    proof_from_data_url,
    proof_image,
    returns_after,
    street_key,
)
from oms.domain.fulfilment.local_delivery import LocalDeliverySettings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def _run(*shipment_ids: int, status: RunStatus = RunStatus.STARTED) -> DeliveryRun:
    stops = [RunStop(sid, seq) for seq, sid in enumerate(shipment_ids, start=1)]
    return DeliveryRun(1, 1, "PAR", date(2026, 12, 4), status, "clerk", NOW, stops)


def test_stops_go_by_postal_code_then_street_then_house_number() -> None:
    stops = [
        StopAddress(1, "75011", "30 rue Oberkampf", "SO-3"),
        StopAddress(2, "75003", "3 rue de Bretagne", "SO-9"),
        StopAddress(3, "75011", "4 rue Oberkampf", "SO-7"),
        StopAddress(4, "75 011", "4 bis rue Oberkampf", "SO-1"),
        StopAddress(5, "75011", "Avenue Parmentier 2", "SO-2"),
    ]
    assert default_stop_order(stops) == [2, 5, 3, 4, 1]


def test_a_street_line_reads_its_house_number_before_or_after_the_street() -> None:
    assert street_key("12 bis rue Oberkampf") == ("rue oberkampf", 12, "bis")
    assert street_key("Kastanienallee 12a") == ("kastanienallee", 12, "a")
    assert street_key("Place du Marché") == ("place du marché", 0, "")


@given(st.lists(st.tuples(st.sampled_from(["75001", "75011", "92100"]), st.integers(1, 99))))
def test_the_default_order_is_a_permutation_and_postal_codes_never_go_back(
    rows: list[tuple[str, int]],
) -> None:
    stops = [StopAddress(i, pc, f"{n} rue X", f"SO-{i}") for i, (pc, n) in enumerate(rows)]
    order = default_stop_order(stops)
    assert sorted(order) == list(range(len(rows)))
    codes = [rows[i][0] for i in order]
    assert codes == sorted(codes)


def test_the_dispatcher_reorders_with_a_permutation_only() -> None:
    run = _run(10, 20, 30, status=RunStatus.PLANNED)
    run.reorder([30, 10, 20])
    assert [(s.shipment_id, s.seq) for s in run.stops] == [(30, 1), (10, 2), (20, 3)]
    for wrong in ([30, 10], [30, 10, 10], [30, 10, 20, 40]):
        with pytest.raises(InvalidInput):
            run.reorder(wrong)


def test_a_run_is_planned_then_started_then_finished() -> None:
    run = _run(10, status=RunStatus.PLANNED)
    with pytest.raises(Conflict):
        run.record(10, failed("not_home", None), 1, NOW)
    run.start("van", NOW)
    with pytest.raises(TransitionNotAllowed):
        run.start("van", NOW)
    assert run.finish(NOW) == [run.stop(10)]  # not attempted
    with pytest.raises(TransitionNotAllowed):
        run.finish(NOW)


def test_an_outcome_repeated_is_no_change_and_another_is_a_conflict() -> None:
    run = _run(10, 20)
    assert run.record(10, delivered(" Ann  Smith ", None), 1, NOW)
    assert run.stop(10).recipient == "Ann Smith"
    assert not run.record(10, delivered("Ann Smith", None), 1, NOW)
    with pytest.raises(Conflict):
        run.record(10, delivered("Bob", None), 1, NOW)
    assert run.record(20, failed("refused", "no"), 2, NOW)
    assert (run.stop(20).outcome, run.stop(20).attempt) == (StopOutcome.FAILED, 2)
    assert not run.record(20, failed("refused", "no"), 2, NOW)
    with pytest.raises(Conflict):
        run.record(20, failed("not_home", None), 2, NOW)


def test_a_parcel_comes_back_at_its_last_attempt() -> None:
    assert not returns_after(1, 3) and not returns_after(2, 3)
    assert returns_after(3, 3) and returns_after(1, 1)
    with pytest.raises(ValueError):
        returns_after(1, 0)


def test_a_failure_has_a_known_reason_and_other_needs_a_note() -> None:
    assert failed("address_wrong", "  ").reason is FailureReason.ADDRESS_WRONG
    with pytest.raises(InvalidInput):
        failed("lost", None)
    with pytest.raises(InvalidInput):
        failed("other", None)
    with pytest.raises(InvalidInput):
        failed("other", "x" * 501)
    with pytest.raises(InvalidInput):
        delivered("   ", None)


def test_a_proof_is_a_png_or_jpeg_read_from_its_bytes_and_at_most_2_mb() -> None:
    assert proof_image(PNG).content_type == "image/png"
    assert proof_image(JPEG).content_type == "image/jpeg"
    for bad in (b"", b"GIF89a....", b"<svg/>", PNG + b"\x00" * MAX_PROOF_BYTES):
        with pytest.raises(InvalidInput):
            proof_image(bad)
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert proof_from_data_url(url).image == PNG
    with pytest.raises(InvalidInput):
        proof_from_data_url("data:image/png;base64," + base64.b64encode(b"GIF89a").decode())
    with pytest.raises(InvalidInput):
        proof_from_data_url("data:text/html;base64,PGgxPg==")


def _settings(**kw: object) -> LocalDeliverySettings:
    base = {
        "postal_prefixes": ("75", "92-1"),
        "base": Decimal("4.90"),
        "per_kg": Decimal("0.50"),
        "currency": "EUR",
        "transit_days": 0,
        "cut_off": time(11, 0),
        "max_attempts": 3,
    }
    return LocalDeliverySettings(**(base | kw))  # type: ignore[arg-type]


def test_local_delivery_covers_its_prefixes_in_its_own_country() -> None:
    local = _settings().for_location(1)
    assert local.postal_prefixes == frozenset({"75", "921"})
    assert local.covers("FR", "FR", "75 011") and local.covers("FR", "FR", "92100")
    assert not local.covers("FR", "FR", "92200") and not local.covers("FR", "BE", "7500")
    assert str(local.quote(2500).cost.amount) == "5.90"  # two started kg above the first
    off = _settings(postal_prefixes=()).for_location(1)
    assert not off.covers("FR", "FR", "75011")


def test_local_delivery_settings_are_checked_whole() -> None:
    with pytest.raises(InvalidInput) as refused:
        _settings(
            base=Decimal("-1"),
            currency="EUR",
            transit_days=-1,
            max_attempts=0,
            postal_prefixes=("",),
        ).for_location(1)
    fields = {e.field for e in refused.value.errors}
    assert fields == {"base", "transit_days", "max_attempts", "postal_prefixes"}
