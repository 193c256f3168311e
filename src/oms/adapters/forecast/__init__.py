"""Forecasting engines behind services/ports/planning.Forecaster."""
