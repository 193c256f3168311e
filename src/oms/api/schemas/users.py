"""Request and answer bodies of users, API tokens and `/me`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import MATRIX, Actor, Role
from oms.domain.users import MAX_PASSWORD, NewUser, UserChange
from oms.services.users import CreatedUser, IssuedToken

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
    location: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Code of the location the user works at (the warehouse station's)"
    )

    def to_domain(self) -> NewUser:
        return NewUser(self.name, self.role, self.carrier, self.location)


class UserPatch(BaseModel):
    """Any of these; what is left out stays as it is. `location: null` unbinds the user."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    location: Annotated[str, Field(max_length=32)] | None = None

    def to_domain(self) -> UserChange:
        clear = "location" in self.model_fields_set and self.location is None
        return UserChange(self.role, self.location, clear_location=clear)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    role: Role
    carrier: str | None
    disabled: bool
    has_password: bool
    created_at: datetime
    location: str | None


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

    @classmethod
    def of(cls, created: CreatedUser) -> CreatedUserOut:
        return cls(
            user=UserOut.model_validate(created.user), token=IssuedTokenOut.issued(created.token)
        )


class MeOut(BaseModel):
    name: str
    role: Role
    carrier: str | None
    location: str | None
    permissions: list[str]

    @classmethod
    def of(cls, actor: Actor) -> MeOut:
        allowed = sorted(p.value for p in MATRIX[actor.role])
        return cls(
            name=actor.name,
            role=actor.role,
            carrier=actor.carrier,
            location=actor.location_code,
            permissions=allowed,
        )
