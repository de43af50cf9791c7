"""Built-in risk plugin (being written)."""
