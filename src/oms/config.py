"""Settings, read once from the environment (OMS_*) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="ignore")

    database_url: str = "sqlite:///./oms.db"
    """SQLAlchemy URL; `postgresql://...` uses psycopg 3. Default: a SQLite file here."""

    db_pool_size: int = 10
    """Connections per process (PostgreSQL)."""

    sql_echo: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
