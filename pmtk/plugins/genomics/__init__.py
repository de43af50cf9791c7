"""Built-in genomics plugin (being written)."""
