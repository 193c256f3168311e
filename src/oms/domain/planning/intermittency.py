"""Which products have intermittent demand: Syntetos and Boylan's classification by the
average demand interval (ADI, open days per day with demand) and the squared coefficient of
variation of the non-zero demands (CV²), with their cut-offs 1.32 and 0.49."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

ADI_CUT = 1.32
CV2_CUT = 0.49


class Pattern(StrEnum):
    SMOOTH = "smooth"  # frequent and regular
    ERRATIC = "erratic"  # frequent, sizes vary a lot
    INTERMITTENT = "intermittent"  # rare, sizes regular
    LUMPY = "lumpy"  # rare and sizes vary a lot
    NONE = "none"  # no demand at all in the window

    @property
    def intermittent(self) -> bool:
        """Rare demand: the Croston family (IMAPA, TSB, ADIDA) models it, Theta does not."""
        return self in (Pattern.INTERMITTENT, Pattern.LUMPY, Pattern.NONE)


@dataclass(frozen=True, slots=True)
class DemandShape:
    adi: float
    cv2: float
    pattern: Pattern


def classify(units: Sequence[float]) -> DemandShape:
    """ADI = open days / days with demand; CV² = (std / mean)² of the non-zero demands
    (population variance)."""
    sizes = [u for u in units if u > 0]
    if not sizes:
        return DemandShape(float("inf"), 0.0, Pattern.NONE)
    adi = len(units) / len(sizes)
    mean = sum(sizes) / len(sizes)
    var = sum((s - mean) ** 2 for s in sizes) / len(sizes)
    cv2 = var / mean**2
    rare = adi >= ADI_CUT
    varied = cv2 >= CV2_CUT
    if rare:
        pattern = Pattern.LUMPY if varied else Pattern.INTERMITTENT
    else:
        pattern = Pattern.ERRATIC if varied else Pattern.SMOOTH
    return DemandShape(adi, cv2, pattern)
