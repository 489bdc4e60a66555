"""Model artifacts: unsafe model files found without ever loading them."""
