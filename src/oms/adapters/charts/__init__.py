"""Charts drawn on the server (docs/decisions/0006-charts-with-matplotlib.md)."""
