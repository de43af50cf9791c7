"""Built-in autoencoder plugin (being written)."""
