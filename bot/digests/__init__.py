"""Digests for neighbourhood teams: disclosure control, the report, the scrubber."""
