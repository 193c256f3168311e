"""Settings, read once from the environment (OMS_*) by pydantic-settings."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field, SecretStr
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

    shop_name: str = "oms demo shop"
    """The shop's name, as customers read it in e-mails."""

    public_url: str = "http://127.0.0.1:8000"
    """Where customers reach oms: the links to tracking pages in e-mails start with it."""

    default_language: str = "en"
    """The language of e-mails to customers whose order names none oms has (en, fr)."""

    mail_from: str = "orders@example.com"
    """The From address of e-mails to customers."""

    smtp_host: str | None = None
    """The SMTP server. Unset: e-mails are written to `mailbox_dir` instead of sent."""

    smtp_port: int = 587
    smtp_security: str = "starttls"
    """starttls (port 587), tls (implicit TLS, port 465) or none (a local relay only)."""

    smtp_user: str | None = None
    smtp_password: SecretStr | None = None

    mailbox_dir: str = "./mailbox"
    """Without an SMTP server, each e-mail is an .eml file here (the back office lists them)."""

    outbox_retry_base_seconds: float = 30.0
    """The first delay before a failed delivery is tried again; it doubles at each failure
    (with jitter), up to 6 hours."""

    outbox_max_attempts: int = 10
    """Attempts before a delivery is dead (shown to people, who may retry it)."""

    webhooks_allow_private: bool = False
    """Allow webhooks to loopback, link-local and private addresses (development, tests)."""

    worker_poll_seconds: float = 0.25
    """How long `oms worker` sleeps when it found nothing to do."""

    worker_lease_seconds: float = 120.0
    """How long a worker holds the deliveries it claimed; a worker that dies mid-send leaves
    them to another worker once this has passed (so the notice goes again, same id)."""

    worker_batch: int = 100
    """Deliveries (and new events) a worker claims at a time. Smaller batches share a burst
    among several workers sooner; larger ones cost fewer round trips."""

    service_backorder_days: int = 3
    """Customer service's queue lists an order still waiting for stock this many days after
    it was placed (`backordered_long`)."""

    # -- planning (docs/planning.md) ----------------------------------------------------
    planning_service_level_a: float = Field(0.98, gt=0, lt=1)
    """The target service level of class A products (the first 80% of revenue)."""

    planning_service_level_b: float = Field(0.95, gt=0, lt=1)
    """The target service level of class B products (the next 15% of revenue)."""

    planning_service_level_c: float = Field(0.90, gt=0, lt=1)
    """The target service level of class C products (the rest)."""

    planning_review_days: int = Field(7, ge=1)
    """Days between two replenishment decisions: the order-up-to level covers them."""

    planning_history_days: int = Field(365, ge=28)
    """Days of order history the reorder levels are computed from."""

    planning_error_origins: int = Field(8, ge=0)
    """Past weekly origins whose forecast errors calibrate the safety stock (each one a
    forecast of the catalogue: the refresh's cost grows with it)."""

    planning_model: str = "ensemble"
    """The forecast of the reorder levels: ensemble, moving_mean, imapa, tsb, adida or
    autotheta."""

    # -- operations (docs/operations.md) -----------------------------------------------
    hsts_seconds: int = 0
    """Send Strict-Transport-Security with this max-age on every answer (0: not sent). Set
    it when oms is reached over HTTPS only (behind a TLS-terminating proxy), e.g. 31536000."""

    log_level: str = "INFO"
    """The level of oms' JSON log lines on stderr (DEBUG, INFO, WARNING, ERROR)."""

    database_pgbouncer: bool = False
    """PostgreSQL is reached through PgBouncer in transaction pooling mode: psycopg makes
    no server-side prepared statements (also set by `?pgbouncer=1` in the URL)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
