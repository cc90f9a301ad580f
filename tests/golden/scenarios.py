"""The golden scenarios: deployments whose outputs tests/test_golden.py keeps identical.

Every scenario is built through shiftsim's public API only (``shiftsim.LambdaDeployment``,
``EcsDeployment``, ``ServerDeployment`` and their parts), so the engines and private modules may
be reorganised freely underneath. Each entry of :data:`SCENARIOS` is ``(name, builder, seed)``;
the builder returns the deployment, which is simulated with ``shiftsim.simulate(d, rng=seed,
engine=...)`` on both engines. :data:`MONTE_CARLO` holds the Monte Carlo cases and
:data:`CLI_COMMANDS` the command lines whose stdout is kept.

To add a scenario, append a decorated builder below and regenerate its files (tests/README.md).
Names are file names: lowercase, digits and dashes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shiftsim import (
    Alarm,
    AutoRollback,
    BlueGreen,
    DeploymentConfig,
    Duration,
    EcsDeployment,
    EcsHooks,
    Fleet,
    Hook,
    Instance,
    InstanceStop,
    LambdaDeployment,
    LambdaHooks,
    LoadBalancerFault,
    ManualStop,
    MinimumHealthyHosts,
    Profile,
    ScaleOut,
    Script,
    ScriptFault,
    ServerDeployment,
    TagFilter,
    Targets,
    TimeBasedCanary,
    TimeBasedLinear,
    Version,
    ZonalConfig,
)

__all__ = [
    "CLI_COMMANDS",
    "CLI_FILES",
    "COMPARE",
    "ENGINES",
    "EXAMPLES",
    "MONTE_CARLO",
    "SCENARIOS",
]

ENGINES = ("core", "kernel")

Builder = Callable[[], Any]
#: (name, builder, seed) for every single-run scenario, in file order.
SCENARIOS: list[tuple[str, Builder, int]] = []


def scenario(name: str, seed: int = 7) -> Callable[[Builder], Builder]:
    """Register ``builder`` as the golden scenario ``name``, simulated with ``rng=seed``."""

    def register(builder: Builder) -> Builder:
        SCENARIOS.append((name, builder, seed))
        return builder

    return register


# ====================================================================== Lambda
BAD = Version("2", error_rate=0.04, duration_ms=120, duration_sigma=0.3)
ERRORS_2_OF_2 = Alarm("new-version-errors", metric="Errors", threshold=0, evaluation_periods=2)


@scenario("lambda-all-at-once")
def _() -> Any:
    return LambdaDeployment("CodeDeployDefault.LambdaAllAtOnce")


@scenario("lambda-canary-ok", seed=1)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=300,
        current=Version("41", error_rate=0.001),
        target=Version("42", error_rate=0.001, duration_ms=90, duration_sigma=0.2),
        alarms=[ERRORS_2_OF_2],
    )


@scenario("lambda-canary-bad-release")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=300,
        current=Version("41", error_rate=0.001),
        target=BAD,
        alarms=[ERRORS_2_OF_2],
        hooks=LambdaHooks(
            before_allow_traffic=Hook("CodeDeployHook_pre", duration=20),
            after_allow_traffic=Hook("CodeDeployHook_post", duration=90),
        ),
    )


@scenario("lambda-linear-ok", seed=3)
def _() -> Any:
    return LambdaDeployment("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")


@scenario("lambda-linear-interval-after", seed=3)
def _() -> Any:
    return LambdaDeployment(
        "Linear10PercentEvery2Minutes", linear_completion="interval_after", alarms=[ERRORS_2_OF_2]
    )


@scenario("lambda-linear-error-rate-2-of-3", seed=11)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        invocations_per_minute=1200,
        target=Version("2", error_rate=Profile.step(at_minute=4, before=0.002, after=0.15)),
        alarms=[
            Alarm(
                "rate",
                metric="ErrorRate",
                threshold=5,
                evaluation_periods=3,
                datapoints_to_alarm=2,
            )
        ],
    )


@scenario("lambda-custom-canary", seed=5)
def _() -> Any:
    config = DeploymentConfig("Canary25Percent3", "Lambda", traffic_routing=TimeBasedCanary(25, 3))
    return LambdaDeployment(config, invocations_per_minute=[50, 100, 200, 400], target=BAD)


@scenario("lambda-custom-linear", seed=5)
def _() -> Any:
    config = DeploymentConfig("Linear15Every2", "Lambda", traffic_routing=TimeBasedLinear(15, 2))
    return LambdaDeployment(
        config,
        invocations_per_minute=Profile.ramp(0, 10, 100, 600),
        target=Version("2", error_rate=Profile.burst(6, 8, 0.3)),
        alarms=[Alarm("errors", threshold=5)],
    )


@scenario("lambda-duration-p99-alarm", seed=2)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent10Minutes",
        invocations_per_minute=600,
        target=Version("2", duration_ms=250, duration_sigma=0.8),
        alarms=[Alarm("p99", metric="Duration", statistic="p99", threshold=900)],
    )


@scenario("lambda-duration-average-alarm", seed=2)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
        invocations_per_minute=200,
        target=Version("2", duration_ms=320, duration_sigma=0.1),
        alarms=[
            Alarm("avg", metric="Duration", statistic="Average", threshold=300),
            Alarm("max", metric="Duration", statistic="Maximum", threshold=5000),
        ],
    )


@scenario("lambda-throttles-alarm", seed=4)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=500,
        target=Version("2", throttle_rate=0.2),
        alarms=[Alarm("throttles", metric="Throttles", threshold=3, evaluation_periods=2)],
    )


@scenario("lambda-missing-data-breaching", seed=9)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=2,
        alarms=[
            Alarm(
                "quiet",
                threshold=0,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data="breaching",
            )
        ],
    )


@scenario("lambda-missing-data-modes", seed=9)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        invocations_per_minute=3,
        target=Version("2", error_rate=0.3),
        alarms=[
            Alarm("missing", evaluation_periods=2, treat_missing_data="missing"),
            Alarm("not-breaching", evaluation_periods=2, treat_missing_data="notBreaching"),
            Alarm("ignore", evaluation_periods=2, treat_missing_data="ignore"),
            Alarm("rate", metric="ErrorRate", threshold=50, treat_missing_data="ignore"),
        ],
    )


@scenario("lambda-alias-alarm-five-minute-period", seed=6)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
        invocations_per_minute=400,
        current=Version("1", error_rate=0.01),
        target=Version("2", error_rate=0.05),
        alarms=[
            Alarm(
                "alias-errors",
                statistic="Sum",
                threshold=40,
                period=300,
                version="alias",
                comparison_operator="GreaterThanOrEqualToThreshold",
            )
        ],
    )


@scenario("lambda-alarm-initially-in-alarm")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        alarms=[Alarm("already", initial_state="ALARM")],
    )


@scenario("lambda-hooks-succeed")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        hooks=LambdaHooks(
            before_allow_traffic=Hook("CodeDeployHook_pre", duration=45),
            after_allow_traffic=Hook("CodeDeployHook_post", duration=120),
        ),
    )


@scenario("lambda-pre-hook-fails")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        hooks=LambdaHooks(before_allow_traffic=Hook("pre", duration=12, outcome="Failed")),
    )


@scenario("lambda-post-hook-no-response")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        hooks=LambdaHooks(after_allow_traffic=Hook("post", outcome="NoResponse")),
    )


@scenario("lambda-post-hook-too-slow-no-rollback")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        hooks=LambdaHooks(after_allow_traffic=Hook("post", duration=4000)),
        auto_rollback=AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",)),
    )


@scenario("lambda-manual-stop-rolls-back")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        manual_stop=ManualStop(at_minute=4.5),
    )


@scenario("lambda-manual-stop-without-rollback")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        manual_stop=ManualStop(at_minute=2, auto_rollback_enabled=False),
    )


@scenario("lambda-alarm-rollback-disabled")
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=300,
        target=Version("2", error_rate=0.2),
        alarms=[ERRORS_2_OF_2],
        auto_rollback=AutoRollback.disabled(),
    )


@scenario("lambda-alarm-after-success-window", seed=12)
def _() -> Any:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaAllAtOnce",
        invocations_per_minute=100,
        target=Version("2", error_rate=0.5),
        alarms=[Alarm("late", threshold=0)],
        alarm_poll_interval=30,
        metric_delay=120,
    )


# ====================================================================== ECS
@scenario("ecs-all-at-once", seed=3)
def _() -> Any:
    return EcsDeployment("CodeDeployDefault.ECSAllAtOnce")


@scenario("ecs-canary-test-traffic", seed=1)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        requests_per_minute=600,
        hooks=EcsHooks(after_allow_test_traffic=Hook("CodeDeployHook_test", duration=30)),
        test_traffic=True,
    )


@scenario("ecs-linear-regression-alarm", seed=11)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        requests_per_minute=1200,
        current=Version("web-v7", error_rate=0.002),
        target=Version("web-v8", error_rate=Profile.step(4, 0.002, 0.15)),
        alarms=[
            Alarm(
                "web-5xx-rate",
                metric="ErrorRate",
                threshold=5,
                evaluation_periods=3,
                datapoints_to_alarm=2,
            )
        ],
        test_traffic=True,
        install_seconds=90,
        hooks=EcsHooks(
            after_allow_test_traffic=Hook("CodeDeployHook_web_smoke", duration=45),
            before_allow_traffic=Hook("CodeDeployHook_web_ready", duration=10),
        ),
        service_name="web",
        cluster_name="prod",
    )


@scenario("ecs-alarm-stop-no-rollback", seed=4)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        requests_per_minute=1200,
        target=Version("2", error_rate=0.3),
        alarms=[Alarm("5xx", threshold=0, evaluation_periods=1)],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("ecs-no-termination-wait")
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent15Minutes", termination_wait_time_in_minutes=0
    )


@scenario("ecs-longest-termination-wait")
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        termination_wait_time_in_minutes=2880,
        install_seconds=300,
        test_traffic=True,
    )


@scenario("ecs-before-install-hook-fails")
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        hooks=EcsHooks(before_install=Hook("pre-install", duration=5, outcome="Failed")),
    )


@scenario("ecs-after-install-hook-no-response")
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
        hooks=EcsHooks(after_install=Hook("after-install", outcome="NoResponse")),
    )


@scenario("ecs-test-traffic-hook-fails", seed=2)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        test_traffic=True,
        hooks=EcsHooks(
            after_install=Hook("after-install", duration=15),
            after_allow_test_traffic=Hook("smoke", duration=60, outcome="Failed"),
        ),
    )


@scenario("ecs-after-allow-traffic-hook-fails-no-rollback", seed=2)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        hooks=EcsHooks(
            before_allow_traffic=Hook("ready", duration=10),
            after_allow_traffic=Hook("post", duration=30, outcome="Failed"),
        ),
        auto_rollback=AutoRollback.disabled(),
    )


@scenario("ecs-manual-stop", seed=8)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        manual_stop=ManualStop(at_minute=5.2),
    )


@scenario("ecs-manual-stop-before-install", seed=8)
def _() -> Any:
    return EcsDeployment(
        "CodeDeployDefault.ECSAllAtOnce",
        hooks=EcsHooks(before_install=Hook("slow", duration=600)),
        manual_stop=ManualStop(at_minute=3),
    )


# ====================================================================== Server (EC2/on-premises)
HOOKS = {
    "ApplicationStop": [Script("scripts/stop.sh", 10)],
    "BeforeInstall": [Script("scripts/deps.sh", Duration.uniform(20, 40))],
    "ApplicationStart": [Script("scripts/start.sh", 15, timeout=300)],
    "ValidateService": [Script("scripts/health.sh", 30, timeout=120)],
}
LB_HOOKS = {
    **HOOKS,
    "BeforeBlockTraffic": [Script("scripts/drain.sh", 5)],
    "AfterAllowTraffic": [Script("scripts/smoke.sh", Duration.normal(8, 2))],
}
FLEET_9 = Fleet.of_size(9, tags={"env": "prod", "app": "web"})


@scenario("server-one-at-a-time", seed=7)
def _() -> Any:
    return ServerDeployment("CodeDeployDefault.OneAtATime", fleet=Fleet.of_size(3), hooks=HOOKS)


@scenario("server-half-at-a-time-lb-faults", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=FLEET_9,
        targets=Targets(ec2_tag_filters=[TagFilter("env", "prod")]),
        load_balancer=True,
        hooks=HOOKS,
        faults=[ScriptFault("ApplicationStart", instances=["i-002", "i-004", "i-006"])],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-all-at-once", seed=2)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(5),
        hooks={"BeforeInstall": [Script("b.sh", Duration.lognormal(20, 0.5))]},
    )


@scenario("server-all-at-once-with-lb", seed=2)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(4),
        load_balancer=True,
        hooks=LB_HOOKS,
        reserved_durations={"BlockTraffic": 30, "AllowTraffic": Duration.exponential(20)},
    )


@scenario("server-custom-host-count", seed=4)
def _() -> Any:
    config = DeploymentConfig(
        "TwoHealthy", "Server", minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 2)
    )
    return ServerDeployment(config, fleet=Fleet.of_size(6), hooks=HOOKS)


@scenario("server-custom-fleet-percent", seed=4)
def _() -> Any:
    config = DeploymentConfig(
        "SeventyFive", "Server", minimum_healthy_hosts=MinimumHealthyHosts("FLEET_PERCENT", 75)
    )
    return ServerDeployment(
        config,
        fleet=Fleet.of_size(8),
        load_balancer=True,
        hooks=LB_HOOKS,
        faults=[ScriptFault("ValidateService", probability=0.3)],
    )


@scenario("server-health-constraints-invalid")
def _() -> Any:
    config = DeploymentConfig(
        "TooMany", "Server", minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 5)
    )
    return ServerDeployment(config, fleet=Fleet.of_size(3), hooks=HOOKS)


@scenario("server-no-instances")
def _() -> Any:
    return ServerDeployment(
        fleet=Fleet.of_size(3, tags={"env": "dev"}),
        targets=Targets(ec2_tag_filters=[TagFilter("env", "prod")]),
        hooks=HOOKS,
    )


@scenario("server-over-max-instances")
def _() -> Any:
    return ServerDeployment(fleet=Fleet.of_size(5), hooks=HOOKS, max_instances=4)


@scenario("server-script-fails-rollback", seed=3)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks=HOOKS,
        faults=[ScriptFault("ApplicationStart", instances=["i-002"], exit_code=3)],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-script-hangs", seed=3)
def _() -> Any:
    hooks = {**HOOKS, "ValidateService": [Script("scripts/health.sh", 30, timeout=90)]}
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4),
        hooks=hooks,
        faults=[ScriptFault("ValidateService", mode="hang", instances=["i-001"])],
    )


@scenario("server-script-missing", seed=3)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(3),
        hooks=HOOKS,
        faults=[ScriptFault("BeforeInstall", mode="missing", instances=["i-000"])],
    )


@scenario("server-previous-revision-stop-fails", seed=6)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3),
        hooks=HOOKS,
        previous_hooks={"ApplicationStop": [Script("old/stop.sh", 12)]},
        faults=[ScriptFault("ApplicationStop", instances=["i-001"])],
    )


@scenario("server-ignore-application-stop-failures", seed=6)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3),
        hooks=HOOKS,
        faults=[ScriptFault("ApplicationStop", instances=["i-001"])],
        ignore_application_stop_failures=True,
    )


@scenario("server-random-faults-shuffled", seed=21)
def _() -> Any:
    fleet = Fleet.of_size(12).update(["i-003", "i-007"], healthy=False)
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=fleet,
        hooks=HOOKS,
        faults=[
            ScriptFault("BeforeInstall", probability=0.15),
            ScriptFault("ValidateService", mode="hang", probability=0.1),
        ],
        order="shuffle",
    )


@scenario("server-agent-problems", seed=8)
def _() -> Any:
    fleet = (
        Fleet.of_size(6)
        .update("i-001", agent_running=False)
        .update("i-002", agent_installed=False)
        .update("i-003", s3_access=False)
        .update("i-004", clock_skew_seconds=600)
    )
    return ServerDeployment("CodeDeployDefault.AllAtOnce", fleet=fleet, hooks=HOOKS)


@scenario("server-agent-down-one-at-a-time", seed=8)
def _() -> Any:
    fleet = Fleet.of_size(4).update("i-002", agent_running=False)
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=fleet,
        hooks=HOOKS,
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-unknown-and-stopped-instances", seed=8)
def _() -> Any:
    fleet = Fleet.of_size(5).update("i-000", revision="Unknown").update("i-004", stopped=True)
    return ServerDeployment("CodeDeployDefault.HalfAtATime", fleet=fleet, hooks=HOOKS)


@scenario("server-load-balancer-faults", seed=10)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        load_balancer=True,
        hooks=LB_HOOKS,
        faults=[
            LoadBalancerFault("BlockTraffic", instances=["i-003"]),
            LoadBalancerFault("AllowTraffic", probability=0.2),
        ],
    )


@scenario("server-instance-stops", seed=10)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4),
        hooks=HOOKS,
        faults=[InstanceStop("i-002", at_minute=1.0)],
    )


@scenario("server-alarm-stops-and-rolls-back", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(6),
        hooks=HOOKS,
        alarms=[Alarm("cpu")],
        alarm_events=[(1.2, "cpu", "ALARM")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",)),
    )


@scenario("server-alarm-flaps-between-polls", seed=5)
def _() -> Any:
    return ServerDeployment(
        fleet=Fleet.of_size(4),
        hooks=HOOKS,
        alarms=[Alarm("cpu"), Alarm("mem")],
        alarm_events=[(1.1, "cpu", "ALARM"), (1.5, "cpu", "OK")],
        alarm_poll_interval=60,
    )


@scenario("server-alarm-initially-in-alarm")
def _() -> Any:
    return ServerDeployment(
        fleet=Fleet.of_size(3), hooks=HOOKS, alarms=[Alarm("cpu", initial_state="ALARM")]
    )


@scenario("server-manual-stop-rollback", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(5),
        load_balancer=True,
        hooks=LB_HOOKS,
        manual_stop=ManualStop(at_minute=4, auto_rollback_enabled=True),
    )


@scenario("server-manual-stop-no-rollback", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(6),
        hooks=HOOKS,
        manual_stop=ManualStop(at_minute=1.5),
    )


@scenario("server-rollback-fails-too", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3),
        hooks=HOOKS,
        previous_hooks={"ApplicationStart": [Script("old/start.sh", 20)]},
        faults=[
            ScriptFault("ApplicationStart", instances=["i-001"]),
            ScriptFault("ApplicationStart", instances=["i-001"], revision="previous"),
        ],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-on-premises-tag-set", seed=13)
def _() -> Any:
    fleet = Fleet(
        [
            Instance("mi-1", tags={"env": "prod", "tier": "web"}, on_premises=True),
            Instance("mi-2", tags={"env": "prod", "tier": "db"}, on_premises=True),
            Instance("mi-3", tags={"env": "prod", "tier": "web"}, on_premises=True),
            Instance("i-9", tags={"env": "prod", "tier": "web"}),
        ]
    )
    targets = Targets(on_premises_tag_set=[[TagFilter("env", "prod")], [TagFilter("tier", "web")]])
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce", fleet=fleet, targets=targets, hooks=HOOKS
    )


@scenario("server-zonal", seed=14)
def _() -> Any:
    config = DeploymentConfig(
        "zonal",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts("HOST_COUNT", 1),
        zonal_config=ZonalConfig(
            monitor_duration_in_seconds=120,
            first_zone_monitor_duration_in_seconds=300,
            minimum_healthy_hosts_per_zone=MinimumHealthyHosts("HOST_COUNT", 1),
        ),
    )
    return ServerDeployment(config, fleet=Fleet.of_size(6), hooks=HOOKS)


@scenario("server-zonal-failure", seed=14)
def _() -> Any:
    config = DeploymentConfig(
        "zonal",
        "Server",
        minimum_healthy_hosts=MinimumHealthyHosts("FLEET_PERCENT", 50),
        zonal_config=ZonalConfig(),
    )
    return ServerDeployment(
        config,
        fleet=Fleet.of_size(6),
        hooks=HOOKS,
        faults=[ScriptFault("ApplicationStart", instances=["i-000", "i-001", "i-003", "i-004"])],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-scale-out-follow-up", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks={"ApplicationStart": [Script("new/start.sh", 20)]},
        previous_hooks={"ApplicationStart": [Script("old/start.sh", 30)]},
        scale_outs=[ScaleOut(0.5, "web", count=2, instance_ids=["i-new1", "i-new2"])],
    )


@scenario("server-scale-out-ignore-and-failed-launch", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks={"ApplicationStart": [Script("new/start.sh", 20)]},
        faults=[ScriptFault("ApplicationStart", revision="previous", instances=["i-bad"])],
        scale_outs=[
            ScaleOut(0.5, "web", count=2, instance_ids=["i-ok", "i-bad"]),
            ScaleOut(60.0, "web"),
        ],
        outdated_instances_strategy="IGNORE",
    )


@scenario("server-scale-out-rollback", seed=5)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks={"ApplicationStart": [Script("new/start.sh", 20)]},
        faults=[ScriptFault("ApplicationStart", instances=["i-001"])],
        scale_outs=[ScaleOut(0.1, "web", instance_ids=["i-new"])],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


BG_HOOKS = {
    "ApplicationStart": [Script("new/start.sh", 20)],
    "BeforeBlockTraffic": [Script("drain.sh", 5)],
    "AfterAllowTraffic": [Script("smoke.sh", 8)],
}


@scenario("server-blue-green-copy-asg", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(termination_wait_time_in_minutes=5),
    )


@scenario("server-blue-green-discover-existing", seed=9)
def _() -> Any:
    green = Fleet.of_size(3, prefix="g-", tags={"color": "green"})
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(
            "DISCOVER_EXISTING",
            green_fleet=green,
            green_targets=Targets(ec2_tag_filters=[TagFilter("color", "green")]),
            termination_action="KEEP_ALIVE",
        ),
    )


@scenario("server-blue-green-wait-for-continue", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(2, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(
            action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=30, continue_after_minutes=10
        ),
    )


@scenario("server-blue-green-ready-timeout", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.AllAtOnce",
        fleet=Fleet.of_size(2, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(action_on_timeout="STOP_DEPLOYMENT", wait_time_in_minutes=15),
    )


@scenario("server-blue-green-failure-rollback", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(),
        faults=[ScriptFault("BeforeBlockTraffic", instances=["i-001"], revision="previous")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-blue-green-alarm", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.OneAtATime",
        fleet=Fleet.of_size(3, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(),
        alarms=[Alarm("latency")],
        alarm_events=[(2.0, "latency", "ALARM")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_STOP_ON_ALARM",)),
    )


@scenario("server-large-fleet", seed=17)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(24, zones=["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
        hooks={
            "BeforeInstall": [Script("deps.sh", Duration.uniform(5, 25))],
            "ApplicationStart": [Script("start.sh", Duration.lognormal(10, 0.4))],
        },
        faults=[ScriptFault("ApplicationStart", probability=0.05)],
    )


# ====================================================================== Monte Carlo
#: (name, builder, runs, seed): ``shiftsim.monte_carlo(d, runs=runs, rng=seed)``.
MONTE_CARLO: list[tuple[str, Builder, int, int]] = [
    (
        "mc-lambda-canary-bad-release",
        lambda: LambdaDeployment(
            "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            invocations_per_minute=300,
            target=BAD,
            alarms=[ERRORS_2_OF_2],
        ),
        200,
        7,
    ),
    (
        "mc-lambda-linear-manual-stop",
        lambda: LambdaDeployment(
            "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
            target=Version("2", error_rate=0.01),
            alarms=[Alarm("rate", metric="ErrorRate", threshold=3, evaluation_periods=2)],
            manual_stop=ManualStop(at_minute=8),
        ),
        200,
        8,
    ),
    (
        "mc-ecs-linear-regression",
        lambda: EcsDeployment(
            "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
            requests_per_minute=1200,
            target=Version("2", error_rate=Profile.step(4, 0.002, 0.15)),
            alarms=[Alarm("rate", metric="ErrorRate", threshold=5, evaluation_periods=3)],
        ),
        200,
        11,
    ),
    (
        "mc-server-random-faults",
        lambda: ServerDeployment(
            "CodeDeployDefault.HalfAtATime",
            fleet=Fleet.of_size(8),
            hooks=HOOKS,
            faults=[ScriptFault("ApplicationStart", probability=0.1)],
            auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
        ),
        50,
        5,
    ),
]

#: ``shiftsim.compare`` cases: (name, configs, base builder, runs, seed).
COMPARE: list[tuple[str, list[str], Builder, int, int]] = [
    (
        "compare-lambda-three-configs",
        [
            "CodeDeployDefault.LambdaAllAtOnce",
            "Canary10Percent5Minutes",
            "Linear10PercentEvery1Minute",
        ],
        lambda: LambdaDeployment(
            "CodeDeployDefault.LambdaAllAtOnce",
            invocations_per_minute=300,
            target=BAD,
            alarms=[ERRORS_2_OF_2],
        ),
        300,
        2,
    )
]

# ====================================================================== CLI
EXAMPLES = "examples/scenarios"
#: (name, argv) for ``shiftsim.cli.main(argv)``; paths are relative to the repository root.
#: ``{corpus}`` stands for the AppSpec corpus folder (../shared/corpus), skipped when absent;
#: ``{tmp}`` for a temporary folder holding the files of :data:`CLI_FILES`.
CLI_COMMANDS: list[tuple[str, list[str]]] = [
    ("cli-configs", ["configs"]),
    ("cli-configs-server-json", ["configs", "--platform", "Server", "--json"]),
    ("cli-schedule-canary", ["schedule", "CodeDeployDefault.LambdaCanary10Percent5Minutes"]),
    (
        "cli-schedule-linear-json",
        ["schedule", "Linear10PercentEvery3Minutes", "--linear-completion", "interval_after"],
    ),
    (
        "cli-schedule-ecs-json",
        ["schedule", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes", "--json"],
    ),
    ("cli-simulate-lambda", ["simulate", f"{EXAMPLES}/lambda-canary.yml"]),
    (
        "cli-simulate-lambda-kernel-json",
        ["simulate", f"{EXAMPLES}/lambda-canary.yml", "--engine", "kernel", "--json"],
    ),
    ("cli-simulate-ecs", ["simulate", f"{EXAMPLES}/ecs-linear.yml"]),
    (
        "cli-simulate-ecs-seed",
        ["simulate", f"{EXAMPLES}/ecs-linear.yml", "--seed", "3", "--engine", "kernel"],
    ),
    ("cli-simulate-server", ["simulate", f"{EXAMPLES}/server-in-place.yml"]),
    ("cli-simulate-server-json", ["simulate", f"{EXAMPLES}/server-in-place.yml", "--json"]),
    (
        "cli-montecarlo-lambda",
        ["montecarlo", f"{EXAMPLES}/lambda-canary.yml", "--runs", "200", "--no-progress"],
    ),
    (
        "cli-montecarlo-ecs-json",
        ["montecarlo", f"{EXAMPLES}/ecs-linear.yml", "--runs", "200", "--no-progress", "--json"],
    ),
    (
        "cli-compare-lambda",
        ["compare", f"{EXAMPLES}/lambda-canary.yml", "--runs", "500", "--no-progress"],
    ),
    (
        "cli-compare-ecs-two-configs",
        [
            "compare",
            f"{EXAMPLES}/ecs-linear.yml",
            "--runs",
            "500",
            "--no-progress",
            "--configs",
            "CodeDeployDefault.ECSAllAtOnce",
            "CodeDeployDefault.ECSCanary10Percent5Minutes",
        ],
    ),
    ("cli-validate-own-appspec", ["validate", "{tmp}/appspec.yml"]),
    (
        "cli-validate-corpus-server",
        [
            "validate",
            "{corpus}/server/8_kenny67_server_appspec.yml",
            "{corpus}/server/19_0xradical_respriter_appspec.yml",
            "{corpus}/server/10_ashnike_bipoflask_appspec.yml",
        ],
    ),
]

#: Files the CLI cases read from ``{tmp}``: written by the test, shiftsim's own examples.
CLI_FILES = {
    "appspec.yml": (
        "version: 0.0\n"
        "os: linux\n"
        "files:\n"
        "  - source: /\n"
        "    destination: /srv/app\n"
        "hooks:\n"
        "  ApplicationStart:\n"
        "    - location: scripts/start.sh\n"
        "      timeout: 300\n"
        "  ValidateService:\n"
        "    - location: scripts/health.sh\n"
        "      timeout: 4000\n"
        "  BeforeInstal:\n"
        "    - location: scripts/typo.sh\n"
    ),
}


@scenario("server-blue-green-green-fails-before-traffic", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(),
        faults=[ScriptFault("ApplicationStart")],
        auto_rollback=AutoRollback(events=("DEPLOYMENT_FAILURE",)),
    )


@scenario("server-blue-green-deregistration-fails", seed=9)
def _() -> Any:
    return ServerDeployment(
        "CodeDeployDefault.HalfAtATime",
        fleet=Fleet.of_size(4, auto_scaling_group="web"),
        hooks=BG_HOOKS,
        load_balancer=True,
        blue_green=BlueGreen(),
        faults=[LoadBalancerFault("BlockTraffic", instances=["i-002"])],
    )
