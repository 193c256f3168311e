"""What the label and the A4 documents print the same way: the fonts, the author in the
PDF metadata, weights and dates.

Only the PDF base fonts (Helvetica) are used, so nothing has to be installed or embedded;
they cover the Windows-1252 repertoire (Western European text), other characters print as
a box.
"""

from __future__ import annotations

from datetime import date

AUTHOR = "oms"

_BOLD = "Helvetica-Bold"
_REGULAR = "Helvetica"


def _kg(grams: int) -> str:
    """A weight in kilograms, exact, with at least two decimals: 1250 -> `1.25 kg`."""
    kilos, rest = divmod(grams, 1000)
    decimals = f"{rest:03d}"
    if decimals.endswith("0"):
        decimals = decimals[:2]
    return f"{kilos}.{decimals} kg"


def _iso(day: date) -> str:
    return day.isoformat()
