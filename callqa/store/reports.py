"""Store reads and writes for the morning report's reads: a run's flags with their call metadata, and rates per area and indicator over past nights."""

from __future__ import annotations

from callqa.store.base import StoreBase


class ReportsMixin(StoreBase):
    """(Filled in by the work on issue 15.)"""
