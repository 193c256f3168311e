"""Mathematical optimisation: SciPy's `milp` (HiGHS) behind plain domain types."""
