"""Store reads and writes for agreement between the automated flags and QA leads' decisions, per indicator and rules version, over time; the decisions `callqa rules tune` learns from."""

from __future__ import annotations

from callqa.store.base import StoreBase


class AgreementMixin(StoreBase):
    """(Filled in by the work on issue 15.)"""
