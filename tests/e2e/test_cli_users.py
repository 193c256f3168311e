"""`oms users` and `oms tokens`: tokens on the last line, no secrets in listings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import Actor, Permission, Role
from oms.domain.errors import Unauthenticated
from oms.services.sessions import LoginAttempt, login
from oms.services.users import authenticate_token

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def oms(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def test_creating_a_user_prints_a_working_token_as_the_last_line(
    cli: None, container: Container
) -> None:
    token = last_line(oms("users", "create", "ann", "--role", "warehouse"))
    assert authenticate_token(container.uow(), token) == Actor("ann", Role.WAREHOUSE)


def test_a_buyer_user_may_buy_and_not_count_stock(cli: None, container: Container) -> None:
    token = last_line(oms("users", "create", "bo", "--role", "buyer"))
    buyer = authenticate_token(container.uow(), token)
    assert buyer == Actor("bo", Role.BUYER)
    assert buyer.may(Permission.PURCHASING_WRITE) and not buyer.may(Permission.STOCK_WRITE)


def test_a_password_from_stdin_lets_the_user_log_in(cli: None, container: Container) -> None:
    oms("users", "create", "ann", "--role", "admin", "--password-stdin", stdin="correct horse\n")
    session = login(container.uow(), LoginAttempt("ann", "correct horse", "127.0.0.1"))
    assert session.actor.name == "ann"


def test_a_carrier_user_is_bound_to_its_carrier(cli: None, container: Container) -> None:
    token = last_line(oms("users", "create", "bot", "--role", "carrier", "--carrier", "oms-post"))
    assert authenticate_token(container.uow(), token).carrier == "oms-post"


def test_a_carrier_user_needs_a_carrier_that_exists(cli: None) -> None:
    result = runner.invoke(app, ["users", "create", "bot", "--role", "carrier", "--carrier", "dhl"])
    assert result.exit_code == 1
    assert "unknown carrier 'dhl'" in result.output and "oms-post" in result.output


def test_a_refused_user_exits_1_with_the_reason(cli: None) -> None:
    result = runner.invoke(app, ["users", "create", "bot", "--role", "carrier"])
    assert result.exit_code == 1
    assert "carrier" in result.output
    result = runner.invoke(app, ["users", "create", "ann", "--role", "boss"])
    assert result.exit_code != 0


def test_listings_show_users_and_tokens_but_no_secret(cli: None) -> None:
    token = last_line(oms("users", "create", "ann", "--role", "sales"))
    second = last_line(oms("tokens", "create", "ann", "--label", "shop-sync"))
    users = oms("users", "list")
    tokens = oms("tokens", "list")
    assert "ann" in users and "sales" in users
    assert "shop-sync" in tokens
    for secret in (token, second, "argon2"):
        assert secret not in users + tokens


def test_a_revoked_token_and_a_disabled_users_tokens_stop_working(
    cli: None, container: Container
) -> None:
    first = last_line(oms("users", "create", "ann", "--role", "sales"))
    second = last_line(oms("tokens", "create", "ann"))
    assert "revoked" in oms("tokens", "revoke", "1")
    with pytest.raises(Unauthenticated):
        authenticate_token(container.uow(), first)
    assert authenticate_token(container.uow(), second).name == "ann"
    assert "disabled" in oms("users", "disable", "ann")
    with pytest.raises(Unauthenticated):
        authenticate_token(container.uow(), second)


def test_revoking_an_unknown_token_exits_1(cli: None) -> None:
    result = runner.invoke(app, ["tokens", "revoke", "42"])
    assert result.exit_code == 1 and "no API token" in result.output


def test_a_user_is_bound_to_the_location_given_and_its_token_says_so(
    cli: None, container: Container
) -> None:
    from oms.domain.access import SYSTEM
    from oms.services.catalogue import create_location
    from tests.builders import new_location

    create_location(container.uow(), SYSTEM, new_location("PAR"))
    output = oms("users", "create", "wes", "--role", "warehouse", "--location", "PAR")
    assert "at location PAR" in output
    actor = authenticate_token(container.uow(), last_line(output))
    assert actor == Actor("wes", Role.WAREHOUSE, location_code="PAR")
    assert "PAR" in oms("users", "list")


def test_a_location_that_does_not_exist_is_refused_clearly(cli: None, container: Container) -> None:
    result = runner.invoke(
        app, ["users", "create", "wes", "--role", "warehouse", "--location", "NOWHERE"]
    )
    assert result.exit_code == 1
    assert "unknown location 'NOWHERE'" in result.output
    assert "wes" not in oms("users", "list")


def test_a_driver_user_is_bound_to_a_location_and_it_delivers_locally(
    cli: None, container: Container
) -> None:
    from oms.domain.access import SYSTEM
    from oms.services import catalogue
    from tests.builders import new_location

    catalogue.create_location(container.uow(), SYSTEM, new_location("PAR"))
    refused = runner.invoke(app, ["users", "create", "van", "--role", "driver"])
    assert refused.exit_code == 1 and "location" in refused.output
    made = oms("users", "create", "van", "--role", "driver", "--location", "PAR")
    assert "location PAR" in made
    assert "does not deliver locally" in oms("locations", "local-delivery", "PAR")
    out = oms(
        "locations", "local-delivery", "PAR", "--prefixes", "75, 92", "--base", "4.90",
        "--per-kg", "0.50", "--max-attempts", "2",
    )  # fmt: skip
    assert "starting 75 92: 4.90 EUR + 0.50 per started kg" in out and "2 attempt(s)" in out
    assert "Runs" in oms("delivery", "runs", "PAR")
