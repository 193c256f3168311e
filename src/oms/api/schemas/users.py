"""Request and answer bodies of users, API tokens and `/me`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Role
from oms.domain.users import MAX_PASSWORD
from oms.services.users import IssuedToken

Name = Annotated[str, Field(max_length=100)]
Label = Annotated[str, Field(max_length=100)]


class UserIn(BaseModel):
    # Not stripped: a password is taken exactly as given.
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Role
    carrier: Annotated[str, Field(max_length=32)] | None = None
    password: Annotated[str, Field(max_length=MAX_PASSWORD)] | None = None
    label: Label = "initial"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    role: Role
    carrier: str | None
    disabled: bool
    has_password: bool
    created_at: datetime


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: Name
    label: Label = ""


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The token itself, shown this once and stored nowhere.")

    @classmethod
    def issued(cls, t: IssuedToken) -> IssuedTokenOut:
        return cls(**TokenOut.model_validate(t.info).model_dump(), token=t.token)


class CreatedUserOut(BaseModel):
    user: UserOut
    token: IssuedTokenOut


class MeOut(BaseModel):
    name: str
    role: Role
    carrier: str | None
    permissions: list[str]
