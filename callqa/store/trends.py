"""Store reads for the trend pages: per operator, team and indicator over time, with n."""

from __future__ import annotations

from callqa.store.base import StoreBase


class TrendsMixin(StoreBase):
    """(Filled in by the work on issue 15.)"""
