"""Users, API tokens, logins and sessions through the services, on both databases."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
import sqlalchemy as sa

from oms.adapters.db.tables import api_tokens, users
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Permission, Role
from oms.domain.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    Unauthenticated,
)
from oms.domain.users import NewUser
from oms.services import catalogue, sessions
from oms.services import users as svc
from oms.services.sessions import LoginAttempt
from oms.services.users import authenticate_token, create_demo_users, create_user
from tests.builders import new_location
from tests.conftest import FakeClock
from tests.fakes import FakePasswords


@pytest.fixture
def fake(container: Container) -> Container:
    return dataclasses.replace(container, passwords=FakePasswords())


def _user(c: Container, name: str, role: Role = Role.SALES, password: str | None = None) -> str:
    carrier = "oms-post" if role is Role.CARRIER else None
    return create_user(c.uow(), SYSTEM, NewUser(name, role, carrier), password).token.token


def _attempt(name: str, password: str, address: str = "10.0.0.1") -> LoginAttempt:
    return LoginAttempt(name, password, address)


# -- users and tokens -------------------------------------------------------------------------


def test_a_new_user_gets_a_token_that_acts_as_them(container: Container) -> None:
    token = _user(container, "ann", Role.WAREHOUSE)
    assert token.startswith("oms_") and len(token) >= 4 + 43  # 256 random bits
    actor = authenticate_token(container.uow(), token)
    assert actor == Actor("ann", Role.WAREHOUSE)


def test_a_carrier_user_acts_for_its_carrier(container: Container) -> None:
    token = _user(container, "post-bot", Role.CARRIER)
    actor = authenticate_token(container.uow(), token)
    assert actor.carrier == "oms-post"
    actor.require_carrier("oms-post")


def test_a_carrier_user_needs_a_carrier_oms_knows(container: Container) -> None:
    with pytest.raises(InvalidInput, match="unknown carrier 'dhl'"):
        create_user(container.uow(), SYSTEM, NewUser("dhl-bot", Role.CARRIER, "dhl"))


def test_tokens_and_passwords_are_stored_only_as_hashes(container: Container) -> None:
    token = _user(container, "ann", Role.ADMIN, password="correct horse")
    with container.engine.connect() as conn:
        stored = conn.execute(sa.select(api_tokens.c.token_hash)).scalar_one()
        password_hash = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert password_hash.startswith("$argon2id$")
    assert "correct horse" not in password_hash


def test_a_taken_name_is_refused(container: Container) -> None:
    _user(container, "ann")
    with pytest.raises(AlreadyExists):
        _user(container, "ann", Role.ADMIN)


def test_an_invalid_user_is_refused_whole(container: Container) -> None:
    with pytest.raises(InvalidInput):
        create_user(container.uow(), SYSTEM, NewUser("bot", Role.CARRIER))
    assert svc.list_users(container.uow(), SYSTEM) == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_manage_users_and_tokens(container: Container, role: Role) -> None:
    _user(container, "ann")
    actor = Actor("someone", role)
    uow = container.uow()
    calls = [
        lambda: svc.create_user(uow, actor, NewUser("eve", Role.ADMIN)),
        lambda: svc.list_users(uow, actor),
        lambda: svc.disable_user(uow, actor, "ann"),
        lambda: svc.create_token(uow, actor, "ann"),
        lambda: svc.list_tokens(uow, actor),
        lambda: svc.revoke_token(uow, actor, 1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert [u.name for u in svc.list_users(uow, SYSTEM)] == ["ann"]
    assert [t.revoked_at for t in svc.list_tokens(uow, SYSTEM)] == [None]


def test_a_revoked_token_is_refused_at_once(container: Container) -> None:
    token = _user(container, "ann")
    uow = container.uow()
    authenticate_token(uow, token)
    (info,) = svc.list_tokens(uow, SYSTEM, "ann")
    svc.revoke_token(uow, SYSTEM, info.id)
    with pytest.raises(Unauthenticated):
        authenticate_token(uow, token)


def test_revoking_twice_keeps_the_first_time_and_an_unknown_id_is_not_found(
    container: Container, clock: FakeClock
) -> None:
    _user(container, "ann")
    uow = container.uow()
    first = svc.revoke_token(uow, SYSTEM, 1).revoked_at
    clock.advance(minutes=5)
    assert svc.revoke_token(uow, SYSTEM, 1).revoked_at == first
    with pytest.raises(NotFound):
        svc.revoke_token(uow, SYSTEM, 99)


def test_a_disabled_users_tokens_are_refused_and_no_new_ones_issued(container: Container) -> None:
    token = _user(container, "ann")
    uow = container.uow()
    assert svc.disable_user(uow, SYSTEM, "ann").disabled
    with pytest.raises(Unauthenticated):
        authenticate_token(uow, token)
    with pytest.raises(Conflict):
        svc.create_token(uow, SYSTEM, "ann")


def test_an_admin_cannot_disable_themself(container: Container) -> None:
    _user(container, "root", Role.ADMIN)
    with pytest.raises(Conflict):
        svc.disable_user(container.uow(), Actor("root", Role.ADMIN), "root")


@pytest.mark.parametrize("token", [None, "", "oms_unknown", "x" * 10_000])
def test_a_missing_or_unknown_token_is_refused_with_the_same_words(
    container: Container, token: str | None
) -> None:
    _user(container, "ann")
    with pytest.raises(Unauthenticated) as refused:
        authenticate_token(container.uow(), token)
    assert refused.value.detail == svc.BAD_TOKEN


def test_what_is_read_with_the_token_check_is_read_only_for_a_live_token(
    container: Container,
) -> None:
    """POST /orders prepares the placement (products, stock, plan) in the token check's
    transaction: an unknown or revoked token must not make the server do that work."""
    token = _user(container, "ann")
    reads: list[str] = []

    def read() -> str:
        reads.append("read")
        return "found"

    uow = container.uow()
    for refused in ("oms_unknown", token[:-1]):
        with pytest.raises(Unauthenticated):
            svc.authenticate_token_with(uow, refused, read)
    assert reads == []
    actor, found = svc.authenticate_token_with(uow, token, read)
    assert (actor.name, found, reads) == ("ann", "found", ["read"])


def test_last_used_is_recorded_but_written_at_most_once_a_minute(
    container: Container, clock: FakeClock
) -> None:
    token = _user(container, "ann")
    uow = container.uow()

    def last_used() -> object:
        return svc.list_tokens(uow, SYSTEM)[0].last_used_at

    assert last_used() is None
    authenticate_token(uow, token)
    first = clock.now
    assert last_used() == first
    clock.advance(seconds=30)
    authenticate_token(uow, token)
    assert last_used() == first
    clock.advance(seconds=31)
    authenticate_token(uow, token)
    assert last_used() == clock.now


def test_a_token_is_checked_in_one_query_when_recently_used(
    container: Container, clock: FakeClock
) -> None:
    token = _user(container, "ann")
    uow = container.uow()
    authenticate_token(uow, token)  # sets last_used_at
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
            statements.append(statement)

    sa.event.listen(container.engine, "before_cursor_execute", count)
    try:
        clock.advance(seconds=10)
        authenticate_token(uow, token)
    finally:
        sa.event.remove(container.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements


# -- logins and sessions ----------------------------------------------------------------------


def test_a_right_password_starts_a_session(fake: Container) -> None:
    _user(fake, "ann", Role.SALES, password="correct horse")
    session = sessions.login(fake.uow(), _attempt("ann", "correct horse"))
    assert session.actor == Actor("ann", Role.SALES)
    found = sessions.current_session(fake.uow(), session.session_id)
    assert found.actor == session.actor
    assert found.csrf_token == session.csrf_token


def test_the_real_hasher_accepts_the_right_password_only(container: Container) -> None:
    _user(container, "ann", Role.SALES, password="correct horse")
    assert sessions.login(container.uow(), _attempt("ann", "correct horse")).session_id
    with pytest.raises(Unauthenticated):
        sessions.login(container.uow(), _attempt("ann", "wrong horse"))


@pytest.mark.parametrize(
    ("name", "password"),
    [("ann", "wrong horse"), ("nobody", "correct horse"), ("token-only", "correct horse")],
)
def test_every_refused_login_says_the_same_and_costs_one_verification(
    fake: Container, name: str, password: str
) -> None:
    _user(fake, "ann", password="correct horse")
    _user(fake, "token-only")
    hasher = fake.passwords
    assert isinstance(hasher, FakePasswords)
    before = hasher.verified
    with pytest.raises(Unauthenticated) as refused:
        sessions.login(fake.uow(), _attempt(name, password))
    assert refused.value.detail == sessions.LOGIN_FAILED
    assert hasher.verified == before + 1  # the same work whether the user exists or not


def test_a_disabled_user_cannot_log_in_and_loses_their_sessions(fake: Container) -> None:
    _user(fake, "ann", password="correct horse")
    session = sessions.login(fake.uow(), _attempt("ann", "correct horse"))
    svc.disable_user(fake.uow(), SYSTEM, "ann")
    with pytest.raises(Unauthenticated):
        sessions.current_session(fake.uow(), session.session_id)
    with pytest.raises(Unauthenticated) as refused:
        sessions.login(fake.uow(), _attempt("ann", "correct horse"))
    assert refused.value.detail == sessions.LOGIN_FAILED


def test_five_failures_for_a_name_lock_it_for_a_minute_even_with_the_right_password(
    fake: Container, clock: FakeClock
) -> None:
    _user(fake, "ann", password="correct horse")
    for i in range(5):
        with pytest.raises(Unauthenticated):
            sessions.login(fake.uow(), _attempt("ann", "guess", address=f"10.0.0.{i}"))
    with pytest.raises(TooManyAttempts):
        sessions.login(fake.uow(), _attempt("ann", "correct horse", address="10.9.9.9"))
    clock.advance(seconds=61)
    assert sessions.login(fake.uow(), _attempt("ann", "correct horse")).actor.name == "ann"


def test_five_failures_from_an_address_lock_it_whatever_the_name(
    fake: Container, clock: FakeClock
) -> None:
    _user(fake, "ann", password="correct horse")
    for i in range(5):
        with pytest.raises(Unauthenticated):
            sessions.login(fake.uow(), _attempt(f"user{i}", "guess", address="6.6.6.6"))
    with pytest.raises(TooManyAttempts) as refused:
        sessions.login(fake.uow(), _attempt("ann", "correct horse", address="6.6.6.6"))
    assert refused.value.detail == sessions.LOGIN_THROTTLED
    # Another address is not locked out by it.
    assert sessions.login(fake.uow(), _attempt("ann", "correct horse", address="10.1.1.1"))


def test_a_throttled_attempt_costs_no_verification(fake: Container) -> None:
    hasher = fake.passwords
    assert isinstance(hasher, FakePasswords)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sessions.login(fake.uow(), _attempt("ann", "guess"))
    before = hasher.verified
    with pytest.raises(TooManyAttempts):
        sessions.login(fake.uow(), _attempt("ann", "guess"))
    assert hasher.verified == before


def test_a_session_expires_and_logging_out_ends_it(fake: Container, clock: FakeClock) -> None:
    _user(fake, "ann", password="correct horse")
    first = sessions.login(fake.uow(), _attempt("ann", "correct horse"))
    second = sessions.login(fake.uow(), _attempt("ann", "correct horse"))
    sessions.logout(fake.uow(), first.session_id)
    with pytest.raises(Unauthenticated):
        sessions.current_session(fake.uow(), first.session_id)
    assert sessions.current_session(fake.uow(), second.session_id)
    clock.advance(hours=8, seconds=1)
    with pytest.raises(Unauthenticated):
        sessions.current_session(fake.uow(), second.session_id)


@pytest.mark.parametrize("session_id", [None, "", "not-a-session"])
def test_an_unknown_session_is_refused(fake: Container, session_id: str | None) -> None:
    with pytest.raises(Unauthenticated):
        sessions.current_session(fake.uow(), session_id)


def test_the_signing_key_is_made_once(container: Container) -> None:
    first = sessions.signing_key(container.uow())
    assert len(first) >= 64
    assert sessions.signing_key(container.uow()) == first


# -- who did what ------------------------------------------------------------------------------


def test_an_action_through_a_token_is_recorded_with_the_users_name(container: Container) -> None:
    from oms.services import catalogue, inventory, orders
    from oms.services.inventory import StockChange
    from tests.builders import draft, new_location, new_product

    actor = authenticate_token(container.uow(), _user(container, "sam", Role.SALES))
    keeper = authenticate_token(container.uow(), _user(container, "wes", Role.WAREHOUSE))
    uow = container.uow()
    catalogue.create_location(uow, SYSTEM, new_location("PAR"))
    catalogue.create_product(uow, SYSTEM, new_product("MUG"))
    inventory.count_stock(uow, keeper, StockChange("PAR", "MUG", "count", on_hand=5))
    order = orders.place_order(uow, actor, draft(("MUG", 1))).order
    orders.confirm_order(uow, actor, order.id)
    assert {e.actor for e in orders.order_events(uow, actor, order.id)} == {"sam"}
    ledger = inventory.stock_ledger(uow, SYSTEM, "PAR", "MUG", None, 10)
    assert [e.entry.actor for e in ledger] == ["wes", "sam"]
    assert keeper.may(Permission.STOCK_WRITE) and not actor.may(Permission.STOCK_WRITE)


# -- demo users -------------------------------------------------------------------------------


def test_the_demo_has_one_user_per_role_with_working_tokens_and_passwords(
    fake: Container,
) -> None:
    catalogue.create_location(fake.uow(), SYSTEM, new_location("PAR"))  # the driver's
    made = create_demo_users(fake.uow())
    assert sorted(role for _, role, _, _ in made) == sorted(r.value for r in Role)
    for name, role, password, token in made:
        assert authenticate_token(fake.uow(), token).role == Role(role)
        assert sessions.login(fake.uow(), _attempt(name, password)).actor.name == name


def test_running_the_demo_again_gives_fresh_tokens_and_revokes_the_old(fake: Container) -> None:
    catalogue.create_location(fake.uow(), SYSTEM, new_location("PAR"))
    first = {name: token for name, _, _, token in create_demo_users(fake.uow())}
    second = {name: token for name, _, _, token in create_demo_users(fake.uow())}
    assert len(svc.list_users(fake.uow(), SYSTEM)) == len(Role)
    for name in first:
        assert first[name] != second[name]
        with pytest.raises(Unauthenticated):
            authenticate_token(fake.uow(), first[name])
        assert authenticate_token(fake.uow(), second[name]).name == name
