"""Scenario files: every example runs, every piece maps to the Python API, errors say where."""

from __future__ import annotations

import doctest
import os
import re
import textwrap
from pathlib import Path

import pytest

import shiftsim
import shiftsim.scenario
from shiftsim.ecs import EcsDeployment, EcsRun
from shiftsim.errors import (
    AppSpecError,
    ConfigError,
    FileError,
    ShiftsimError,
    UnsupportedScenarioError,
)
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.scenario import DEFAULT_RUNS, MAX_RUNS, Scenario, load_scenario, parse_scenario
from shiftsim.server import ScriptFault, ServerDeployment, ServerRun

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
CORPUS = Path(
    os.environ.get("SHIFTSIM_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)


def scenario(text: str, **kwargs: object) -> Scenario:
    return parse_scenario(textwrap.dedent(text), source="s.yml", **kwargs)  # type: ignore[arg-type]


def error_of(text: str, kind: type[Exception] = ConfigError, **kwargs: object) -> str:
    with pytest.raises(kind) as info:
        scenario(text, **kwargs)
    return str(info.value)


def test_module_doctests() -> None:
    result = doctest.testmod(shiftsim.scenario, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------------- examples
EXPECTED_PLATFORMS = {
    "lambda-canary.yml": ("Lambda", LambdaDeployment),
    "ecs-linear.yml": ("ECS", EcsDeployment),
    "server-in-place.yml": ("Server", ServerDeployment),
}


def test_one_example_per_platform() -> None:
    platforms = {load_scenario(p).platform for p in EXAMPLES.glob("*.yml")}
    assert platforms == {"Lambda", "ECS", "Server"}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yml")))
def test_every_example_loads_and_runs(name: str) -> None:
    loaded = load_scenario(EXAMPLES / name)
    platform, cls = EXPECTED_PLATFORMS[name]
    assert loaded.platform == platform
    assert isinstance(loaded.deployment, cls)
    assert loaded.seed is not None
    run = loaded.simulate()
    assert run.status in ("Succeeded", "Failed", "Stopped")
    # The file's seed makes the run reproducible.
    assert repr(loaded.simulate()) == repr(run)


def test_lambda_example_maps_every_section() -> None:
    loaded = load_scenario(EXAMPLES / "lambda-canary.yml")
    d = loaded.deployment
    assert d.config == shiftsim.get_config("CodeDeployDefault.LambdaCanary10Percent5Minutes")
    assert d.invocations_per_minute == 300
    assert d.current == shiftsim.Version("41", error_rate=0.001)
    assert d.target.name == "42" and d.target.error_rate == 0.04
    assert d.alarms == (
        shiftsim.Alarm("checkout-api-new-version-errors", threshold=0, evaluation_periods=2),
    )
    assert d.hooks.before_allow_traffic == shiftsim.Hook("CodeDeployHook_checkout_pre", 20)
    assert d.hooks.after_allow_traffic.duration == 90
    assert d.auto_rollback == shiftsim.AutoRollback()
    assert (d.function_name, d.alias) == ("checkout-api", "live")
    assert loaded.name == "checkout-api canary with a bad release"
    assert loaded.runs == DEFAULT_RUNS


def test_ecs_example_runs_with_task_sets() -> None:
    loaded = load_scenario(EXAMPLES / "ecs-linear.yml")
    run = loaded.simulate()
    assert isinstance(run, EcsRun)
    assert loaded.deployment.target.error_rate == shiftsim.Profile.step(4, 0.002, 0.15)
    assert loaded.deployment.test_traffic is True
    assert set(run.task_sets["task_set"]) == {"original", "replacement"}


def test_server_example_maps_fleet_hooks_and_faults() -> None:
    loaded = load_scenario(EXAMPLES / "server-in-place.yml")
    d = loaded.deployment
    assert len(d.fleet) == 9 and d.load_balancer
    assert d.faults == (ScriptFault("ApplicationStart", instances=["i-002", "i-004", "i-006"]),)
    run = loaded.simulate()
    assert isinstance(run, ServerRun)
    failed = run.instances.query("status == 'Failed'")["instance_id"].tolist()
    assert failed == ["i-002", "i-004", "i-006"]


# ---------------------------------------------------------------------------------- pieces
def test_custom_configs_for_each_platform() -> None:
    lam = scenario(
        """
        platform: Lambda
        config: {name: Linear20Every2, type: TimeBasedLinear, linear_percentage: 20,
                 linear_interval: 2}
        """
    )
    assert lam.deployment.config.traffic_routing == shiftsim.TimeBasedLinear(20, 2)
    assert lam.config_name == "Linear20Every2"
    ecs = scenario("platform: ECS\nconfig: {type: AllAtOnce}\n")
    assert ecs.deployment.config.traffic_routing == shiftsim.AllAtOnce()
    server = scenario(
        "platform: Server\nconfig: {minimum_healthy_hosts: {type: HOST_COUNT, value: 2}}\n"
        "fleet: {size: 4}\n"
    )
    assert server.deployment.config.minimum_healthy_hosts == shiftsim.MinimumHealthyHosts(
        "HOST_COUNT", 2
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.25", 0.25),
        ("{constant: 0.1}", shiftsim.Profile.constant(0.1)),
        ("{step: {at_minute: 3, before: 0, after: 0.5}}", shiftsim.Profile.step(3, 0, 0.5)),
        (
            "{ramp: {start_minute: 0, end_minute: 10, start: 0, end: 0.3}}",
            shiftsim.Profile.ramp(0, 10, 0, 0.3),
        ),
        (
            "{burst: {start_minute: 2, end_minute: 4, value: 0.5}}",
            shiftsim.Profile.burst(2, 4, 0.5),
        ),
        ("{points: [[0, 0.0], [5, 0.2]]}", shiftsim.Profile(((0, 0.0), (5, 0.2)))),
    ],
)
def test_profiles(text: str, expected: object) -> None:
    loaded = scenario(
        f"platform: Lambda\nconfig: AllAtOnce\nversions:\n  target: {{error_rate: {text}}}\n"
    )
    assert loaded.deployment.target.error_rate == expected


def test_traffic_as_per_minute_list_and_numeric_version_names() -> None:
    loaded = scenario(
        "platform: Lambda\nconfig: AllAtOnce\ntraffic: [10, 20, 30]\n"
        "versions: {current: {name: 6}, target: {name: 7}}\n"
    )
    d = loaded.deployment
    assert d.invocations_per_minute == (10, 20, 30)
    assert (d.current.name, d.target.name) == ("6", "7")


def test_auto_rollback_forms() -> None:
    base = "platform: Lambda\nconfig: AllAtOnce\n"
    assert scenario(base + "auto_rollback: false\n").deployment.auto_rollback == (
        shiftsim.AutoRollback.disabled()
    )
    loaded = scenario(base + "auto_rollback: {events: [DEPLOYMENT_STOP_ON_ALARM]}\n")
    assert loaded.deployment.auto_rollback.events == ("DEPLOYMENT_STOP_ON_ALARM",)


def test_manual_stop_and_timing_options() -> None:
    loaded = scenario(
        """
        platform: Lambda
        config: Linear10PercentEvery1Minute
        manual_stop: {at_minute: 3, auto_rollback_enabled: false}
        alarm_poll_interval: 15
        metric_delay: 0
        linear_completion: interval_after
        """
    )
    d = loaded.deployment
    assert d.manual_stop == shiftsim.ManualStop(3, auto_rollback_enabled=False)
    assert (d.alarm_poll_interval, d.metric_delay) == (15, 0)
    assert d.linear_completion == "interval_after"
    run = loaded.simulate(rng=1)
    assert (run.status, run.error_code, run.rolled_back) == ("Stopped", "MANUAL_STOP", False)


def test_hook_event_spellings() -> None:
    loaded = scenario(
        """
        platform: Lambda
        config: AllAtOnce
        hooks:
          before_allow_traffic: {function_name: CodeDeployHook_a, duration: 5}
          PostTraffic: {outcome: Failed}
        """
    )
    hooks = loaded.deployment.hooks
    assert hooks.before_allow_traffic == shiftsim.Hook("CodeDeployHook_a", 5)
    assert hooks.after_allow_traffic.outcome == "Failed"
    assert loaded.simulate(rng=1).error_code == "HOOK_EXECUTION_FAILURE"


def test_ecs_hooks_options_and_names() -> None:
    loaded = scenario(
        """
        platform: ECS
        config: CodeDeployDefault.ECSCanary10Percent5Minutes
        hooks: {AfterAllowTestTraffic: {function_name: CodeDeployHook_t, duration: 12}}
        install_seconds: 30
        termination_wait_time_in_minutes: 5
        names: {service_name: api, cluster_name: prod}
        """
    )
    d = loaded.deployment
    assert d.hooks.after_allow_test_traffic == shiftsim.Hook("CodeDeployHook_t", 12)
    assert (d.install_seconds, d.termination_wait_time_in_minutes) == (30, 5)
    assert (d.service_name, d.cluster_name) == ("api", "prod")


def test_alarm_read_failure_option() -> None:
    """API:AlarmConfiguration.ignorePollAlarmFailure (codedeploy-api.md), Lambda and ECS."""
    lam = scenario("platform: Lambda\nconfig: AllAtOnce\nignore_poll_alarm_failure: true\n")
    assert lam.deployment.ignore_poll_alarm_failure is True
    ecs = "platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\nignore_poll_alarm_failure: "
    assert scenario(ecs + "false\n").deployment.ignore_poll_alarm_failure is False
    assert "s.yml:3: ignore_poll_alarm_failure" in error_of(ecs + "'yes'\n")


def test_version_timeout() -> None:
    """D14: a Lambda function's timeout (at most 900 s, the Lambda maximum)."""
    base = "platform: Lambda\nconfig: AllAtOnce\nversions:\n  target: {name: 2, timeout: "
    assert scenario(base + "3}\n").deployment.target.timeout == 3
    assert "s.yml:4: versions.target.timeout" in error_of(base + "99999}\n")


def test_alarm_override_and_read_failures() -> None:
    """API:CreateDeploymentInput.overrideAlarmConfiguration (codedeploy-api.md 3.1), at most
    10 alarms (D9); alarm reads that fail (codedeploy-api.md, ignorePollAlarmFailure)."""
    loaded = scenario(
        """
        platform: Lambda
        config: AllAtOnce
        override_alarm_configuration:
          ignore_poll_alarm_failure: true
          alarms: [{name: errors, metric: Errors, threshold: 0}]
        alarm_read_failures: [{start_minute: 0, end_minute: 5}]
        """
    )
    d = loaded.deployment
    assert d.override_alarm_configuration.ignore_poll_alarm_failure is True
    assert d.override_alarm_configuration.alarms[0].name == "errors"
    assert d.alarm_read_failures == (shiftsim.AlarmReadFailure(0, 5),)
    base = "platform: Lambda\nconfig: AllAtOnce\n"
    eleven = ", ".join(f"{{name: a{i}}}" for i in range(11))
    message = error_of(base + f"override_alarm_configuration: {{alarms: [{eleven}]}}\n")
    assert "override_alarm_configuration.alarms" in message and "at most 10" in message
    message = error_of(base + "override_alarm_configuration: {enabled: true}\n")
    assert "s.yml:3: override_alarm_configuration" in message
    message = error_of(base + "alarm_read_failures: [{start_minute: 0}]\n")
    assert "alarm_read_failures[0]" in message


def test_ecs_ready_wait_test_traffic_and_termination_options() -> None:
    """API:DeploymentReadyOption, API:BlueInstanceTerminationOption, API:ContinueDeployment
    (codedeploy-api.md); the ready wait is at most 7200 minutes (UG:limits.md)."""
    loaded = scenario(
        """
        platform: ECS
        config: CodeDeployDefault.ECSAllAtOnce
        test_traffic: true
        test_requests_per_minute: [60, 120]
        hooks: {AfterAllowTestTraffic: {function_name: CodeDeployHook_t, duration: 60}}
        ready_action: STOP_DEPLOYMENT
        ready_wait_minutes: 30
        continue_after_minutes: 2
        termination_action: TERMINATE
        termination_wait_time_in_minutes: 10
        skip_termination_wait_after_minutes: 1
        """
    )
    d = loaded.deployment
    assert (d.ready_action, d.ready_wait_minutes, d.continue_after_minutes) == (
        "STOP_DEPLOYMENT",
        30,
        2,
    )
    assert d.skip_termination_wait_after_minutes == 1
    assert tuple(d.test_requests_per_minute) == (60, 120)
    assert loaded.simulate(rng=1).status == "Succeeded"
    keep = scenario(
        "platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\ntermination_action: KEEP_ALIVE\n"
    )
    assert keep.deployment.termination_action == "KEEP_ALIVE"
    base = "platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\n"
    assert "s.yml:3: ready_wait_minutes" in error_of(base + "ready_wait_minutes: 7201\n")
    assert "s.yml:3: termination_action" in error_of(base + "termination_action: KILL\n")
    assert "s.yml:3: test_requests_per_minute" in error_of(
        base + "test_requests_per_minute: 1e30\n"
    )
    assert "ready_action" in error_of("platform: Lambda\nconfig: AllAtOnce\nready_action: x\n")


def test_server_run_time_file_exists_and_termination_hook() -> None:
    """D15 (max_run_time_minutes), D16 (fileExistsBehavior, API:CreateDeploymentInput) and
    API:CreateDeploymentGroupInput.terminationHookEnabled (codedeploy-api.md)."""
    loaded = scenario(
        """
        platform: Server
        fleet: {size: 2}
        max_run_time_minutes: 60
        file_exists_behavior: OVERWRITE
        termination_hook_enabled: true
        """
    )
    d = loaded.deployment
    assert (d.max_run_time_minutes, d.file_exists_behavior) == (60, "OVERWRITE")
    assert d.termination_hook_enabled is True
    base = "platform: Server\nfleet: {size: 2}\n"
    assert "s.yml:3: file_exists_behavior" in error_of(base + "file_exists_behavior: KEEP\n")
    assert "s.yml:3: max_run_time_minutes" in error_of(base + "max_run_time_minutes: -1\n")


def test_server_scale_ins_and_file_conflicts() -> None:
    """D16 (a FileConflict fault) and an Auto Scaling scale-in (codedeploy.md 8)."""
    loaded = scenario(
        """
        platform: Server
        fleet: {size: 3, auto_scaling_group: web}
        targets: {auto_scaling_groups: [web]}
        scale_ins: [{at_minute: 1, auto_scaling_group: web, instance_ids: [i-002]}]
        faults: [{type: file_conflict, instances: [i-001]}]
        """
    )
    d = loaded.deployment
    assert d.scale_ins == (shiftsim.ScaleIn(1, "web", instance_ids=["i-002"]),)
    assert d.faults == (shiftsim.FileConflict(instances=["i-001"]),)
    assert "s.yml:3: scale_ins[0]" in error_of(
        "platform: Server\nfleet: {size: 2}\nscale_ins: [{at_minute: 1}]\n"
    )
    assert "file_conflict" in error_of(
        "platform: Server\nfleet: {size: 2}\nfaults: [{type: conflict}]\n"
    )


def test_mapping_input() -> None:
    loaded = parse_scenario({"platform": "Lambda", "config": "AllAtOnce", "traffic": 5})
    assert loaded.deployment.invocations_per_minute == 5
    assert loaded.source == "<string>"


def test_scenario_reprs() -> None:
    loaded = scenario("platform: Lambda\nconfig: AllAtOnce\nname: x\nseed: 4\nruns: 50\n")
    assert (
        repr(loaded) == "<Scenario 'x': Lambda CodeDeployDefault.LambdaAllAtOnce, seed 4, 50 runs>"
    )
    html = loaded._repr_html_()
    assert "CodeDeployDefault.LambdaAllAtOnce" in html and "<table>" in html


# ---------------------------------------------------------------------------------- formats in
LAMBDA_APPSPEC = """\
version: 0.0
Resources:
  - checkout:
      Type: AWS::Lambda::Function
      Properties:
        Name: checkout-api
        Alias: live
        CurrentVersion: 3
        TargetVersion: 4
Hooks:
  - BeforeAllowTraffic: CodeDeployHook_checkout_pre
"""


def test_lambda_appspec_gives_function_versions_and_hooks(tmp_path: Path) -> None:
    (tmp_path / "appspec.yml").write_text(LAMBDA_APPSPEC)
    loaded = scenario(
        """
        platform: Lambda
        config: AllAtOnce
        appspec: appspec.yml
        versions: {target: {error_rate: 0.5}}
        hooks: {BeforeAllowTraffic: {duration: 7}}
        """,
        base_dir=tmp_path,
    )
    d = loaded.deployment
    assert (d.function_name, d.alias) == ("checkout-api", "live")
    assert (d.current.name, d.target.name, d.target.error_rate) == ("3", "4", 0.5)
    assert d.hooks.before_allow_traffic == shiftsim.Hook("CodeDeployHook_checkout_pre", 7)


def test_appspec_conflicts_are_errors(tmp_path: Path) -> None:
    (tmp_path / "appspec.yml").write_text(LAMBDA_APPSPEC)
    text = "platform: Lambda\nconfig: AllAtOnce\nappspec: appspec.yml\n"
    message = error_of(text + "hooks: {PostTraffic: {duration: 3}}\n", base_dir=tmp_path)
    assert message.startswith("s.yml:4: hooks.PostTraffic: the AppSpec")
    assert "no AfterAllowTraffic hook" in message
    message = error_of(text + "versions: {target: {name: 9}}\n", base_dir=tmp_path)
    assert "versions.target.name: is '9' but the AppSpec" in message
    assert "says '4'" in message
    message = error_of("platform: Lambda\nconfig: AllAtOnce\nappspec: nope.yml\n")
    assert message.startswith("s.yml:3: appspec: no such file")


def test_malformed_appspec_reports_its_own_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "appspec.yml").write_text("version: 1\nResources: []\n")
    with pytest.raises(AppSpecError) as info:
        scenario("platform: Lambda\nconfig: AllAtOnce\nappspec: appspec.yml\n", base_dir=tmp_path)
    assert "appspec.yml:1" in str(info.value)


def test_ecs_appspec_names_the_hook_functions() -> None:
    appspec = CORPUS / "ecs" / "4_aws-samples_aws-reinvent-trivia-game_appspec.json"
    if not appspec.is_file():
        pytest.skip("the shared AppSpec corpus is not available")
    loaded = scenario(
        f"platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\nappspec: {appspec}\n"
    )
    hook = loaded.deployment.hooks.after_allow_test_traffic
    assert hook.function_name == "PLACEHOLDER_HOOK_FUNCTION"


SAM_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Checkout:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Linear10PercentEvery1Minute
        Alarms: [!Ref CheckoutErrors]
        Hooks:
          PreTraffic: !Ref PreHook
  PreHook:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_pre
      Handler: index.handler
      Runtime: python3.12
      DeploymentPreference: {Enabled: false}
  CheckoutErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Errors
      Namespace: AWS/Lambda
      Dimensions:
        - {Name: Resource, Value: !Sub "${Checkout}:live"}
        - {Name: FunctionName, Value: !Ref Checkout}
        - {Name: ExecutedVersion, Value: !GetAtt Checkout.Version.Version}
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 2
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
"""


def test_sam_template(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SAM_TEMPLATE)
    loaded = scenario(
        """
        platform: Lambda
        sam_template: template.yaml
        function: Checkout
        traffic: 600
        versions: {target: {error_rate: 0.3}}
        hooks: {PreTraffic: {duration: 9}}
        """,
        base_dir=tmp_path,
    )
    d = loaded.deployment
    assert d.config.name == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert d.invocations_per_minute == 600 and d.target.error_rate == 0.3
    assert d.hooks.before_allow_traffic.duration == 9
    assert [a.evaluation_periods for a in d.alarms] == [2]
    assert loaded.simulate(rng=3).rolled_back


def test_sam_template_rules(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SAM_TEMPLATE)
    base = "platform: Lambda\nsam_template: template.yaml\n"
    message = error_of(base + "auto_rollback: false\n", base_dir=tmp_path)
    assert "auto_rollback: cannot be combined with 'sam_template'" in message
    message = error_of(base + "config: Canary10Percent5Minutes\n", base_dir=tmp_path)
    assert "config: the template's DeploymentPreference.Type names" in message
    message = error_of(base + "function: Nope\n", base_dir=tmp_path)
    assert message.startswith("s.yml:2: sam_template:")


# ---------------------------------------------------------------------------------- Server
def test_server_short_config_names_as_in_server_deployment() -> None:
    """``config: HalfAtATime`` names what ``ServerDeployment("HalfAtATime")`` names."""
    for short in ("HalfAtATime", "OneAtATime", "AllAtOnce"):
        loaded = parse_scenario({"platform": "Server", "config": short, "fleet": {"size": 4}})
        deployment = loaded.deployment
        assert isinstance(deployment, ServerDeployment)
        assert deployment.config.name == f"CodeDeployDefault.{short}"
        assert deployment.config == ServerDeployment(short).config


def test_server_sections() -> None:
    loaded = scenario(
        """
        platform: Server
        config: CodeDeployDefault.OneAtATime
        fleet:
          size: 4
          tags: {env: prod}
          updates:
            - {instances: [i-003], tags: {env: test}}
            - {instances: i-001, healthy: false}
        targets: {ec2_tag_filters: [[env, prod]]}
        hooks:
          ApplicationStart: [{location: start.sh, duration: {uniform: {low: 5, high: 10}}}]
          ValidateService: 20
        reserved_durations: {DownloadBundle: {exponential: {mean: 4}}}
        faults:
          - {event: ValidateService, instances: [i-000]}
          - {type: instance_stop, instance: i-002, at_minute: 0.1}
        alarms: [{name: cpu}]
        alarm_events: [[1.5, cpu, ALARM]]
        auto_rollback: true
        names: {application: web, deployment_group: prod}
        """
    )
    d = loaded.deployment
    assert d.fleet["i-003"].tag_map == {"env": "test"}
    assert d.fleet["i-001"].healthy is False
    assert d.faults[1] == shiftsim.server.InstanceStop("i-002", 0.1)
    assert d.alarm_events == ((1.5, "cpu", "ALARM"),)
    assert (d.application, d.deployment_group) == ("web", "prod")
    run = loaded.simulate(rng=2)
    assert set(run.instances["instance_id"]) >= {"i-000", "i-001", "i-002"}
    assert "i-003" not in set(
        run.instances.query(f"deployment_id == '{run.deployment_id}'")["instance_id"]
    )


def test_server_blue_green_and_scale_out() -> None:
    loaded = scenario(
        """
        platform: Server
        config: CodeDeployDefault.HalfAtATime
        fleet: {size: 4, auto_scaling_group: web}
        load_balancer: true
        blue_green: {termination_wait_time_in_minutes: 5}
        """
    )
    assert loaded.deployment.blue_green.termination_wait_time_in_minutes == 5
    assert loaded.simulate(rng=1).status == "Succeeded"
    loaded = scenario(
        """
        platform: Server
        fleet: {size: 2, auto_scaling_group: web}
        scale_outs: [{at_minute: 0.5, auto_scaling_group: web, count: 1}]
        """
    )
    assert loaded.deployment.scale_outs[0].count == 1
    assert loaded.config_name == "CodeDeployDefault.OneAtATime"


# ---------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config: AllAtOnce\n", "s.yml: the scenario: the key 'platform' is required"),
        (
            "platform: lambda\n",
            "s.yml:1: platform: must be one of 'Lambda', 'ECS', 'Server'; "
            "got 'lambda'; did you mean 'Lambda'?",
        ),
        ("platform: Lambda\n", "the key 'config' is required"),
        (
            "platform: Lambda\nconfig: AllAtOnce\ntrafic: 100\n",
            "s.yml:3: trafic: unknown key; did you mean 'traffic'?",
        ),
        (
            "platform: ECS\nconfig: CodeDeployDefault.ECSLinear10PercentEvery1Minute\n",
            "s.yml:2: config: get_config: 'CodeDeployDefault.ECSLinear10PercentEvery1Minute' is "
            "not a predefined",
        ),
        (
            "platform: ECS\nconfig: Canary10Percent5Minutes\n",
            "s.yml:2: config: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' is a Lambda "
            "configuration, but the scenario's platform is ECS",
        ),
        (
            "platform: Lambda\nconfig: {type: TimeBasedLinear, linear_percentage: 150, "
            "linear_interval: 1}\n",
            "s.yml:2: config.linear_percentage: TimeBasedLinear.linear_percentage must be an "
            "integer in [1, 99]; got 150.",
        ),
        (
            "platform: Lambda\nconfig: {type: Linear}\n",
            "s.yml:2: config.type: must be one of 'TimeBasedCanary', 'TimeBasedLinear', "
            "'AllAtOnce'; got 'Linear'",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nalarms:\n  - name: e\n    treshold: 1\n",
            "s.yml:5: alarms[0].treshold: unknown key; did you mean 'threshold'?",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nalarms:\n  - name: e\n    threshold: one\n",
            "s.yml:5: alarms[0].threshold: Alarm.threshold must be a number; got 'one'.",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nalarms: {name: e}\n",
            "s.yml:3: alarms: must be a list of alarms",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nversions:\n  target:\n    error_rate: 1.5\n",
            "s.yml:5: versions.target.error_rate: Version.error_rate must be a number in [0, 1]",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nversions:\n  target: {error_rate: {spike: 1}}\n",
            "s.yml:4: versions.target.error_rate.spike: unknown profile shape",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nversions:\n  targte: {}\n",
            "s.yml:4: versions.targte: unknown key; did you mean 'target'?",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\ntraffic: -5\n",
            "s.yml:3: traffic: LambdaDeployment.invocations_per_minute must be a number in "
            "[0, 1e+09]",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nhooks:\n  BeforeInstall: {}\n",
            "s.yml:4: hooks.BeforeInstall: unknown key",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nhooks:\n  PreTraffic: {outcome: Maybe}\n",
            "s.yml:4: hooks.PreTraffic.outcome: Hook.outcome must be one of",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nmetric_delay: -1\n",
            "s.yml:3: metric_delay: LambdaDeployment.metric_delay must be a number in [0, 392400]",
        ),
        (
            "platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\nnames: {service_name: ''}\n",
            "s.yml:3: names.service_name: EcsDeployment.service_name must be a non-empty string",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\ninstall_seconds: 3\n",
            "s.yml:3: install_seconds: unknown key",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nseed: -1\n",
            "s.yml:3: seed: must be an integer >= 0; got -1",
        ),
        (
            "platform: Lambda\nconfig: AllAtOnce\nfunction: F\n",
            "s.yml:3: function: is only used with 'sam_template'",
        ),
        (
            "platform: Server\nfleet: {size: 3}\nfaults: [{type: disk, event: Install}]\n",
            "s.yml:3: faults[0].type: must be one of 'script', 'load_balancer', 'instance_stop'",
        ),
        (
            "platform: Server\nfleet: {size: 3}\nfaults: [{event: AllowTraffic}]\n",
            "s.yml:3: faults[0].event: ScriptFault.event",
        ),
        (
            "platform: Server\nfleet: {size: 3}\n"
            "faults: [{event: AfterInstall, instances: [i-9]}]\n",
            "s.yml:3: faults: ServerDeployment.faults[0] instance is not an instance of the fleet",
        ),
        ("platform: Server\nfleet: {size: 3, colour: red}\n", "s.yml:2: fleet.colour: unknown key"),
        (
            "platform: Server\nfleet: {size: 3}\nhooks: {Start: [{location: a, duration: "
            "{gamma: {k: 1}}}]}\n",
            "s.yml:3: hooks.Start[0].duration: must be seconds or",
        ),
        ("platform: Server\nfleet: {size: 3}\ntraffic: 10\n", "s.yml:3: traffic: unknown key"),
        ("- platform: Lambda\n", "s.yml: the scenario: must be a mapping"),
    ],
)
def test_errors_name_file_line_and_key_path(text: str, expected: str) -> None:
    message = error_of(text)
    assert expected in message


def test_errors_are_shiftsim_and_value_errors() -> None:
    with pytest.raises(ValueError):
        scenario("platform: Lambda\nconfig: Nope\n")
    with pytest.raises(ShiftsimError):
        scenario("platform: [unclosed\n")


def test_sam_without_the_sam_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name == "shiftsim.sam":
            raise ModuleNotFoundError(name, name=name)
        return real(name, *args)  # type: ignore[arg-type]

    (tmp_path / "t.yaml").write_text(SAM_TEMPLATE)
    monkeypatch.setattr(importlib, "import_module", fake)
    message = error_of(
        "platform: Lambda\nsam_template: t.yaml\n", UnsupportedScenarioError, base_dir=tmp_path
    )
    assert "needs shiftsim.sam" in message


def test_load_scenario_reads_relative_paths_from_the_file_folder(tmp_path: Path) -> None:
    folder = tmp_path / "deep"
    folder.mkdir()
    (folder / "appspec.yml").write_text(LAMBDA_APPSPEC)
    (folder / "s.yml").write_text("platform: Lambda\nconfig: AllAtOnce\nappspec: appspec.yml\n")
    assert load_scenario(folder / "s.yml").deployment.function_name == "checkout-api"
    with pytest.raises(FileError, match="cannot read the scenario file: no such file"):
        load_scenario(tmp_path / "missing.yml")


# ------------------------------------------------------------------ issue 16: hostile input
LAMBDA = "platform: Lambda\nconfig: AllAtOnce\n"
SERVER = "platform: Server\nconfig: CodeDeployDefault.OneAtATime\n"


def test_a_repeated_key_is_an_error_not_the_last_value() -> None:
    """A repeated ``traffic:`` once turned an 86.5% rollback rate into 0.0% silently."""
    text = LAMBDA + "traffic: 600\nversions: {target: {error_rate: 0.2}}\ntraffic: 0\n"
    with pytest.raises(ConfigError, match=r"<string>:5: traffic: the key appears twice \(first"):
        parse_scenario(text)
    with pytest.raises(ConfigError, match="appears twice"):
        parse_scenario(LAMBDA + "versions:\n  target: {name: a, name: b}\n")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("faults: [{type: script, mode: fail}]", "faults[0]: the key 'event' is required"),
        ("scale_outs: [{at_minute: 1, count: 2}]", "scale_outs[0]: the key"),
        ("fleet: [{healthy: true}]", "fleet[0]: the key 'id' is required"),
    ],
)
def test_a_missing_required_key_is_named(body: str, where: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(where)):
        parse_scenario(SERVER + body + "\n")


def test_ec2_as_a_platform_suggests_server() -> None:
    with pytest.raises(ConfigError, match="did you mean 'Server'"):
        parse_scenario("platform: EC2\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("runs: 1000000000000000000000000000000", f"runs: must be an integer in [1, {MAX_RUNS:_}]"),
        ("runs: 0", "runs: must be an integer >= 1"),
        ("alarm_poll_interval: 0.000001", "alarm_poll_interval: must be a number >= 1"),
        ("alarm_poll_interval: .nan", "alarm_poll_interval: must be a number >= 1"),
        ("traffic: 1.0e+20", "traffic: must be at most 1e+09 calls a minute"),
        ("traffic: [1, 2, 1.0e+12]", "traffic[2]: must be at most"),
        ("traffic: {constant: .inf}", "traffic.constant: must be at most"),
    ],
)
def test_numbers_that_set_the_cost_are_bounded_first(body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_scenario(LAMBDA + body + "\n")


def test_ecs_install_and_server_fleet_sizes_are_bounded_first() -> None:
    ecs = "platform: ECS\nconfig: CodeDeployDefault.ECSAllAtOnce\n"
    with pytest.raises(ConfigError, match=r"install_seconds: must be a number in \[0, 432000\]"):
        parse_scenario(ecs + "install_seconds: 315360000\n")
    with pytest.raises(ConfigError, match=r"fleet.size: must be an integer in \[0, 100_000\]"):
        parse_scenario(SERVER + "fleet: {size: 10000000}\n")
    with pytest.raises(ConfigError, match=r"scale_outs\[0\].count: must be an integer in"):
        parse_scenario(SERVER + "scale_outs: [{at_minute: 1, count: 10000000}]\n")
    with pytest.raises(ConfigError, match="alarm_poll_interval: must be a number >= 1"):
        parse_scenario(SERVER + "alarm_poll_interval: 1e-9\n")


@pytest.mark.parametrize(
    "scalar",
    ['!!bool "maybe"', '!!int "abc"', '!!float "abc"', '!!timestamp "garbage"', "2001-02-30"],
)
def test_scalar_construction_errors_are_located(scalar: str) -> None:
    with pytest.raises(AppSpecError) as info:
        parse_scenario(LAMBDA + f"name: {scalar}\n")
    assert info.value.line == 3


def test_huge_integers_are_refused_before_conversion() -> None:
    with pytest.raises(AppSpecError, match="longer than 100 characters"):
        parse_scenario(LAMBDA + "seed: " + "9" * 5000 + "\n")


def test_the_file_is_read_by_the_one_reader(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    big.write_bytes(b"#" * (1 << 20) + b"\n")
    with pytest.raises(FileError, match=r"the scenario file is .* shiftsim reads at most"):
        load_scenario(big)
    for bom, codec in [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff\x00\x00"[:2], "utf-16-be")]:
        marked = tmp_path / f"{codec}.yml"
        marked.write_bytes(bom + LAMBDA.encode(codec))
        assert load_scenario(marked).platform == "Lambda"
    latin = tmp_path / "latin.yml"
    latin.write_bytes((LAMBDA + "name: caf\u00e9\n").encode("latin-1"))
    with pytest.raises(FileError, match="not valid UTF-8"):
        load_scenario(latin)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_devices_are_refused_at_once() -> None:
    with pytest.raises(FileError, match="character device"):
        load_scenario("/dev/zero")


def test_names_with_terminal_escapes_are_shown_escaped() -> None:
    scenario = parse_scenario(LAMBDA + 'name: "evil\\e]0;pwned\\a"\n')
    assert "\x1b" not in repr(scenario)
    with pytest.raises(ConfigError) as info:
        parse_scenario(LAMBDA + 'trafic: "\\e[2J' + "x" * 500 + '"\n', source="a\x1b[31m.yml")
    assert "\x1b" not in str(info.value)
