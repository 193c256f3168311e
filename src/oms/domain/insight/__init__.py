"""Insight: how long orders spend in each stage, read from their timelines (pure rules)."""
