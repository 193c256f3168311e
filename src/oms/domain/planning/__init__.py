"""Planning: demand history, forecasts' accuracy measures, intermittency, reorder levels."""
