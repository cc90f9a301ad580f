"""The errors shiftsim raises.

Every error is a :class:`ShiftsimError`. Errors about what a user gave (a configuration, an alarm,
a deployment parameter, an AppSpec file) also subclass :class:`ValueError`, so code that already
catches ``ValueError`` keeps working. Outcomes of a simulated deployment (alarms, rollbacks, failed
instances) are never raised: they are recorded in the result.
"""

from __future__ import annotations

from shiftsim._text import escape

__all__ = [
    "AppSpecError",
    "ConfigError",
    "FileError",
    "ShiftsimError",
    "UnsupportedScenarioError",
]


class ShiftsimError(Exception):
    """Root of every error shiftsim raises."""


class ConfigError(ShiftsimError, ValueError):
    """A configuration, alarm or deployment parameter breaks one of CodeDeploy's rules.

    The message names the field, shows the value and states the rule, for example
    ``TimeBasedLinear.linear_percentage must be an integer in [1, 99]; got 150.``
    """


class AppSpecError(ShiftsimError, ValueError):
    """An AppSpec file, SAM template or scenario file is malformed.

    Attributes
    ----------
    source : str
        The file name, or ``"<string>"`` for text.
    line : int or None
        1-based line of the offending node, when known.
    path : str
        Key path inside the document, e.g. ``hooks.BeforeInstall[0].timeout``.
    """

    def __init__(
        self, message: str, *, source: str = "<string>", line: int | None = None, path: str = ""
    ) -> None:
        self.source = source
        self.line = line
        self.path = path
        self.message = message
        shown = escape(source)
        where = shown if line is None else f"{shown}:{line}"
        at = f" at {path}" if path else ""
        super().__init__(f"{where}{at}: {message}")


class FileError(AppSpecError):
    """A file cannot be read as text: missing, unreadable, not a regular file (a directory, a
    named pipe, a device), larger than the limit for its kind, or not in a supported encoding.

    It is an :class:`AppSpecError` (same attributes; ``line`` is set for decoding errors), so
    code that handles malformed files handles unreadable ones too.
    ``/work/x.yml: the scenario file is a named pipe (FIFO); shiftsim reads regular files only``
    """


class UnsupportedScenarioError(ShiftsimError, NotImplementedError):
    """A scenario uses a feature an engine does not model (yet).

    shiftsim never falls back silently to different semantics: it names the feature instead.
    """
