"""Demo data for `oms demo`: a small shop's catalogue, stock and six weeks of orders."""

from oms.demo.loader import load_demo

__all__ = ["load_demo"]
