"""Handlers for what officers and admins send."""
