"""The one exception every callqa error derives from: the CLI prints it as `callqa: error: ...`.

It lives at the package root, outside the layers (docs/architecture.md), because every layer raises
it, the model provisioning at the bottom included.
"""

from __future__ import annotations


class CallQAError(Exception):
    """Base for every error callqa reports to a user instead of a traceback: the message names the
    file or setting and what is wrong."""

    def user_message(self) -> str:
        """The message as a terminal or page may show it: hidden characters escaped, layout kept."""
        from callqa.messages import printable  # here, so importing the base imports nothing

        return printable(str(self), limit=None, keep_newlines=True)
