"""Payment providers: the built-in manual one, and where others are registered."""
