"""Typed errors for bad input, so a batch can report the file and the problem and go on."""

from __future__ import annotations

from pathlib import Path

from callqa.errors import CallQAError  # noqa: F401  (re-exported)
from callqa.models.errors import ModelNotFoundError  # noqa: F401  (re-exported)
from callqa.messages import printable, show_path


class AudioError(CallQAError):
    """A call recording that cannot be used; names the file and what is wrong with it."""

    problem = "unreadable audio"
    exit_code = 4  # the CLI's exit status: a bad input file

    def __init__(self, path: str | Path, detail: str = "") -> None:
        self.path = str(path)
        self.detail = detail
        # The name is quoted when it has spaces at an edge or hidden characters (an ANSI escape in
        # a file name must not reach a terminal); the detail is ours, but may quote header bytes.
        message = f"{show_path(self.path)}: {self.problem}"
        if detail:
            message += f" ({printable(detail, limit=None)})"
        super().__init__(message)


class EmptyAudioError(AudioError):
    problem = "empty file or no audio samples"


class TruncatedAudioError(AudioError):
    problem = "truncated audio file"


class NotAudioError(AudioError):
    problem = "not an audio file"


class UnsupportedCodecError(AudioError):
    problem = "unsupported audio codec"


class LayoutError(AudioError):
    problem = "channel layout does not match the recording"


class MissingAudioError(AudioError, FileNotFoundError):
    """No file at the path; also a FileNotFoundError so plain `except OSError` code still sees it."""

    problem = "file not found"


class RulePackError(CallQAError):
    """A rule pack with an unknown key or a bad value."""

    exit_code = 6  # the CLI's exit status: a configuration error
