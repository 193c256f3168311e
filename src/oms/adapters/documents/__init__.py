"""Renderers of the printed fulfilment documents (pick lists, packing slips, labels)."""
