"""Store reads and writes for operators' feedback: which calls are an operator's, acknowledgements, disputes and their resolution by a QA lead."""

from __future__ import annotations

from callqa.store.base import StoreBase


class FeedbackMixin(StoreBase):
    """(Filled in by the work on issue 15.)"""
