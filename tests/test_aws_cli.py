"""``shiftsim serve``'s options: bad ones are usage errors, never tracebacks."""

from __future__ import annotations

import pytest

from shiftsim.cli import main


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["serve", "--port", "-5"], 2, "must be a port in [0, 65535]"),
        (["serve", "--port", "http"], 2, "must be a port number"),
        (["serve", "--clock", "sundial"], 2, "invalid choice"),
        (["serve", "--speed", "-1"], 1, "CodeDeployBox.speed must be a finite number >= 0"),
    ],
)
def test_bad_options(capsys, argv, code, message):
    assert main(argv) == code
    assert message in capsys.readouterr().err


def test_help_names_the_protocols(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "JSON 1.1" in out and "--endpoint-url" in out
