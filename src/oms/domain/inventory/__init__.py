"""Inventory: stock per product and location, reservations and the ledger that explains them."""
