"""Tables of the intake bench: Rich on the terminal, the same figures as Markdown."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from intake_load import Level
from intake_pgbench import PgbenchRun
from intake_sellout import Check
from intake_setup import Machine

# The targets of the issue: at 32 clients, on the 1,000-product mix.
TARGET_CLIENTS = 32
TARGET_RATIO = 0.25
TARGET_P99_MS = 250.0
# The flash sale: 64 clients on the 10 hot products only.
TARGET_FLASH_P99_MS = 500.0


@dataclass
class Row:
    """One concurrency level, over every run: the medians, and errors summed."""

    clients: int
    http: list[Level] = field(default_factory=list)
    raw: list[Level] = field(default_factory=list)
    pgbench: list[PgbenchRun] = field(default_factory=list)
    label: str = ""

    def _median(self, values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    @property
    def rate(self) -> float:
        return self._median([x.rate for x in self.http])

    @property
    def p50(self) -> float:
        return self._median([x.percentile(50) for x in self.http])

    @property
    def p99(self) -> float:
        return self._median([x.percentile(99) for x in self.http])

    @property
    def errors(self) -> int:
        return sum(x.errors for x in self.http)

    @property
    def cpu(self) -> float:
        return self._median([x.cpu_per_order for x in self.http])

    @property
    def db_cpu(self) -> tuple[float, float]:
        """The database server's CPU ms per order under oms, and under the raw SQL."""
        return (
            self._median([x.db_cpu_per_order for x in self.http]),
            self._median([x.db_cpu_per_order for x in self.raw]),
        )

    @property
    def raw_rate(self) -> float:
        return self._median([x.rate for x in self.raw])

    @property
    def pgbench_rate(self) -> float:
        return self._median([x.tps for x in self.pgbench])

    @property
    def raw_errors(self) -> int:
        return sum(x.errors for x in self.raw)

    @property
    def ratio(self) -> float:
        """The median over runs of (HTTP rate / raw rate of the same run)."""
        pairs = zip(self.http, self.raw, strict=False)
        return self._median([h.rate / r.rate for h, r in pairs if r.rate])

    def error_kinds(self) -> str:
        kinds: Counter[str] = Counter()
        for level in self.http + self.raw:
            kinds.update(level.error_kinds)
        return ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())) or "-"


@dataclass
class SellOut:
    products: int
    units: int
    clients: int
    orders: int
    seconds: float
    oversold: int
    checks: list[Check]
    p50: float = float("nan")  # ms, the 201 answers
    p99: float = float("nan")


@dataclass
class Flash:
    """The flash-sale level, and what the database said after it."""

    row: Row
    checks: list[Check] = field(default_factory=list)
    oversold: int = 0

    def verdict(self) -> str:
        ok = self.row.p99 < TARGET_FLASH_P99_MS and self.oversold == 0
        ok = ok and all(c.ok for c in self.checks) and self.row.errors == 0
        return (
            f"flash sale ({self.row.clients} clients on the hot products) "
            f"{'MET' if ok else 'MISSED'}: p99 {self.row.p99:.0f} ms "
            f"(target < {TARGET_FLASH_P99_MS:.0f} ms), oversold {self.oversold}, "
            f"{self.row.errors} errors"
        )


@dataclass
class Result:
    """Everything measured on one database."""

    kind: str
    version: str
    runs: int = 0
    rows: dict[int, Row] = field(default_factory=dict)
    sellout: SellOut | None = None
    flash: Flash | None = None

    def row(self, clients: int) -> Row:
        return self.rows.setdefault(clients, Row(clients))

    def flash_row(self, clients: int) -> Row:
        if self.flash is None:
            self.flash = Flash(Row(clients, label=f"{clients} (flash)"))
        return self.flash.row

    def all_rows(self) -> list[Row]:
        return [*self.rows.values(), *([self.flash.row] if self.flash else [])]

    def verdict(self) -> str:
        row = self.rows.get(TARGET_CLIENTS)
        if row is None or not row.http:
            return f"targets not measured (no {TARGET_CLIENTS}-client level)"
        ratio_ok = row.ratio >= TARGET_RATIO
        p99_ok = row.p99 < TARGET_P99_MS or self.kind != "postgresql"
        parts = [f"{pct(row.ratio)} of the raw-SQL ceiling (target ≥ {pct(TARGET_RATIO)})"]
        if self.kind == "postgresql":
            parts.append(f"p99 {row.p99:.0f} ms (target < {TARGET_P99_MS:.0f} ms)")
        state = "MET" if ratio_ok and p99_ok else "MISSED"
        return f"target at {TARGET_CLIENTS} clients {state}: " + "; ".join(parts)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


