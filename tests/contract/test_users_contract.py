"""The user repository's contract: users, tokens, sessions, login failures, server keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms.domain.access import Role
from oms.domain.errors import AlreadyExists
from oms.domain.users import NewUser
from oms.services.ports import UnitOfWork
from oms.services.ports.access import NewSession


def test_users_are_unique_by_name_and_can_be_disabled(each_uow: UnitOfWork) -> None:
    users, now = each_uow.users, each_uow.now()
    zed = each_uow.run(lambda: users.add(NewUser("zed", Role.SALES), None, now))
    ann = each_uow.run(lambda: users.add(NewUser("ann", Role.CARRIER, "oms-post"), "h1", now))
    assert (ann.has_password, zed.has_password, ann.carrier) == (True, False, "oms-post")
    with pytest.raises(AlreadyExists):
        each_uow.run(lambda: users.add(NewUser("ann", Role.ADMIN), None, now))
    assert [u.name for u in each_uow.run(users.all)] == ["ann", "zed"]
    each_uow.run(lambda: users.set_password_hash(zed.id, "h2"))
    each_uow.run(lambda: users.disable(zed.id))
    found = each_uow.run(lambda: users.credentials("zed"))
    assert found is not None and found.password_hash == "h2"
    assert found.user.disabled and found.user.has_password
    assert each_uow.run(lambda: users.get("nobody")) is None
    assert each_uow.run(lambda: users.credentials("nobody")) is None


def test_tokens_match_until_revoked_or_disabled(each_uow: UnitOfWork) -> None:
    users, now = each_uow.users, each_uow.now()
    ann = each_uow.run(lambda: users.add(NewUser("ann", Role.SALES), None, now))
    bob = each_uow.run(lambda: users.add(NewUser("bob", Role.ADMIN), None, now))
    t1 = each_uow.run(lambda: users.add_token(ann.id, "hash-1", "cli", now))
    t2 = each_uow.run(lambda: users.add_token(ann.id, "hash-2", "cli", now))
    t3 = each_uow.run(lambda: users.add_token(bob.id, "hash-3", "web", now))
    assert (t1.user, t1.label, t1.revoked_at) == ("ann", "cli", None)
    match = each_uow.run(lambda: users.match_token("hash-1"))
    assert match is not None and (match.token_id, match.actor.name) == (t1.id, "ann")
    later = now + timedelta(minutes=5)
    each_uow.run(lambda: users.touch_token(t1.id, later, now))  # used at or after: kept
    each_uow.run(lambda: users.touch_token(t1.id, later, later))
    assert each_uow.run(lambda: users.tokens(ann.id))[0].last_used_at == later
    revoked = each_uow.run(lambda: users.revoke_token(t1.id, later))
    assert revoked is not None and revoked.revoked_at == later
    again = each_uow.run(lambda: users.revoke_token(t1.id, later + timedelta(hours=1)))
    assert again is not None and again.revoked_at == later
    assert each_uow.run(lambda: users.revoke_token(999, later)) is None
    assert each_uow.run(lambda: users.match_token("hash-1")) is None
    assert each_uow.run(lambda: users.revoke_tokens(ann.id, "cli", later)) == 1
    assert [t.id for t in each_uow.run(lambda: users.tokens(None))] == [t1.id, t2.id, t3.id]
    each_uow.run(lambda: users.disable(bob.id))
    assert each_uow.run(lambda: users.match_token("hash-3")) is None


def test_sessions_live_until_they_expire(each_uow: UnitOfWork) -> None:
    users, now = each_uow.users, each_uow.now()
    ann = each_uow.run(lambda: users.add(NewUser("ann", Role.SALES), None, now))
    hour = timedelta(hours=1)
    for name, ends in (("s1", now + hour), ("s2", now + 2 * hour), ("s3", now - hour)):
        session = NewSession(name, ann.id, f"csrf-{name}", now, ends)
        each_uow.run(lambda session=session: users.add_session(session))
    found = each_uow.run(lambda: users.match_session("s1", now))
    assert found is not None and (found.actor.name, found.csrf_token) == ("ann", "csrf-s1")
    assert each_uow.run(lambda: users.match_session("s3", now)) is None
    assert each_uow.run(lambda: users.match_session("s1", now + hour)) is None
    each_uow.run(lambda: users.delete_session("s1"))
    assert each_uow.run(lambda: users.match_session("s1", now)) is None
    each_uow.run(lambda: users.purge_sessions(now))
    each_uow.run(lambda: users.delete_sessions(ann.id))
    assert each_uow.run(lambda: users.match_session("s2", now)) is None


def test_failures_count_per_name_and_address_and_keys_are_kept_once(
    each_uow: UnitOfWork,
) -> None:
    users, now = each_uow.users, each_uow.now()
    minute = timedelta(minutes=1)
    for name, address, at in (
        ("ann", "1.1.1.1", now - 2 * minute),
        ("ann", "2.2.2.2", now),
        ("bob", "1.1.1.1", now),
    ):
        each_uow.run(lambda n=name, a=address, t=at: users.add_failure(n, a, t))
    assert each_uow.run(lambda: users.count_failures("ann", "1.1.1.1", now - 3 * minute)) == (
        2,
        2,
    )
    assert each_uow.run(lambda: users.count_failures("ann", "1.1.1.1", now - minute)) == (1, 1)
    each_uow.run(lambda: users.purge_failures(now - minute))
    assert each_uow.run(lambda: users.count_failures("ann", "x", now - 3 * minute)) == (1, 0)
    assert each_uow.run(lambda: users.server_key("session")) is None
    assert each_uow.run(lambda: users.add_server_key("session", "k1", now)) == "k1"
    assert each_uow.run(lambda: users.add_server_key("session", "k2", now)) == "k1"
    assert each_uow.run(lambda: users.server_key("session")) == "k1"
