"""The forecasting models oms offers and which of them forecast a product by default."""

from __future__ import annotations

from enum import StrEnum

from oms.domain.errors import FieldErrors
from oms.domain.planning.intermittency import Pattern


class Model(StrEnum):
    MOVING_MEAN = "moving_mean"  # the mean of the last 28 open days
    IMAPA = "imapa"  # intermittent multiple aggregation prediction algorithm
    TSB = "tsb"  # Teunter-Syntetos-Babai: demand size and probability smoothed apart
    ADIDA = "adida"  # aggregate-disaggregate intermittent demand approach
    AUTOTHETA = "autotheta"  # the Theta method, its variant chosen per series


ENSEMBLE = "ensemble"
ALL_MODELS = tuple(Model)
# Theta extrapolates a level and a trend: right for frequent demand, wrong for rare demand,
# whose intermittent products the Croston family and the moving mean forecast instead.
INTERMITTENT_MODELS = (Model.MOVING_MEAN, Model.IMAPA, Model.TSB, Model.ADIDA)


def members(pattern: Pattern, choice: str = ENSEMBLE) -> tuple[Model, ...]:
    """The models whose median is the forecast: one model when chosen, else the ensemble
    (all five; the four without Theta for an intermittent product)."""
    if choice != ENSEMBLE:
        return (Model(choice),)
    return INTERMITTENT_MODELS if pattern.intermittent else ALL_MODELS


def check_choice(choice: str, field: str = "model") -> str:
    if choice != ENSEMBLE and choice not in {m.value for m in Model}:
        errors = FieldErrors()
        errors.add(field, f"one of {ENSEMBLE}, " + ", ".join(m.value for m in Model))
        errors.raise_if_any()
    return choice


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
