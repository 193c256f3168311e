"""`oms channels create | list | show | set | rotate-secret` on the command line, acting as
`system`: the secret printed once, refusals printed with exit code 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.domain.access import SYSTEM
from oms.services import channels
from tests.builders import stocked
from tests.e2e.test_cli_return_policies import cli_db

__all__ = ["cli_db"]
runner = CliRunner()


def oms(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["channels", *args])
    return result.exit_code, result.output


def test_channels_on_the_command_line(cli_db: str, container: Container) -> None:
    code, text = oms("create", "market", "--kind", "marketplace", "--buffer-units", "5")
    assert code == 0, text
    secret = text.strip().splitlines()[-1]
    stored = channels.get_channel(container.uow(), SYSTEM, "market").channel
    assert stored.secret == secret and stored.buffer_units == 5

    code, text = oms("list")
    assert code == 0 and "market" in text and "marketplace" in text and secret not in text
    code, text = oms("set", "market", "--currency", "GBP", "--tax-inclusive")
    assert code == 0, text
    stored = channels.get_channel(container.uow(), SYSTEM, "market").channel
    assert (stored.currency, stored.tax_inclusive, stored.buffer_units) == ("GBP", True, 5)
    code, text = oms("show", "market")
    assert code == 0 and "GBP" in text and secret not in text
    code, text = oms("rotate-secret", "market")
    assert code == 0 and text.strip().splitlines()[-1] != secret

    code, text = oms("create", "market")
    assert code == 1 and "exists" in text
    code, text = oms("set", "nobody", "--hold-minutes", "5")
    assert code == 1 and "no record" in text
    code, text = oms("show", "web")
    assert code == 0 and "defaults" in text


def test_import_orders_on_the_command_line(
    cli_db: str, container: Container, tmp_path: Path
) -> None:
    stocked(container.uow(), "MUG", 5)
    file = tmp_path / "orders.csv"
    file.write_text(
        "InvoiceNo,StockCode,Quantity,UnitPrice,CustomerID,Country,InvoiceDate\n"
        "536365,MUG,6,2.55,17850,United Kingdom,2010-12-01 08:26:00\n"
        "C536379,MUG,-1,2.55,14527,United Kingdom,2010-12-01 09:41:00\n"
        "536380,GHOST,1,1.00,,EIRE,2010-12-01 09:45:00\n"
    )
    args = [
        "import", "orders", str(file), "--channel", "uci",
        "--map", "external_id=InvoiceNo,sku=StockCode,quantity=Quantity,unit_price=UnitPrice,"
        "customer_ref=CustomerID,ship_country=Country,placed_at=InvoiceDate",
        "--set", "customer_ref=guest,ship_line1=unknown,ship_city=unknown,ship_postal_code=unknown",
        "--skip-prefix", "C", "--tz", "Europe/London", "--errors", str(tmp_path / "e.csv"),
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 imported" in result.output and "1 skipped" in result.output
    assert "1 cancellations skipped" in result.output
    errors = (tmp_path / "e.csv").read_text().splitlines()
    assert errors == [
        "row,column,message",
        "4,Country,'EIRE' is not a country (an ISO code or its name)",
    ]
    again = runner.invoke(app, args)
    assert "0 imported, 1 already there" in again.output
    bad = runner.invoke(app, ["import", "orders", str(file), "--channel", "uci"])
    assert bad.exit_code == 2 and "no column for external_id" in bad.output
