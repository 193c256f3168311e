"""Fulfilment: tracking numbers, ship and delivery dates, carrier rates and shipment statuses."""
