"""Store reads and writes for the call-centred review queue: one row per call with its flags, search by call id, handler and date, all calls (flagged or not), bulk decisions."""

from __future__ import annotations

from callqa.store.base import StoreBase


class QueueMixin(StoreBase):
    """(Filled in by the work on issue 15.)"""
