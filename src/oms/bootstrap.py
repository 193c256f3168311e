"""The composition root: builds the engine and every adapter, and hands them to entrypoints
(API, pages, CLI, demo) through one container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from oms.adapters.db.carriers import CarrierBook
from oms.adapters.db.engine import create_engine
from oms.adapters.db.station import SqlStationViews
from oms.adapters.db.uow import Clock, SqlUnitOfWork, utc_now
from oms.adapters.db.views import SqlViews
from oms.adapters.documents.pdf import PdfDocuments
from oms.adapters.passwords import Argon2Passwords
from oms.adapters.payments.manual import ProviderBook
from oms.config import Settings
from oms.domain.fulfilment.backlog import BacklogProblem
from oms.domain.notifications.delivery import RetryPolicy
from oms.services.backlog import Solver, SolverAnswer
from oms.services.notifications import Transport, WorkerSettings
from oms.services.ports import UnitOfWork
from oms.services.ports.access import PasswordHasher
from oms.services.ports.documents import DocumentRenderer
from oms.services.ports.insight import (
    BusinessFacts,
    ChartRenderer,
    HistoryStore,
    OlistFiles,
    OpenOrders,
    Timelines,
)
from oms.services.ports.mailbox import Mailbox
from oms.services.ports.planning import DemandLines, Forecaster, PlanningCharts, PurchaseOrders
from oms.services.ports.replenishment import ReplenishmentStore
from oms.services.ports.stock_planning import StockPlanning
from oms.services.replenishment import PlanningSettings
from oms.services.station import StationViews
from oms.services.views import BackOfficeViews


@dataclass
class Container:
    """Everything long-lived a process needs; entrypoints ask it for a unit of work."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default=utc_now)
    passwords: PasswordHasher = field(default_factory=Argon2Passwords)
    documents: DocumentRenderer = field(default_factory=PdfDocuments)
    carriers: CarrierBook = field(default_factory=CarrierBook)
    providers: ProviderBook = field(default_factory=ProviderBook)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine, self.clock, self.passwords, self.documents, self.carriers, self.providers
        )

    def backlog_solver(self, time_limit_s: float) -> Solver:
        """The exact optimiser of `oms allocate` (SciPy's HiGHS, imported when asked for)."""
        from oms.adapters.solver.milp import plan_optimal

        def solve(problem: BacklogProblem) -> SolverAnswer:
            result = plan_optimal(problem, time_limit_s=time_limit_s)
            return SolverAnswer(result.plan, result.status, result.seconds)

        return solve

    def views(self, uow: SqlUnitOfWork) -> BackOfficeViews:
        """The back office's read queries, run inside this unit of work's transactions."""
        return SqlViews(uow)

    def station_views(self, uow: UnitOfWork) -> StationViews:
        """The warehouse station's read queries, in this unit of work's transactions (the
        pages hold their unit of work as the port; it is always this container's SQL one)."""
        assert isinstance(uow, SqlUnitOfWork)
        return SqlStationViews(uow)

    def history(self, uow: UnitOfWork) -> HistoryStore:
        """Where imported history is written, inside this unit of work's transactions."""
        from oms.adapters.db.history import SqlHistory

        assert isinstance(uow, SqlUnitOfWork)
        return SqlHistory(uow)

    def timelines(self, uow: UnitOfWork) -> Timelines:
        """The reports' reads of order timelines, inside this unit of work's transactions."""
        from oms.adapters.db.reports import SqlTimelines

        assert isinstance(uow, SqlUnitOfWork)
        return SqlTimelines(uow)

    def business_facts(self, uow: UnitOfWork) -> BusinessFacts:
        """The service, returns, cash and loyalty reports' reads (insight, issue 12)."""
        from oms.adapters.db.business_reports import SqlBusinessFacts

        assert isinstance(uow, SqlUnitOfWork)
        return SqlBusinessFacts(uow)

    def open_orders(self, uow: UnitOfWork) -> OpenOrders:
        """The aging report's read of open orders, inside this unit of work's transactions."""
        from oms.adapters.db.reports import SqlOpenOrders

        assert isinstance(uow, SqlUnitOfWork)
        return SqlOpenOrders(uow)

    # -- planning (issue #13) ------------------------------------------------------------------
    def demand_lines(self, uow: UnitOfWork) -> DemandLines:
        """Order lines as demand, inside this unit of work's transactions."""
        from oms.adapters.db.planning import SqlDemandLines

        assert isinstance(uow, SqlUnitOfWork)
        return SqlDemandLines(uow)

    def purchase_orders(self, uow: UnitOfWork) -> PurchaseOrders:
        """Suppliers and purchase orders, inside this unit of work's transactions."""
        from oms.adapters.db.purchase_orders import SqlPurchaseOrders

        assert isinstance(uow, SqlUnitOfWork)
        return SqlPurchaseOrders(uow)

    def replenishment(self, uow: UnitOfWork) -> ReplenishmentStore:
        """Reorder levels, positions and what they are computed from, inside this unit of
        work's transactions."""
        from oms.adapters.db.replenishment import SqlReplenishment

        assert isinstance(uow, SqlUnitOfWork)
        return SqlReplenishment(uow)

    def planning_settings(self) -> PlanningSettings:
        """Replenishment's settings (OMS_PLANNING_*)."""
        s = self.settings
        return PlanningSettings(
            {
                "A": s.planning_service_level_a,
                "B": s.planning_service_level_b,
                "C": s.planning_service_level_c,
            },
            s.planning_review_days,
            s.planning_history_days,
            s.planning_error_origins,
            s.planning_model,
        )

    def planning_charts(self) -> PlanningCharts:
        """The per-product planning chart as SVG (matplotlib, imported on the first chart)."""
        from oms.adapters.charts.planning_svg import SvgPlanningCharts

        return SvgPlanningCharts()

    def stock_planning(self, uow: UnitOfWork) -> StockPlanning:
        """Incoming stock and the stock reports' reads, inside this unit of work's
        transactions."""
        from oms.adapters.db.stock_planning import SqlStockPlanning

        assert isinstance(uow, SqlUnitOfWork)
        return SqlStockPlanning(uow)

    def forecaster(
        self, engine: str = "local", n_jobs: int = 1, scheduler: str | None = None
    ) -> Forecaster:
        """statsforecast (imported on the first forecast), on n_jobs processes or on the
        Dask cluster at `scheduler` (the `dask` extra)."""
        from oms.adapters.forecast.statsforecast import Engine, StatsForecaster

        return StatsForecaster(Engine(engine, n_jobs, scheduler))

    def olist_files(self, folder: Path) -> OlistFiles:
        """The Olist files of a folder (read into memory but the orders, which stream)."""
        from oms.adapters.history.olist_files import OlistFolder

        return OlistFolder(folder)

    def charts(self) -> ChartRenderer:
        """Charts as SVG (matplotlib, imported on the first chart)."""
        from oms.adapters.charts.svg import SvgCharts

        return SvgCharts()

    def transport(self) -> Transport:
        """How notices leave: SMTP when a server is set, else the mailbox folder; webhooks
        over HTTP with the private-address guard; the e-mail templates."""
        from pathlib import Path

        from oms.adapters.notifications.compose import TemplateComposer
        from oms.adapters.notifications.http import HttpxPoster
        from oms.adapters.notifications.mail import MailboxSender, SmtpSender, SmtpServer
        from oms.services.ports.notifications import EmailSender

        s = self.settings
        email: EmailSender
        if s.smtp_host:
            server = SmtpServer(
                s.smtp_host,
                s.smtp_port,
                s.smtp_security,
                s.smtp_user,
                s.smtp_password.get_secret_value() if s.smtp_password else None,
            )
            email = SmtpSender(server, s.mail_from, s.shop_name)
        else:
            email = MailboxSender(Path(s.mailbox_dir), s.mail_from, s.shop_name)
        return Transport(
            email=email,
            webhooks=HttpxPoster(s.webhooks_allow_private),
            composer=TemplateComposer(s.shop_name, s.public_url, s.default_language),
            message_domain=s.mail_from.rpartition("@")[2] or "oms.invalid",
        )

    def mailbox(self) -> Mailbox | None:
        """The folder e-mails are written to, or None when they go to an SMTP server."""
        from pathlib import Path

        from oms.adapters.notifications.mailbox import MailboxFolder

        if self.settings.smtp_host:
            return None
        return MailboxFolder(Path(self.settings.mailbox_dir))

    def webhook_guard(self) -> Callable[[str], None]:
        """The check a new webhook URL passes (services/webhooks.py): http(s), and no
        loopback, link-local or private address unless OMS_WEBHOOKS_ALLOW_PRIVATE is set.
        Read at each call, so a test may change the setting on a live container."""
        from oms.adapters.notifications.http import check_url

        def guard(url: str) -> None:
            check_url(url, self.settings.webhooks_allow_private)

        return guard

    def worker_settings(self) -> WorkerSettings:
        s = self.settings
        return WorkerSettings(
            retry=RetryPolicy(s.outbox_retry_base_seconds, s.outbox_max_attempts),
            lease=timedelta(seconds=s.worker_lease_seconds),
            batch=s.worker_batch,
        )

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Container:
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        echo=settings.sql_echo,
        pgbouncer=settings.database_pgbouncer,
    )
    return Container(settings, engine, clock)
