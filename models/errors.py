"""Errors of model provisioning (the bottom layer: it imports nothing else of callqa but the base)."""

from __future__ import annotations

from callqa.errors import CallQAError


class ModelNotFoundError(CallQAError):
    """No usable speech-model weights; the message says how to provision them."""
