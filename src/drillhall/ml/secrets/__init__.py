"""Credentials embedded in repositories, mobile apps and bundles."""
