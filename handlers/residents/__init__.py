"""Handlers for what residents send."""