HEADERS = [
    "clients",
    "orders/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "server CPU ms/order",
    "database CPU ms/order, oms / raw SQL",
    "raw SQL orders/s",
    "of the raw-SQL ceiling",
    "pgbench orders/s",
]


def cells(row: Row) -> list[str]:
    return [
        row.label or str(row.clients),
        f"{row.rate:.0f}",
        f"{row.p50:.1f}",
        f"{row.p99:.1f}",
        str(row.errors),
        f"{row.cpu:.1f}",
        "-" if math.isnan(row.db_cpu[0]) else "{:.1f} / {:.1f}".format(*row.db_cpu),
        f"{row.raw_rate:.0f}" + (f" ({row.raw_errors} err)" if row.raw_errors else ""),
        f"{pct(row.ratio)} of the raw-SQL ceiling",
        f"{row.pgbench_rate:.0f}" if row.pgbench else "-",
    ]


def print_tables(console: Console, results: list[Result], heading: dict[str, str]) -> None:
    for key, value in heading.items():
        console.print(f"[bold]{key}:[/] {value}")
    for result in results:
        table = Table(*HEADERS, title=f"Order intake over HTTP, {result.version}")
        for row in result.all_rows():
            table.add_row(*cells(row))
        table.caption = f"median of {result.runs} run(s); {result.verdict()}"
        console.print(table)
        if result.flash:
            flash = Table("check", "expected", "found", "", title=f"Flash sale, {result.version}")
            for c in result.flash.checks:
                flash.add_row(c.name, str(c.expected), str(c.found), "ok" if c.ok else "FAIL")
            flash.caption = result.flash.verdict()
            console.print(flash)
        if result.sellout:
            sell = result.sellout
            checks = Table("check", "expected", "found", "", title=f"Sell-out, {result.version}")
            for c in sell.checks:
                checks.add_row(c.name, str(c.expected), str(c.found), "ok" if c.ok else "FAIL")
            checks.caption = (
                f"{sell.clients} clients, {sell.orders} orders (201) in {sell.seconds:.1f} s, "
                f"p50 {sell.p50:.0f} ms, p99 {sell.p99:.0f} ms; oversold: {sell.oversold}"
            )
            console.print(checks)
            console.print(f"[bold]oversold: {sell.oversold}[/]")


def markdown(results: list[Result], heading: dict[str, str]) -> str:
    out = ["# Order intake bench", ""]
    out += [f"- {key}: {value}" for key, value in heading.items()]
    for result in results:
        out += ["", f"## {result.version}", ""]
        out += ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        out += ["| " + " | ".join(cells(row)) + " |" for row in result.all_rows()]
        verdict = result.verdict()
        out += ["", f"Median of {result.runs} run(s). {verdict[:1].upper()}{verdict[1:]}."]
        if result.flash:
            flash = result.flash.verdict()
            out += ["", f"{flash[:1].upper()}{flash[1:]}."]
            out += ["", "| check | expected | found | |", "|---|---|---|---|"]
            out += [
                f"| {c.name} | {c.expected} | {c.found} | {'ok' if c.ok else 'FAIL'} |"
                for c in result.flash.checks
            ]
        if result.runs > 1:
            out += ["", "Per run, orders/s over HTTP / in raw SQL:", ""]
            out += [
                f"- {r.clients} client{'s' if r.clients > 1 else ''}: "
                + ", ".join(
                    f"{h.rate:.0f} / {w.rate:.0f}" for h, w in zip(r.http, r.raw, strict=False)
                )
                for r in result.all_rows()
            ]
        kinds = [f"{r.clients}: {r.error_kinds()}" for r in result.all_rows() if r.errors]
        if kinds:
            out.append("Errors by kind (clients: kinds): " + "; ".join(kinds) + ".")
        if result.sellout:
            sell = result.sellout
            out += [
                "",
                f"Sell-out: {sell.units} units over {sell.products} products, "
                f"{sell.clients} clients, {sell.orders} orders accepted in {sell.seconds:.1f} s, "
                f"p50 {sell.p50:.0f} ms, p99 {sell.p99:.0f} ms.",
                "",
                "| check | expected | found | |",
                "|---|---|---|---|",
            ]
            out += [
                f"| {c.name} | {c.expected} | {c.found} | {'ok' if c.ok else 'FAIL'} |"
                for c in sell.checks
            ]
            out += ["", f"oversold: {sell.oversold}"]
    return "\n".join(out) + "\n"


def machine_heading(m: Machine, date: str, extra: dict[str, str]) -> dict[str, str]:
    return {"date": date, "machine": m.line(), **extra}
