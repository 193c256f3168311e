"""Charts as SVG text with matplotlib's object API (no pyplot: no global figure state, so
requests may draw at once), text kept as text so that it scales and can be read out."""

from __future__ import annotations

import io

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from oms.domain.insight.flow import Flow, Waiting
from oms.domain.insight.stages import Stage, StageReport

# Colours that keep 3:1 contrast with white and with each other's labels (WCAG 1.4.11).
P50 = "#1f5f99"
P90 = "#9bbfe0"
BOTTLENECK = "#a33a00"


LINES = {  # colour and dash per stage: told apart without colour too
    Waiting.AWAITING_CONFIRMATION: ("#1f5f99", "-"),
    Waiting.AWAITING_SHIPMENT: ("#a33a00", "--"),
    Waiting.IN_TRANSIT: ("#2d6a2d", ":"),
}


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):
        fig.savefig(out, format="svg", metadata={"Date": None}, transparent=True)
    svg = out.getvalue()
    # The XML prolog and DOCTYPE are for files; the <svg> element is enough.
    return svg[svg.index("<svg") :]


def _lines_finished(fig: Figure, ax: Axes, title: str, labels: list[str]) -> str:
    """A line chart's title, legend under it, at most 8 labelled x ticks; as SVG."""
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    xs = list(range(len(labels)))
    step = max(1, -(-len(xs) // 8))
    ax.set_xticks(xs[::step], labels[::step])
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    return _svg(fig)


class SvgCharts:
    def wip_chart(self, found: Flow, title: str) -> str:
        fig = Figure(figsize=(8, 3.6), dpi=96)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        days = list(range(len(found.days)))
        for stage, (colour, dash) in LINES.items():
            label = stage.value.replace("_", " ")
            ax.plot(days, [d.wip[stage] for d in found.days], dash, color=colour, label=label)
        ax.set_ylabel("orders waiting at the end of the day")
        return _lines_finished(fig, ax, title, [d.day.isoformat() for d in found.days])

    def trend_chart(
        self, weeks: list[str], medians: dict[Stage, list[float | None]], title: str
    ) -> str:
        """A line per step: its median hours in each week (a gap where a week had none)."""
        fig = Figure(figsize=(8, 3.6), dpi=96)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        xs = list(range(len(weeks)))
        for (stage, values), (colour, dash) in zip(medians.items(), LINES.values(), strict=False):
            ys = [float("nan") if v is None else v for v in values]
            label = stage.value.replace("_", " ")
            ax.plot(xs, ys, dash, color=colour, label=label, marker="o", markersize=3)
        ax.set_ylabel("median hours")
        return _lines_finished(fig, ax, title, weeks)

    def stage_chart(self, report: StageReport, title: str) -> str:
        """Horizontal bars per stage: the median and the 90th percentile, in hours; the
        bottleneck's median bar in another colour and named in the labels."""
        stages = [s for s in report.stages if s.hours.count]
        labels = [
            s.stage.value.replace("_", " ")
            + (" (bottleneck)" if s.stage == report.bottleneck else "")
            for s in stages
        ]
        fig = Figure(figsize=(8, 0.7 * max(len(stages), 1) + 1.4), dpi=96)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        ys = list(range(len(stages)))[::-1]
        height = 0.38
        p90 = [s.hours.p90 or 0.0 for s in stages]
        p50 = [s.hours.p50 or 0.0 for s in stages]
        colours = [BOTTLENECK if s.stage == report.bottleneck else P50 for s in stages]
        ax.barh([y - height / 2 for y in ys], p90, height, color=P90, label="p90")
        ax.barh([y + height / 2 for y in ys], p50, height, color=colours, label="p50 (median)")
        for y, a, b in zip(ys, p50, p90, strict=True):
            ax.text(a, y + height / 2, f" {a:,.1f} h", va="center", fontsize=8)
            ax.text(b, y - height / 2, f" {b:,.1f} h", va="center", fontsize=8)
        ax.set_yticks(ys, labels)
        ax.set_xlabel("hours")
        ax.set_title(title, fontsize=11)
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.15)
        fig.tight_layout()
        return _svg(fig)

    def bar_chart(self, labels: list[str], values: list[float], title: str, unit: str) -> str:
        """Horizontal bars, one per label (top to bottom), each value written beside it."""
        fig = Figure(figsize=(8, 0.45 * max(len(labels), 1) + 1.3), dpi=96)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        ax.barh(ys, values, 0.6, color=P50)
        for y, v in zip(ys, values, strict=True):
            ax.text(v, y, f" {v:,.1f} {unit}", va="center", fontsize=8)
        ax.set_yticks(ys, labels)
        ax.set_title(title, fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.2)
        fig.tight_layout()
        return _svg(fig)
