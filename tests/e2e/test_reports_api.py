"""The reports over HTTP and the command line: `GET /reports/stage-times` (JSON and CSV;
200, 401, 403, 422), `oms import olist` and `oms report stage-times`, on made-up Olist files;
and the real Olist folder when it is there (skipped when it is not)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import users
from oms.services.reports import StageQuery, stage_times
from tests.e2e.test_login import PASSWORD
from tests.e2e.test_return_policy_pages import as_role
from tests.fakes import FakePasswords
from tests.service.test_insight import folder, run_import

__all__ = ["folder"]
ClientFor = Callable[[str | None], TestClient]
URL = "/api/v1/reports/stage-times"
OLIST = Path(__file__).parents[3] / "shared" / "data" / "olist-brazilian-ecommerce"
runner = CliRunner()


def test_an_analyst_reads_the_stage_times(
    container: Container, folder: Path, client_for: ClientFor
) -> None:
    run_import(container, folder)
    answer = client_for("analyst").get(URL, params={"from": "2017-06-01", "to": "2017-06-30"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [s["stage"] for s in body["stages"]] == [
        "placed_to_confirmed",
        "confirmed_to_shipped",
        "shipped_to_delivered",
        "placed_to_delivered",
    ]
    first = body["stages"][0]
    assert set(first) >= {"stage", "count", "mean_hours", "p50_hours", "p90_hours"}
    assert (first["count"], first["p50_hours"], first["mean_hours"]) == (3, 1.0, 16.667)
    assert body["bottleneck"] == "shipped_to_delivered"
    assert body["late_delivery_rate"] == pytest.approx(1 / 3)
    assert body["on_time_ship_rate"] == pytest.approx(2 / 3)
    # a1 is late (1, 46, 174, 221 h); a2 (1, 12, 36, 49) and a5 (48, -24, 72, 96) on time
    split = [(x["stage"], x["late_orders"], x["late_mean_hours"], x["on_time_orders"],
              x["on_time_mean_hours"], x["extra_hours"]) for x in body["late_split"]]  # fmt: skip
    assert split == [
        ("placed_to_confirmed", 1, 1.0, 2, 24.5, -23.5),
        ("confirmed_to_shipped", 1, 46.0, 2, -6.0, 52.0),
        ("shipped_to_delivered", 1, 174.0, 2, 54.0, 120.0),
        ("placed_to_delivered", 1, 221.0, 2, 72.5, 148.5),
    ]
    assert body["late_bottleneck"] == "shipped_to_delivered"
    by_location = client_for("admin").get(URL, params={"group_by": "location"}).json()
    assert [(g["key"], g["orders"]) for g in by_location["groups"]] == [("OLIST", 3)]


def test_the_stage_table_as_csv(container: Container, folder: Path, client_for: ClientFor) -> None:
    run_import(container, folder)
    answer = client_for("analyst").get(URL, params={"format": "csv", "location": "OLIST"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    lines = answer.text.splitlines()
    assert lines[0] == "group,stage,count,mean_hours,p50_hours,p90_hours,p99_hours,negative"
    assert lines[3] == ",shipped_to_delivered,3,94.0,72.0,153.6,171.96,0"  # p99: 72 + 0.98 * 102


def test_no_token_is_401_and_a_role_without_report_read_is_403(client_for: ClientFor) -> None:
    assert client_for(None).get(URL).status_code == 401
    for role in ("sales", "warehouse", "customer_service", "carrier"):
        assert client_for(role).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2017-02-30"}, "from"),
        ({"from": "2017-06-03", "to": "2017-06-02"}, "from"),
        ({"tz": "Nowhere/City"}, "tz"),
        ({"hours": "lunar"}, "hours"),
        ({"format": "xml"}, "format"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_unsound_query_is_422(client_for: ClientFor, params: dict[str, str], field: str) -> None:
    answer = client_for("analyst").get(URL, params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in answer.json()["errors"]]


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def test_the_trend_page_and_its_csv_over_http(container: Container, folder: Path) -> None:
    """June 2017 of the made-up Olist history: a1 and a2 placed in week 22, a5 in week 22
    too (Saturday 3 June); one late (a1) whose transit took 120 h beyond the others'."""
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.ANALYST, Role.WAREHOUSE):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    run_import(fast, folder)
    analyst = as_role(fast, "analyst")
    page = analyst.get("/reports/trend", params={"tz": "America/Sao_Paulo"})
    assert page.status_code == 200, page.text
    assert 'href="/reports/trend" aria-current="page"' in page.text
    assert "2017-W22" in page.text and "Line chart of the weekly table below" in page.text
    csv = analyst.get("/reports/trend.csv", params={"from": "2017-06-01", "to": "2017-06-30"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    header, *weeks = csv.text.splitlines()
    assert header.split(",")[:3] == ["week", "orders", "placed_to_confirmed_p50_hours"]
    assert weeks == [
        "2017-W22,3,1.0,12.0,72.0,shipped_to_delivered,1,3,0.3333,-23.5,52.0,120.0,"
        "shipped_to_delivered"
    ]
    bad = analyst.get("/reports/trend.csv", params={"from": "2017-07-01", "to": "2017-06-01"})
    assert bad.status_code == 422 and "must not be after to" in bad.text
    assert as_role(fast, "warehouse").get("/reports/trend").status_code == 403


def test_the_command_line_imports_once_and_prints_the_table(
    cli_db: str, folder: Path, tmp_path: Path
) -> None:
    first = runner.invoke(app, ["import", "olist", str(folder)])
    assert first.exit_code == 0, first.output
    assert "4 imported, 0 already there, 1 skipped" in first.output
    assert "carrier_before_approval" in first.output and "no_items" in first.output
    again = runner.invoke(app, ["import", "olist", str(folder)])
    assert "0 imported, 4 already there" in again.output
    out = tmp_path / "stages.csv"
    table = runner.invoke(app, ["report", "stage-times", "--csv", str(out), "--by", "week"])
    assert table.exit_code == 0, table.output
    assert "bottleneck: shipped_to_delivered" in table.output
    assert "late-delivery rate: 33.33% (1 of 3)" in table.output
    assert "late orders lost most in: shipped_to_delivered" in table.output
    assert "the bottleneck week by week" in table.output
    # the header, then the whole: 4 stages, 3 warehouse steps, 3 return stages; then weeks
    assert out.read_text().splitlines()[11].startswith("2017-W22,placed_to_confirmed,3,")


def test_the_command_line_refuses_a_folder_without_olist_files(cli_db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "olist", str(tmp_path)])
    assert result.exit_code == 2
    assert "olist_orders" in result.output


@pytest.mark.slow
@pytest.mark.skipif(not OLIST.is_dir(), reason="the Olist folder (../shared/data) is absent")
def test_the_real_olist_folder_imports_and_reports(container: Container) -> None:
    """The figures docs/insight.md gives, from the folder's 16,994 orders."""
    first = run_import(container, OLIST, batch=1000)
    assert (first.read, first.imported, first.skipped["no_items"]) == (16994, 16909, 85)
    assert run_import(container, OLIST, batch=1000).imported == 0
    uow = container.uow()
    r = stage_times(uow, container.timelines(uow), SYSTEM, StageQuery()).report
    assert r.orders == 16666
    assert r.late == 1247  # PROVENANCE.md: "1,247 orders were delivered after the promised date"
    assert r.bottleneck is not None and r.bottleneck.value == "shipped_to_delivered"
    lost = {x.stage.value: (x.late_count, x.on_time_count, round(x.extra or 0, 3))
            for x in r.late_split}  # fmt: skip
    assert lost == {
        "placed_to_confirmed": (1247, 15415, 2.407),
        "confirmed_to_shipped": (1247, 15415, 61.857),
        "shipped_to_delivered": (1247, 15419, 518.858),
        "placed_to_delivered": (1247, 15419, 583.115),
    }
    assert r.late_bottleneck is not None and r.late_bottleneck.value == "shipped_to_delivered"


def test_work_in_progress_over_http_and_as_csv(
    container: Container, folder: Path, client_for: ClientFor
) -> None:
    run_import(container, folder)
    analyst = client_for("analyst")
    days = {"from": "2017-06-05", "to": "2017-06-06", "tz": "America/Sao_Paulo"}
    body = analyst.get("/api/v1/reports/work-in-progress", params=days).json()
    assert [d["day"] for d in body["days"]] == ["2017-06-05", "2017-06-06"]
    assert body["days"][0]["wip"] == {
        "awaiting_confirmation": 0,
        "awaiting_shipment": 1,
        "in_transit": 2,
    }
    assert [s["stage"] for s in body["stages"]] == [
        "awaiting_confirmation",
        "awaiting_shipment",
        "in_transit",
    ]
    answer = analyst.get("/api/v1/reports/work-in-progress", params={**days, "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.splitlines()[1] == "2017-06-05,0,1,2,1,0,0"
    missing = analyst.get("/api/v1/reports/work-in-progress", params={"from": "2017-06-05"})
    assert missing.status_code == 422
    assert "to" in [e["field"] for e in missing.json()["errors"]]
    assert (
        client_for("sales").get("/api/v1/reports/work-in-progress", params=days).status_code == 403
    )


def test_open_orders_by_age_over_http_and_as_csv(
    container: Container, folder: Path, client_for: ClientFor
) -> None:
    run_import(container, folder)
    analyst = client_for("analyst")
    assert analyst.get("/api/v1/reports/open-orders").json()["open_orders"] == 0
    body = analyst.get("/api/v1/reports/open-orders", params={"include_history": "true"}).json()
    assert (body["open_orders"], body["late_to_deliver"]) == (1, 1)
    [a3] = body["oldest"]
    assert (a3["channel"], a3["waiting_in"], a3["late"]) == ("olist", "in_transit", "to_deliver")
    assert body["buckets"][-1] == {"bucket": "30 days or more", "orders": 1, "backorders": 0,
                                   "late": 1}  # fmt: skip
    answer = analyst.get(
        "/api/v1/reports/open-orders", params={"include_history": "true", "format": "csv"}
    )
    assert answer.text.splitlines()[0] == "bucket,orders,backorders,late"
    assert answer.text.splitlines()[-1] == "30 days or more,1,0,1"
    assert client_for("sales").get("/api/v1/reports/open-orders").status_code == 403
    assert analyst.get("/api/v1/reports/open-orders?include_history=maybe").status_code == 422


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("perfect-orders", "component,orders,delivered_orders,rate"),
        ("returns", "by,key,returned,of,rate"),
        ("cash", "kind,currency,location,orders,booked_minor"),
        ("loyalty", "cohort,customers,month_1"),
    ],
)
def test_the_business_reports_over_http_json_and_csv(
    container: Container, folder: Path, client_for: ClientFor, path: str, header: str
) -> None:
    run_import(container, folder)
    analyst = client_for("analyst")
    url = f"/api/v1/reports/{path}"
    answer = analyst.get(url, params={"from": "2017-06-01", "to": "2017-06-30"})
    assert answer.status_code == 200, answer.text
    csv_answer = analyst.get(url, params={"format": "csv"})
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.text.splitlines()[0].startswith(header)
    assert client_for(None).get(url).status_code == 401
    assert client_for("sales").get(url).status_code == 403
    bad = analyst.get(url, params={"from": "2017-06-03", "to": "2017-06-02"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_business_reports_figures_over_http(
    container: Container, folder: Path, client_for: ClientFor
) -> None:
    run_import(container, folder)
    analyst = client_for("analyst")
    perfect = analyst.get("/api/v1/reports/perfect-orders").json()
    assert perfect["delivered_orders"] == 3  # a1 late, a2, a5
    assert perfect["perfect_order_rate"] == pytest.approx(2 / 3, abs=1e-6)
    assert {c["component"]: c["orders"] for c in perfect["components"]}["on_time"] == 2
    assert "complete" in perfect["based_on"]
    cash = analyst.get("/api/v1/reports/cash").json()
    assert cash["cash"] == [
        {
            "currency": "BRL",
            "orders": 4,
            "booked_minor": 9300,
            "paid_minor": 9300,
            "refunded_minor": 0,
            "outstanding_minor": 0,
        }
    ]
    assert "value at price" in cash["based_on"]["stock_value"]
    assert analyst.get("/api/v1/reports/cash", params={"days": 0}).status_code == 422
    loyalty = analyst.get("/api/v1/reports/loyalty", params={"horizon_days": 1}).json()
    assert (loyalty["customers"], loyalty["repeat_purchase_rate"]) == (4, 0.0)
    late = loyalty["after_late_first_delivery"]
    assert (late["worse"]["customers"], late["better"]["customers"]) == (1, 2)
    assert late["better"]["ci95"][0] == 0.0
    assert analyst.get("/api/v1/reports/loyalty", params={"months": 99}).status_code == 422
