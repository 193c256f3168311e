"""Order history from files of other systems."""
