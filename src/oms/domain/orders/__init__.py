"""Orders: their lines, statuses and the transitions between them."""
