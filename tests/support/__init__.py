"""Helpers shared by the test suite (clock, databases, images, gateway)."""
