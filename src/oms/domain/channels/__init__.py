"""Sales channels as records: their settings and the rules that read them."""
