"""The outside world: database, and later carriers, channels, email and documents."""
