"""Products and locations: what is sold and where it is kept."""
