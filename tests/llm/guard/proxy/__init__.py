"""Tests of the LLM guard proxy."""
