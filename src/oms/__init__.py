"""oms: an order management system that follows every order from checkout to the door and back."""

__version__ = "0.1.0"
