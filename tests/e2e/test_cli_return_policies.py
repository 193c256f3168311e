"""`oms returns policy show | set | delete`: the policies on the command line, acting as
`system`, with refusals printed and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.domain.returns.reasons import ReturnReason
from oms.services import return_policies
from oms.services.return_policies import PolicySource
from tests.builders import stocked

runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def oms(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["returns", "policy", *args])
    return result.exit_code, result.output


def test_the_policy_commands_are_in_the_help() -> None:
    code, text = oms("--help")
    assert code == 0
    for command in ("show", "set", "delete"):
        assert command in text
    code, text = oms("set", "--help")
    assert code == 0 and "--non-returnable" in text and "--customer-pays" in text


def test_set_show_and_delete_a_channels_policy(cli_db: str, container: Container) -> None:
    stocked(container.uow(), "GIFT", 0)
    code, text = oms("show", "web")
    assert code == 0 and "web: built-in policy, 30 days" in text

    code, text = oms(
        "set", "web", "--window-days", "14", "--non-returnable", "GIFT",
        "--customer-pays", "changed_mind", "--customer-pays", "other",
    )  # fmt: skip
    assert code == 0, text
    found = return_policies.get_policy(container.uow(), SYSTEM, "web")
    assert (found.source, found.policy.window_days) == (PolicySource.CHANNEL, 14)
    assert found.policy.non_returnable == {"GIFT"}
    assert found.policy.customer_pays == {ReturnReason.CHANGED_MIND, ReturnReason.OTHER}

    code, text = oms("set", "*", "--window-days", "21", "--seller-pays-all")
    assert code == 0, text
    assert return_policies.get_policy(container.uow(), SYSTEM, "*").policy.customer_pays == set()
    code, text = oms("show")
    assert code == 0 and "Return policies" in text
    assert "web" in text and "14 days" in text and "21 days" in text
    code, text = oms("show", "market")
    assert "market: default policy, 21 days" in text

    code, text = oms("delete", "web")
    assert code == 0 and "it now gets the default one" in text
    code, text = oms("delete", "web")
    assert code == 1 and "no return policy of its own" in text


def test_a_refused_policy_exits_1_naming_the_problem(cli_db: str, container: Container) -> None:
    code, text = oms("set", "web", "--window-days", "30", "--non-returnable", "NOPE")
    assert code == 1 and "NOPE" in text
    code, text = oms("set", "web", "--window-days", "-1")
    assert code == 1 and "window_days" in text
    code, text = oms("set", "web", "--window-days", "3", "--customer-pays", "whim")
    assert code == 2  # not a reason: typer lists the choices
    assert return_policies.list_policies(container.uow(), SYSTEM) == []
