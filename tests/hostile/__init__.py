"""Hostile input: generated files that every entry point must refuse cleanly (issue 16)."""
