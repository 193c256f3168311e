"""`oms channels create | list | show | set | rotate-secret` on the command line, acting as
`system`: the secret printed once, refusals printed with exit code 1."""

from __future__ import annotations

from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.domain.access import SYSTEM
from oms.services import channels
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
