"""The rules of the trade: pure Python, no I/O, no framework imports."""
