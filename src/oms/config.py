"""Settings, read once from the environment (OMS_*) by pydantic-settings."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="ignore")

    database_url: str = "sqlite:///./oms.db"
    """SQLAlchemy URL; `postgresql://...` uses psycopg 3. Default: a SQLite file here."""

    db_pool_size: int = 10
    """Connections per process (PostgreSQL)."""

    sql_echo: bool = False
    """Log SQL statements (never their parameters)."""

    secret_key: SecretStr | None = None
    """Key that signs browser cookies. Unset: one is made and kept in the database."""

    cookie_secure: bool = True
    """Mark cookies Secure. Browsers accept Secure cookies on http://localhost and
    http://127.0.0.1; turn this off only to serve the back office over plain HTTP elsewhere."""

    refund_limit: Decimal = Decimal(500)
    """The largest refund customer service may issue alone, in the order's currency (500
    means 500.00 EUR on a euro order, 500 JPY on a yen one); above it, an admin issues it."""

    service_backorder_days: int = 3
    """Customer service's queue lists an order still waiting for stock this many days after
    it was placed (`backordered_long`)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
