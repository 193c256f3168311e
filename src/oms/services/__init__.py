"""Use cases: each one transaction through a unit of work, asking the domain to decide."""
