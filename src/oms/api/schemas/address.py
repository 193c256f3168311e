"""The postal address: one model wherever the API takes or gives one, its constraints once."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from oms.api.schemas.common import Strict, Text
from oms.domain.orders import model as domain

# Never blank and a known ISO 3166-1 country are rules of the domain, which checks them
# together with every other rule of an order, so that one answer lists every mistake. The
# schema states them for clients; the lengths (those of the columns) are checked here.
_NOT_BLANK = {"minLength": 1}
AddressLine = Annotated[str, Field(max_length=200, json_schema_extra=_NOT_BLANK)]
City = Annotated[str, Field(max_length=100, json_schema_extra=_NOT_BLANK)]
PostalCode = Annotated[str, Field(max_length=16, json_schema_extra=_NOT_BLANK)]
CountryCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 code, such as FR (lower case is taken too)",
        json_schema_extra={"pattern": "^[A-Za-z]{2}$"},
    ),
]


class Address(Strict):
    """A postal address, as taken and as given back: the shipping address of an order."""

    name: AddressLine
    line1: AddressLine
    line2: Text | None = None
    city: City
    postal_code: PostalCode
    country: CountryCode

    def to_domain(self) -> domain.Address:
        return domain.Address(
            self.name, self.line1, self.city, self.postal_code, self.country.upper(), self.line2
        )

    @classmethod
    def of(cls, a: domain.Address) -> Address:
        # Not validated again: an address is given back as it was stored.
        return cls.model_construct(
            name=a.name,
            line1=a.line1,
            line2=a.line2,
            city=a.city,
            postal_code=a.postal_code,
            country=a.country,
        )
