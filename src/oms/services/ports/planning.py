"""What the planning services need: a forecaster (statsforecast, behind this port so that
the domain and the services never import it) and the order lines demand is read from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.planning.demand import DemandSeries, OrderedLine
from oms.domain.planning.models import Model


@dataclass(frozen=True, slots=True)
class ForecastJob:
    """Forecast each series `horizon` open days ahead with the median of its models."""

    series: Sequence[DemandSeries]
    horizon: int
    members: Mapping[str, tuple[Model, ...]]  # series key -> the models of its median


class Forecaster(Protocol):
    def forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        """Per series key, `horizon` daily forecasts (units, never negative)."""


class DemandLines(Protocol):
    def ordered_lines(self, since: datetime, until: datetime) -> list[OrderedLine]:
        """Order lines of orders placed in [since, until), with their order's cancellation."""
