"""The one exception every callqa error derives from: the CLI prints it as `callqa: error: ...`.

It lives at the package root, outside the layers (docs/architecture.md), because every layer raises
it, the model provisioning at the bottom included.
"""

from __future__ import annotations


class CallQAError(Exception):
    """Base for every error callqa reports to a user instead of a traceback: the message names the
    file or setting and what is wrong.

    `exit_code` is the CLI's exit status for it (README "Exit codes"): 2 for this base class, a
    request the command cannot carry out as given (an unknown call id or draw, a bad date, a weak
    password), like argparse's usage errors; subclasses name their own (4 a bad input file, 5 a
    store error, 6 a configuration error)."""

    exit_code = 2

    def user_message(self) -> str:
        """The message as a terminal or page may show it: hidden characters escaped, layout kept."""
        from callqa.messages import printable  # here, so importing the base imports nothing

        return printable(str(self), limit=None, keep_newlines=True)


class ConfigError(CallQAError):
    """A settings file, rule pack or questionnaire that cannot be used: the CLI exits 6."""

    exit_code = 6
