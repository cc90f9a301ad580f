"""The ``shiftsim`` command, through its entry point: exit codes, output, errors."""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import shiftsim.cli
from shiftsim.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
LAMBDA = str(EXAMPLES / "lambda-canary.yml")
ECS = str(EXAMPLES / "ecs-linear.yml")
SERVER = str(EXAMPLES / "server-in-place.yml")
COMMANDS = (
    "configs",
    "schedule",
    "simulate",
    "montecarlo",
    "compare",
    "sweep",
    "validate",
    "demo",
)
SCRIPT = Path(sys.executable).with_name("shiftsim")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_module_doctests() -> None:
    result = doctest.testmod(shiftsim.cli, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------------- entry point
@pytest.mark.slow
def test_console_script_is_installed_and_runs() -> None:
    assert SCRIPT.is_file(), "pip install -e . declares shiftsim = shiftsim.cli:main"
    done = subprocess.run(
        [str(SCRIPT), "schedule", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "AllowTraffic ends at minute 9."


@pytest.mark.slow
def test_demo_through_the_console_script(tmp_path: Path) -> None:
    """``make demo``: 9 Lambda configurations x 4 alarm designs, both sides of the trade-off,
    the frontier named, a figure."""
    done = subprocess.run(
        [str(SCRIPT), "demo"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["configuration"])
    assert lines[header].split() == [
        "configuration",
        "alarm",
        "missed",
        "%",
        "false",
        "rollbacks",
        "%",
        "exposure",
        "errors",
        "detect",
        "min",
        "duration",
        "min",
    ]
    rows = lines[header + 1 : header + 37]
    assert len(rows) == 36 and all(r[3:].split()[0] for r in rows)
    assert rows[0][3:].startswith("Canary10Percent5Minutes")
    assert rows[-1][3:].startswith("AllAtOnce")
    assert "10,000 times with the same seed" in done.stdout
    assert "Pareto frontier" in done.stdout and "Fewest bad requests served" in done.stdout
    assert any(r.startswith("*") for r in rows)
    figure = tmp_path / shiftsim.cli.DEMO_FIGURE
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert lines[-1] == f"wrote the figure to {figure}"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: shiftsim {command}")


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in COMMANDS:
        assert f"    {command}" in out
    code, _, err = run(capsys)
    assert code == 2 and err.startswith("usage: shiftsim")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "simulat", LAMBDA)
    assert code == 2 and "invalid choice: 'simulat'" in err
    code, _, err = run(capsys, "montecarlo", LAMBDA, "--runs", "0")
    assert code == 2 and "must be a positive integer; got '0'" in err


# ---------------------------------------------------------------------------------- configs
def test_configs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "configs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["name", "platform", "rule"]
    assert len(lines) == 1 + 17
    assert any(
        line.split()[:2] == ["CodeDeployDefault.OneAtATime", "Server"]
        and line.endswith("MOST_CONCURRENCY 1")
        for line in lines
    )
    code, out, _ = run(capsys, "configs", "--platform", "ECS", "--json")
    records = json.loads(out)
    assert [r["name"] for r in records][-1] == "CodeDeployDefault.ECSAllAtOnce"
    assert records[0]["trafficRoutingConfig"]["type"] == "TimeBasedLinear"


def test_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schedule", "Linear10PercentEvery10Minutes", "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["name"] == "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"
    assert payload["shifts"][-1] == {"minute": 90, "percent": 100}
    assert payload["allow_traffic_minutes"] == 90
    code, out, _ = run(
        capsys,
        "schedule",
        "Linear10PercentEvery10Minutes",
        "--linear-completion",
        "interval_after",
    )
    assert out.splitlines()[-1] == "AllowTraffic ends at minute 100."


def test_schedule_of_an_unknown_name_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schedule", "CodeDeployDefault.ECSLinear10PercentEvery1Minute")
    assert code == 1 and out == ""
    assert err.startswith("shiftsim schedule: error: get_config:")
    assert "did you mean 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'" in err
    code, _, err = run(capsys, "schedule", "CodeDeployDefault.HalfAtATime")
    assert code == 1 and "it has no traffic schedule" in err


# ---------------------------------------------------------------------------------- simulate
def test_simulate_lambda_prints_summary_and_events(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", LAMBDA)
    assert code == 0
    assert out.splitlines()[0] == (
        "checkout-api canary with a bad release: Lambda, "
        "CodeDeployDefault.LambdaCanary10Percent5Minutes, seed 7"
    )
    assert "error_code            ALARM_ACTIVE" in out
    assert "events:" in out and "TrafficShift" in out and "Rollback" in out
    assert "deployments:" in out and "codeDeployRollback" in out


def test_simulate_seed_and_engine(capsys: pytest.CaptureFixture[str]) -> None:
    _, core, _ = run(capsys, "simulate", LAMBDA, "--seed", "3", "--json")
    _, kernel, _ = run(capsys, "simulate", LAMBDA, "--seed", "3", "--json", "--engine", "kernel")
    core_payload, kernel_payload = json.loads(core), json.loads(kernel)
    assert core_payload["seed"] == 3
    # One model, two engines: the same seed gives the same run.
    assert core_payload["summary"] == kernel_payload["summary"]


def test_simulate_ecs_on_the_kernel_keeps_its_task_sets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, core, _ = run(capsys, "simulate", ECS, "--json")
    _, kernel, _ = run(capsys, "simulate", ECS, "--json", "--engine", "kernel")
    assert json.loads(core)["summary"] == json.loads(kernel)["summary"]
    assert json.loads(core)["task_sets"] == json.loads(kernel)["task_sets"]


def test_simulate_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", ECS, "--json")
    payload = json.loads(out)
    assert code == 0
    assert set(payload) == {
        "scenario",
        "platform",
        "config",
        "seed",
        "summary",
        "task_sets",
        "events",
        "deployments",
    }
    assert payload["summary"]["status"] in ("Succeeded", "Failed", "Stopped")
    assert payload["events"][0]["event"] == "Start"
    assert {row["task_set"] for row in payload["task_sets"]} == {"original", "replacement"}


@pytest.mark.slow
def test_simulate_server_with_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "fleet.png"
    code, out, _ = run(capsys, "simulate", SERVER, "--plot", str(png))
    assert code == 0
    assert "instances:" in out and "ScriptFailed" in out
    assert out.splitlines()[-1] == f"wrote the figure to {png}"
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow  # over a second on a 2-core machine
def test_simulate_json_with_plot_keeps_stdout_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    png = tmp_path / "traffic.png"
    code, out, err = run(capsys, "simulate", LAMBDA, "--json", "--plot", str(png))
    assert code == 0 and json.loads(out)["platform"] == "Lambda"
    assert err.strip() == f"wrote the figure to {png}"
    assert png.is_file()


def test_simulate_without_a_seed_prints_the_one_it_drew(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "s.yml"
    scenario.write_text("platform: Lambda\nconfig: AllAtOnce\n")
    _, out, _ = run(capsys, "simulate", str(scenario), "--json")
    seed = json.loads(out)["seed"]
    _, again, _ = run(capsys, "simulate", str(scenario), "--json", "--seed", str(seed))
    assert json.loads(again)["summary"] == json.loads(out)["summary"]


def test_simulate_errors_go_to_stderr_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "simulate", str(tmp_path / "missing.yml"))
    assert code == 1 and out == ""
    assert (
        err == f"shiftsim simulate: error: {tmp_path / 'missing.yml'}: cannot read the scenario "
        "file: no such file\n"
    )
    bad = tmp_path / "bad.yml"
    bad.write_text("platform: Lambda\nconfig: AllAtOnce\nalarms:\n  - {name: e, treshold: 1}\n")
    code, out, err = run(capsys, "simulate", str(bad))
    assert code == 1 and out == ""
    assert err == (
        f"shiftsim simulate: error: {bad}:4: alarms[0].treshold: unknown key; "
        "did you mean 'threshold'?\n"
    )
    broken = tmp_path / "broken.yml"
    broken.write_text("platform: [Lambda\n")
    code, _, err = run(capsys, "simulate", str(broken))
    assert code == 1 and err.startswith(f"shiftsim simulate: error: {broken}:")
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------- many runs
@pytest.mark.slow
def test_montecarlo_text_json_and_progress(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a bar only on a terminal
    code, out, err = run(capsys, "montecarlo", LAMBDA, "--runs", "2000")
    assert code == 0
    assert "2,000 runs, seed 7" in out
    assert "rolled back" in out and "errors served before the end" in out
    assert "errors served in the incident (exposure)" in out
    assert "monte_carlo: 100%" in err  # tqdm's bar, on stderr
    png = tmp_path / "risk.png"
    code, out, err = run(
        capsys,
        "montecarlo",
        LAMBDA,
        "--runs",
        "2000",
        "--json",
        "--no-progress",
        "--plot",
        str(png),
    )
    payload = json.loads(out)
    assert payload["runs"] == 2000 and payload["seed"] == 7
    assert 0.5 < payload["summary"]["rollback_rate"]["estimate"] <= 1
    assert "monte_carlo" not in err and png.is_file()


@pytest.mark.slow  # over 0.2 s: keeps the fast subset under 20 s
def test_montecarlo_of_a_server_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    png = tmp_path / "server-risk.png"
    code, out, _ = run(
        capsys, "montecarlo", SERVER, "--runs", "10", "--no-progress", "--plot", str(png)
    )
    assert code == 0
    assert "rolled back" in out and "failed" in out
    assert png.stat().st_size > 0


@pytest.mark.slow
def test_compare_a_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a bar only on a terminal
    png = tmp_path / "compare.png"
    code, out, err = run(
        capsys,
        "compare",
        ECS,
        "--runs",
        "500",
        "--plot",
        str(png),
        "--configs",
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "CodeDeployDefault.ECSAllAtOnce",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert (
        "2 configurations x a bad and a good release, 500 runs each, seed 11 (common random "
        "numbers)" in lines[0]
    )
    assert lines[2].split()[:3] == ["configuration", "missed", "%"]
    assert [line[3:].split()[0] for line in lines[3:5]] == [
        "Canary10Percent5Minutes",
        "AllAtOnce",
    ]
    assert lines[4][3:].split()[1] == "100.0"  # AllAtOnce: every bad release escapes (D4)
    assert "Pareto frontier" in out
    assert "compare: 100%" in err
    assert png.is_file()


def test_compare_a_server_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11: this was a KeyError traceback. Server: a miss is a bad revision that
    Succeeded; a false rollback a good one (no script faults) that failed or rolled back."""
    code, out, err = run(
        capsys,
        "compare",
        SERVER,
        "--runs",
        "5",
        "--no-progress",
        "--configs",
        "CodeDeployDefault.OneAtATime",
        "CodeDeployDefault.HalfAtATime",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2].split() == [
        "configuration",
        "missed",
        "%",
        "false",
        "rollbacks",
        "%",
        "duration",
        "min",
    ]
    one, half = (line[3:].split() for line in lines[3:5])
    assert one[:2] == ["OneAtATime", "0.0"]  # stops at the first failing instance
    assert half[:2] == ["HalfAtATime", "100.0"]  # 3 failures of 9 are within its budget
    assert lines[3].startswith("*")


@pytest.mark.slow
def test_compare_json_has_rows_and_the_frontier(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--runs", "200", "--json", "--no-progress")
    payload = json.loads(out)
    assert code == 0 and payload["scenario"] == "the demo's releases"
    assert len(payload["rows"]) == 9
    assert payload["rows"][-1]["config"] == "CodeDeployDefault.LambdaAllAtOnce"
    assert {"miss_rate", "false_rollback_rate", "exposure_errors"} <= set(payload["rows"][0])
    assert payload["constraints"] == {"false_rollback_rate": 0.05}
    assert set(payload["frontier"]) <= {row["label"] for row in payload["rows"]}


def test_compare_rejects_a_config_of_another_platform(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "compare", LAMBDA, "--runs", "10", "--configs", "CodeDeployDefault.ECSAllAtOnce"
    )
    assert code == 1 and "must be a Lambda configuration" in err


@pytest.mark.slow
def test_sweep_alarm_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "sweep.png"
    code, out, err = run(
        capsys,
        "sweep",
        LAMBDA,
        "--axis",
        "alarms[0].evaluation_periods=1,2",
        "--axis",
        "alarms[0].threshold=0,2",
        "--runs",
        "300",
        "--no-progress",
        "--max-duration",
        "30",
        "--plot",
        str(png),
    )
    assert code == 0, err
    lines = out.splitlines()
    assert "4 grid points x a bad and a good release, 300 runs each" in lines[0]
    assert lines[2].split()[:2] == ["evaluation_periods", "threshold"]
    assert [line[3:].split()[:2] for line in lines[3:7]] == [
        ["1", "0"],
        ["1", "2"],
        ["2", "0"],
        ["2", "2"],
    ]
    assert "duration <= 30 min" in out
    assert png.is_file()


@pytest.mark.parametrize(
    ("axis", "message"),
    [
        ("threshold", "--axis must be PATH=V1,V2"),
        ("alarms[9].threshold=1", "index 9 is out of range"),
        ("alarms[0].nope=1", "Alarm has no field 'nope'"),
    ],
)
def test_sweep_axis_errors(capsys: pytest.CaptureFixture[str], axis: str, message: str) -> None:
    code, _, err = run(capsys, "sweep", LAMBDA, "--axis", axis, "--runs", "5")
    assert code == 1 and message in err and "Traceback" not in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "montecarlo", LAMBDA, "--runs", "200")
    assert code == 0 and "monte_carlo" not in err and "\r" not in err


@pytest.mark.parametrize("command", ["simulate", "montecarlo", "compare", "sweep", "demo"])
def test_plot_with_an_unknown_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    args = [] if command in ("compare", "demo") else [LAMBDA]
    code, out, err = run(capsys, command, *args, "--plot", str(tmp_path / "x.txt"))
    assert code == 2 and out == ""
    assert "argument --plot: must end in a figure format" in err and ".png" in err
    assert "internal error" not in err and not (tmp_path / "x.txt").exists()


def test_runs_and_plot_help_fit_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    helps = {c: run(capsys, c, "--help")[1] for c in ("montecarlo", "compare", "sweep")}
    assert "runs of the deployment" in helps["montecarlo"]
    assert "risk figure" in helps["montecarlo"]
    for command in ("compare", "sweep"):
        assert "trade-off figure" in helps[command] and "risk figure" not in helps[command]
    assert "runs per configuration and release" in helps["compare"]
    assert "runs per grid point and release" in helps["sweep"]


def test_help_texts_show_percent_signs_once(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("montecarlo", "compare", "demo"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "%%" not in out
    _, out, _ = run(capsys, "compare", "--help")
    assert "Lambda, ECS or Server" in out and "false rollbacks" in out


@pytest.mark.slow
def test_demo_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "demo.png"
    code, out, _ = run(capsys, "demo", "--runs", "100", "--seed", "5", "--plot", str(png))
    assert code == 0 and "100 times with the same seed (5)" in out
    assert png.is_file()


# ---------------------------------------------------------------------------------- validate
@pytest.mark.parametrize("scenario", [LAMBDA, ECS, SERVER])
def test_simulate_deployments_table_is_in_minutes(
    capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    code, out, _ = run(capsys, "simulate", scenario)
    header = out.split("deployments:\n", 1)[1].splitlines()[0].split()
    assert code == 0 and "start_minute" in header and "end_minute" in header
    assert "start" not in header and "end" not in header


def test_validate_of_a_missing_file_prints_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "missing.yml"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such file" in err


def test_validate_delegates_to_the_appspec_linter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "appspec.yml"
    good.write_text("version: 0.0\nos: linux\n")
    code, out, _ = run(capsys, "validate", str(good))
    assert code == 0 and out.splitlines()[-1] == "1 file checked: 0 errors, 0 warnings"
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nos: linux\n")
    code, out, _ = run(capsys, "validate", str(good), str(bad))
    assert code == 1 and f"{bad}:1: error: version" in out


def test_validate_without_the_appspec_module(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "shiftsim.appspec", None)
    code, out, err = run(capsys, "validate", "appspec.yml")
    assert code == 1 and out == ""
    assert err.startswith("shiftsim validate: error: AppSpec validation needs shiftsim.appspec")


# ---------------------------------------------------------------------------------- issue 16
def test_an_internal_error_is_one_line_and_exit_code_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(shiftsim.cli, "_configs", broken)
    monkeypatch.delenv("SHIFTSIM_TRACEBACK", raising=False)
    code, out, err = run(capsys, "configs")
    assert code == shiftsim.cli.INTERNAL_ERROR == 70
    assert out == ""
    assert err.startswith("shiftsim configs: internal error: ZeroDivisionError: division by zero")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_appspec_given_to_simulate_gets_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    appspec = tmp_path / "appspec.yml"
    appspec.write_text("version: 0.0\nos: linux\nfiles: []\n")
    code, _, err = run(capsys, "simulate", str(appspec))
    assert code == 1
    assert "looks like an AppSpec file, not a scenario" in err
    assert f"shiftsim validate {appspec}" in err


def test_a_scenario_given_to_validate_gets_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "s.yml"
    scenario.write_text("platform: Lambda\nconfig: AllAtOnce\n")
    code, _, err = run(capsys, "validate", str(scenario))
    assert code != 0
    assert f"hint: {scenario} looks like a scenario file" in err


def test_a_scenario_name_with_terminal_escapes_is_printed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "s.yml"
    scenario.write_text('platform: Lambda\nconfig: AllAtOnce\nname: "x\\e]0;pwned\\a\\e[2J"\n')
    code, out, _ = run(capsys, "simulate", str(scenario), "--seed", "1")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("x\\x1b]0;pwned\\x07\\x1b[2J: Lambda")


@pytest.mark.parametrize("command", ["montecarlo", "compare", "sweep"])
def test_names_are_printed_escaped_by_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """Issue 16: a user-supplied name never reaches the terminal raw (compare, sweep too)."""
    scenario = tmp_path / "s.yml"
    scenario.write_text('platform: Lambda\nconfig: AllAtOnce\nname: "x\\e]0;pwned\\a"\n')
    axis = ["--axis", "invocations_per_minute=10,20"] if command == "sweep" else []
    if command == "compare":
        axis = ["--configs", "AllAtOnce"]
    code, out, _ = run(capsys, command, str(scenario), "--runs", "5", "--no-progress", *axis)
    assert code == 0, out
    assert "\x1b" not in out and "\x07" not in out
    assert "x\\x1b]0;pwned\\x07" in out


def test_runs_are_bounded_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: --runs at most MAX_RUNS, the limit of monte_carlo and scenario files too."""
    code, _, err = run(capsys, "montecarlo", LAMBDA, "--runs", "1" + "0" * 30)
    assert code == 2 and "must be at most 100_000_000; got 1000000000" in err
    code, _, err = run(capsys, "montecarlo", LAMBDA, "--runs", "9" * 5000)
    assert code == 2 and "must be a positive integer; got '9999" in err and len(err) < 1000


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", ["simulate", "montecarlo"])
def test_devices_and_fifos_are_refused_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    code, _, err = run(capsys, command, "/dev/zero")
    assert code == 1 and "character device" in err
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    code, _, err = run(capsys, command, str(fifo))
    assert code == 1 and "named pipe" in err
