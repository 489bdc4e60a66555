"""MLOps security drills."""
