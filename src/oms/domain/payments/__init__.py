"""Money on an order: what a line costs, what was paid, what is refunded and why."""
