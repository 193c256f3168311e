"""Users, API tokens, browser sessions, login failures and server keys in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db import driver_sql
from oms.adapters.db.base import Repository, unique_violation
from oms.adapters.db.tables import (
    api_tokens,
    locations,
    login_failures,
    server_keys,
    users,
    web_sessions,
)
from oms.domain.access import Actor, Role
from oms.domain.errors import AlreadyExists
from oms.domain.users import NewUser, TokenInfo, User
from oms.services.ports.access import Credentials, NewSession, SessionMatch, TokenMatch

_USER_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.role,
    users.c.carrier,
    users.c.disabled,
    (users.c.password_hash.is_not(None)).label("has_password"),
    users.c.created_at,
    locations.c.code.label("location"),
)
# Users with the code of their location (most have none).
_USERS = users.outerjoin(locations, locations.c.id == users.c.location_id)
_TOKEN_COLUMNS = (
    api_tokens.c.id,
    users.c.name.label("user"),
    api_tokens.c.label,
    api_tokens.c.created_at,
    api_tokens.c.last_used_at,
    api_tokens.c.revoked_at,
)


def _user(m: Any) -> User:
    return User(
        id=m["id"],
        name=m["name"],
        role=Role(m["role"]),
        carrier=m["carrier"],
        disabled=bool(m["disabled"]),
        has_password=bool(m["has_password"]),
        created_at=m["created_at"],
        location=m["location"],
    )


def _token(m: Any) -> TokenInfo:
    return TokenInfo(
        m["id"], m["user"], m["label"], m["created_at"], m["last_used_at"], m["revoked_at"]
    )


def _actor(m: Any) -> Actor:
    return Actor(m["name"], Role(m["role"]), m["carrier"], m["location"])


def _location_id(code: str | None) -> Any:
    """The id of the location with this code, as a subquery (None: no location)."""
    if code is None:
        return None
    return sa.select(locations.c.id).where(locations.c.code == code).scalar_subquery()


# Runs on every API request: built once, so SQLAlchemy reuses its compiled form.
_MATCH_TOKEN = (
    sa.select(
        api_tokens.c.id,
        api_tokens.c.last_used_at,
        users.c.name,
        users.c.role,
        users.c.carrier,
        locations.c.code.label("location"),
    )
    .join(users, users.c.id == api_tokens.c.user_id)
    .outerjoin(locations, locations.c.id == users.c.location_id)
    .where(
        api_tokens.c.token_hash == sa.bindparam("token_hash"),
        api_tokens.c.revoked_at.is_(None),
        users.c.disabled.is_(False),
    )
)
_MATCH_KEYS = tuple(_MATCH_TOKEN.selected_columns.keys())


class SqlUsers(Repository):
    def add(self, user: NewUser, password_hash: str | None, now: datetime) -> User:
        try:
            with self.conn.begin_nested():
                insert = users.insert().values(
                    name=user.name,
                    role=user.role.value,
                    password_hash=password_hash,
                    carrier=user.carrier,
                    disabled=False,
                    created_at=now,
                    location_id=_location_id(user.location),
                )
                new_id = self.conn.execute(insert.returning(users.c.id)).scalar_one()
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "name"):
                raise AlreadyExists(f"a user named {user.name!r} exists") from None
            raise
        return User(
            new_id,
            user.name,
            user.role,
            user.carrier,
            False,
            bool(password_hash),
            now,
            user.location,
        )

    def get(self, name: str) -> User | None:
        query = sa.select(*_USER_COLUMNS).select_from(_USERS).where(users.c.name == name)
        row = self.conn.execute(query).first()
        return _user(row._mapping) if row else None

    def credentials(self, name: str) -> Credentials | None:
        query = (
            sa.select(*_USER_COLUMNS, users.c.password_hash)
            .select_from(_USERS)
            .where(users.c.name == name)
        )
        row = self.conn.execute(query).first()
        return Credentials(_user(row._mapping), row.password_hash) if row else None

    def all(self) -> list[User]:
        query = sa.select(*_USER_COLUMNS).select_from(_USERS).order_by(users.c.name)
        return [_user(row._mapping) for row in self.conn.execute(query)]

    def update(self, user_id: int, role: Role, location: str | None) -> None:
        self.conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(role=role.value, location_id=_location_id(location))
        )

    def disable(self, user_id: int) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(disabled=True))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.conn.execute(
            users.update().where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def add_token(self, user_id: int, token_hash: str, label: str, now: datetime) -> TokenInfo:
        token_id = self.conn.execute(
            api_tokens.insert().returning(api_tokens.c.id),
            {"token_hash": token_hash, "user_id": user_id, "label": label, "created_at": now},
        ).scalar_one()
        info = self._token(token_id)
        assert info is not None
        return info

    def _token(self, token_id: int) -> TokenInfo | None:
        query = (
            sa.select(*_TOKEN_COLUMNS)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.id == token_id)
        )
        row = self.conn.execute(query).first()
        return _token(row._mapping) if row else None

    def tokens(self, user_id: int | None) -> list[TokenInfo]:
        query = (
            sa.select(*_TOKEN_COLUMNS)
            .join(users, users.c.id == api_tokens.c.user_id)
            .order_by(api_tokens.c.id)
        )
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        return [_token(row._mapping) for row in self.conn.execute(query)]

    def revoke_token(self, token_id: int, now: datetime) -> TokenInfo | None:
        self.conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return self._token(token_id)

    def revoke_tokens(self, user_id: int, label: str, now: datetime) -> int:
        result = self.conn.execute(
            api_tokens.update()
            .where(
                api_tokens.c.user_id == user_id,
                api_tokens.c.label == label,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return result.rowcount

    def match_token(self, token_hash: str) -> TokenMatch | None:
        # Every API request: at the driver level (driver_sql.py).
        found = driver_sql.fetch_one(self.conn, _MATCH_TOKEN, {"token_hash": token_hash})
        if found is None:
            return None
        m = dict(zip(_MATCH_KEYS, found, strict=True))
        return TokenMatch(m["id"], m["last_used_at"], _actor(m))

    def touch_token(self, token_id: int, now: datetime, older_than: datetime) -> None:
        self.conn.execute(
            api_tokens.update()
            .where(
                api_tokens.c.id == token_id,
                sa.or_(api_tokens.c.last_used_at.is_(None), api_tokens.c.last_used_at < older_than),
            )
            .values(last_used_at=now)
        )

    def add_session(self, session: NewSession) -> None:
        self.conn.execute(
            web_sessions.insert(),
            {
                "session_hash": session.session_hash,
                "user_id": session.user_id,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "expires_at": session.expires_at,
            },
        )

    def match_session(self, session_hash: str, now: datetime) -> SessionMatch | None:
        query = (
            sa.select(
                web_sessions.c.csrf_token,
                web_sessions.c.expires_at,
                users.c.name,
                users.c.role,
                users.c.carrier,
                locations.c.code.label("location"),
            )
            .join(users, users.c.id == web_sessions.c.user_id)
            .outerjoin(locations, locations.c.id == users.c.location_id)
            .where(
                web_sessions.c.session_hash == session_hash,
                web_sessions.c.expires_at > now,
                users.c.disabled.is_(False),
            )
        )
        row = self.conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        return SessionMatch(_actor(m), m["csrf_token"], m["expires_at"])

    def delete_session(self, session_hash: str) -> None:
        self.conn.execute(web_sessions.delete().where(web_sessions.c.session_hash == session_hash))

    def delete_sessions(self, user_id: int) -> None:
        self.conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))

    def purge_sessions(self, now: datetime) -> None:
        self.conn.execute(web_sessions.delete().where(web_sessions.c.expires_at <= now))

    def add_failure(self, name: str, address: str, at: datetime) -> None:
        self.conn.execute(
            login_failures.insert(), {"user_name": name, "address": address, "at": at}
        )

    def count_failures(self, name: str, address: str, since: datetime) -> tuple[int, int]:
        recent = login_failures.c.at > since
        by_name = sa.select(sa.func.count()).where(login_failures.c.user_name == name, recent)
        by_address = sa.select(sa.func.count()).where(login_failures.c.address == address, recent)
        row = self.conn.execute(
            sa.select(by_name.scalar_subquery(), by_address.scalar_subquery())
        ).one()
        return int(row[0]), int(row[1])

    def purge_failures(self, before: datetime) -> None:
        self.conn.execute(login_failures.delete().where(login_failures.c.at <= before))

    def server_key(self, name: str) -> str | None:
        query = sa.select(server_keys.c.value).where(server_keys.c.name == name)
        value: str | None = self.conn.execute(query).scalar()
        return value

    def add_server_key(self, name: str, value: str, now: datetime) -> str:
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    server_keys.insert(), {"name": name, "value": value, "created_at": now}
                )
        except sa.exc.IntegrityError:
            pass  # another process made it first; theirs is the one
        stored = self.server_key(name)
        assert stored is not None
        return stored
