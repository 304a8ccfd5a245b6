"""Scrutiny panels: random, auditable samples of stored, scored calls."""
