"""Carriers behind one interface (services.ports.CarrierGateway): the built-in one first."""
