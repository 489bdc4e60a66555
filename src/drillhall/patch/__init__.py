"""Patch drills: dependency inventory, advisories, patch lag, and upgrade trials."""
