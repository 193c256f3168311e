"""The per-product planning chart as SVG (matplotlib's object API, like svg.py): weekly
demand history, the weekly forecast with its 80% interval, the reorder point and the units
available now, told apart by line style and markers as well as colour."""

from __future__ import annotations

from datetime import date

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from oms.adapters.charts.svg import P50, P90, _svg
from oms.services.ports.planning import PlanChart

FORECAST = "#a33a00"
REORDER = "#2d6a2d"
AVAILABLE = "#5b2d8a"


class SvgPlanningCharts:
    def product_chart(self, plan: PlanChart, title: str) -> str:
        fig = Figure(figsize=(8, 3.8), dpi=96)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        weeks = sorted({d for d, _ in plan.history} | {d for d, *_ in plan.forecast})
        first = weeks[0] if weeks else date.today()

        def x(day: date) -> int:
            return (day - first).days

        if plan.history:
            ax.plot(
                [x(d) for d, _ in plan.history],
                [u for _, u in plan.history],
                "-o",
                color=P50,
                markersize=3,
                label="demand per week",
            )
        if plan.forecast:
            xs = [x(d) for d, *_ in plan.forecast]
            ax.fill_between(
                xs,
                [lo for *_, lo, _ in plan.forecast],
                [hi for *_, hi in plan.forecast],
                color=P90,
                alpha=0.6,
                label="80% interval",
            )
            ax.plot(
                xs,
                [f for _, f, _, _ in plan.forecast],
                "--s",
                color=FORECAST,
                markersize=3,
                label="forecast per week",
            )
        if weeks:
            end = x(weeks[-1]) + 6
            if plan.reorder_point is not None:
                ax.hlines(
                    plan.reorder_point,
                    0,
                    end,
                    colors=REORDER,
                    linestyles=":",
                    label=f"reorder point ({plan.reorder_point:,.0f})",
                )
            ax.hlines(
                plan.available,
                0,
                end,
                colors=AVAILABLE,
                linestyles="-.",
                label=f"available now ({plan.available:,.0f})",
            )
            step = max(1, -(-len(weeks) // 8))  # at most 8 labelled weeks
            ax.set_xticks([x(d) for d in weeks[::step]], [d.isoformat() for d in weeks[::step]])
        ax.set_ylabel("units")
        ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=11)
        if weeks:
            ax.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=8, frameon=False
            )
        else:
            ax.text(
                0.5,
                0.5,
                "no demand and no forecast yet",
                transform=ax.transAxes,
                ha="center",
                va="center",
            )
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        fig.tight_layout()
        return _svg(fig)
