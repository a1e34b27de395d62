"""Residents: their conversation, events, notice choices, safeguarding, language hints."""
