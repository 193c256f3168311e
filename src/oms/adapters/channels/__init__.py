"""Sales channels' formats: CSV files of orders, shop platforms' order webhooks."""
