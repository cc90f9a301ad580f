"""Fleets and deployment-group targeting (codedeploy.md section 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftsim.errors import ConfigError
from shiftsim.fleet import Fleet, Instance, TagFilter, Targets


def tagged_fleet() -> Fleet:
    return Fleet(
        [
            Instance("i-a", tags={"env": "prod", "tier": "web"}),
            Instance("i-b", tags={"env": "prod", "tier": "db"}),
            Instance("i-c", tags={"env": "test", "tier": "web"}),
            Instance("i-d", tags={"stage": "prod"}, auto_scaling_group="asg-1"),
            Instance("i-e", tags={"env": ""}, auto_scaling_group="asg-2"),
            Instance("p-f", tags={"env": "prod"}, on_premises=True),
        ]
    )


def selected(fleet: Fleet, targets: Targets | None) -> list[str]:
    return [fleet.ids[k] for k in fleet.select(targets).tolist()]


# ---------------------------------------------------------------------- building fleets
def test_of_size_names_zones_and_defaults() -> None:
    fleet = Fleet.of_size(4, zones=["z1", "z2"])
    assert fleet.ids == ("i-000", "i-001", "i-002", "i-003")
    assert fleet.availability_zones == ("z1", "z2")
    first = fleet[0]
    assert first.healthy and first.revision == "Old" and first.agent_running
    assert list(fleet.to_frame()["availability_zone"]) == ["z1", "z2", "z1", "z2"]


def test_never_deployed_instance_is_unhealthy() -> None:
    # UG:instances-health.md: "An instance never deployed to is Unhealthy".
    assert Instance("i-1", revision="Unknown").is_healthy is False
    assert Fleet.of_size(2, revision="Unknown")[1].healthy is False
    assert Instance("i-1", revision="Unknown", healthy=True).is_healthy is True


def test_update_returns_a_changed_copy() -> None:
    fleet = Fleet.of_size(3)
    changed = fleet.update(["i-001"], agent_running=False, clock_skew_seconds=400)
    assert fleet["i-001"].agent_running and not changed["i-001"].agent_running
    assert changed["i-001"].clock_skew_seconds == 400.0
    assert changed.update("i-002", revision="Unknown")["i-002"].healthy is False


def test_from_frame_and_records_round_trip() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "healthy": [True, False],
            "tags": [{"env": "prod"}, {"env": "test"}],
            "availability_zone": ["z1", "z2"],
        }
    )
    fleet = Fleet.from_frame(frame)
    assert fleet["b"].healthy is False and fleet["a"].tag_map == {"env": "prod"}
    again = Fleet.from_frame(fleet.to_frame())
    assert again.to_frame().equals(fleet.to_frame())
    assert len(Fleet.from_frame([{"id": "x"}])) == 1


def test_fleet_access_and_repr() -> None:
    fleet = Fleet.of_size(3, auto_scaling_group="web").update("i-000", healthy=False)
    assert "i-002" in fleet and "i-999" not in fleet
    assert fleet[-1].id == "i-002"
    assert [i.id for i in fleet] == list(fleet.ids)
    assert repr(fleet) == (
        "<Fleet: 3 instances, 1 unhealthy, 1 Auto Scaling group, 3 Availability Zones>"
    )
    assert "<table>" in fleet._repr_html_()
    with pytest.raises(IndexError):
        fleet[3]


@pytest.mark.slow  # over a second on a 2-core machine
def test_large_fleet_is_columnar() -> None:
    fleet = Fleet.of_size(200_000)
    assert len(fleet) == 200_000
    assert fleet.column("healthy").dtype == bool
    assert not fleet.column("healthy").flags.writeable


# ---------------------------------------------------------------------- bad input
def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"Fleet.id must be unique"):
        Fleet([Instance("i-1"), Instance("i-1")])


def test_unknown_instance_id_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'i-001'"):
        Fleet.of_size(3).index_of("i-0001")


def test_unknown_field_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'agent_running'"):
        Fleet([{"id": "a", "agent_runing": False}])
    with pytest.raises(ConfigError, match=r"is not a changeable Instance field"):
        Fleet.of_size(2).update("i-000", id="x")


def test_instance_field_validation() -> None:
    with pytest.raises(ConfigError, match=r"Instance.revision must be one of"):
        Instance("i-1", revision="New")
    with pytest.raises(
        ConfigError,
        match=r"Instance.auto_scaling_group must be None for an "
        r"on-premises instance",
    ):
        Instance("i-1", on_premises=True, auto_scaling_group="web")
    with pytest.raises(ConfigError, match=r"Instance.stopped must be True or False"):
        Instance("i-1", stopped="yes")


# ---------------------------------------------------------------------- tag filters
def test_filter_types_are_inferred_and_match() -> None:
    # API:EC2TagFilter; KEY_ONLY/VALUE_ONLY semantics are codedeploy.md's [INFERENCE] (8).
    tags = (("env", "prod"), ("tier", "web"))
    assert TagFilter("env").matches(tags)
    assert not TagFilter("owner").matches(tags)
    assert TagFilter(value="web").matches(tags)
    assert not TagFilter(value="db").matches(tags)
    assert TagFilter("env", "prod").matches(tags)
    assert not TagFilter("env", "web").matches(tags)
    assert TagFilter.from_boto(
        {"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}
    ) == TagFilter("env", "prod")
    assert TagFilter("env", "prod").to_boto() == {
        "Type": "KEY_AND_VALUE",
        "Key": "env",
        "Value": "prod",
    }


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"key": "env", "value": "prod", "type": "KEY_ONLY"},
            r"TagFilter.value must be None for "
            r"KEY_ONLY",
        ),
        (
            {"key": "env", "value": "prod", "type": "VALUE_ONLY"},
            r"TagFilter.key must be None for "
            r"VALUE_ONLY",
        ),
        ({"value": "prod", "type": "KEY_AND_VALUE"}, r"TagFilter.key must be a non-empty string"),
        ({}, r"TagFilter.key or value must be given"),
        ({"key": "env", "type": "KEY_VALUE"}, r"did you mean 'KEY_AND_VALUE'"),
    ],
)
def test_contradictory_filters_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TagFilter(**kwargs)


# ---------------------------------------------------------------------- targeting
def test_none_selects_the_whole_fleet() -> None:
    fleet = tagged_fleet()
    assert selected(fleet, None) == list(fleet.ids)


def test_tag_filters_are_or() -> None:
    # API:CreateDeploymentGroupInput.ec2TagFilters: an instance matching any filter is in.
    fleet = tagged_fleet()
    targets = Targets(ec2_tag_filters=[TagFilter("tier", "db"), TagFilter(value="test")])
    assert selected(fleet, targets) == ["i-b", "i-c"]


def test_tag_set_is_and_across_groups_or_within() -> None:
    # UG:instances-tagging.md: an instance must match at least one tag in each group.
    fleet = tagged_fleet()
    targets = Targets(
        ec2_tag_set=[
            [TagFilter("env", "prod"), TagFilter("stage", "prod")],
            [TagFilter("tier", "web"), TagFilter("tier", "db")],
        ]
    )
    assert selected(fleet, targets) == ["i-a", "i-b"]


def test_key_only_and_value_only_filters() -> None:
    fleet = tagged_fleet()
    assert selected(fleet, Targets(ec2_tag_filters=[TagFilter("env")])) == [
        "i-a",
        "i-b",
        "i-c",
        "i-e",
    ]
    assert selected(fleet, Targets(ec2_tag_filters=[TagFilter(value="prod")])) == [
        "i-a",
        "i-b",
        "i-d",
    ]


def test_auto_scaling_groups_add_to_tag_matches() -> None:
    fleet = tagged_fleet()
    targets = Targets(ec2_tag_filters=[TagFilter("tier", "db")], auto_scaling_groups=["asg-2"])
    assert selected(fleet, targets) == ["i-b", "i-e"]
    assert selected(fleet, Targets(auto_scaling_groups="asg-1")) == ["i-d"]


def test_on_premises_instances_use_their_own_filters() -> None:
    fleet = tagged_fleet()
    assert "p-f" not in selected(fleet, Targets(ec2_tag_filters=[TagFilter("env", "prod")]))
    assert selected(fleet, Targets(on_premises_tag_filters=[TagFilter("env", "prod")])) == ["p-f"]


def test_empty_targets_select_nothing() -> None:
    assert Targets().is_empty
    assert selected(tagged_fleet(), Targets()) == []


def test_targets_from_boto() -> None:
    targets = Targets.from_boto(
        {
            "ec2TagSet": {
                "ec2TagSetList": [[{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]]
            },
            "autoScalingGroups": [{"name": "asg-1", "hook": "x"}],
        }
    )
    assert selected(tagged_fleet(), targets) == ["i-a", "i-b", "i-d"]


def test_combining_filters_and_a_tag_set_is_an_error() -> None:
    # InvalidEC2TagCombinationException / InvalidOnPremisesTagCombinationException.
    with pytest.raises(ConfigError, match=r"InvalidEC2TagCombinationException"):
        Targets(
            ec2_tag_filters=[TagFilter("env", "prod")], ec2_tag_set=[[TagFilter("tier", "web")]]
        )
    with pytest.raises(ConfigError, match=r"InvalidOnPremisesTagCombinationException"):
        Targets(
            on_premises_tag_filters=[TagFilter("env", "prod")],
            on_premises_tag_set=[[TagFilter("tier", "web")]],
        )


def test_tag_set_limits() -> None:
    # TagSetListLimitExceededException: 3 groups; UG:instances-tagging.md: 10 tags per group.
    group = [TagFilter("env", "prod")]
    with pytest.raises(ConfigError, match=r"at most 3 tag groups"):
        Targets(ec2_tag_set=[group] * 4)
    with pytest.raises(ConfigError, match=r"at most 10 tags"):
        Targets(ec2_tag_set=[[TagFilter("k", str(v)) for v in range(11)]])
    with pytest.raises(ConfigError, match=r"at least one tag filter"):
        Targets(ec2_tag_set=[[]])
    with pytest.raises(ConfigError, match=r"at most 10 groups"):
        Targets(auto_scaling_groups=[f"g{k}" for k in range(11)])
    with pytest.raises(ConfigError, match=r"must be a list of tag filters"):
        Targets(ec2_tag_filters=TagFilter("env"))  # type: ignore[arg-type]


def test_select_is_vectorized_over_shared_tags() -> None:
    fleet = Fleet.of_size(50_000, tags={"env": "prod"}).update("i-00007", tags={"env": "dev"})
    chosen = fleet.select(Targets(ec2_tag_filters=[TagFilter("env", "prod")]))
    assert chosen.shape == (49_999,)
    assert 7 not in set(chosen.tolist())
    assert np.all(np.diff(chosen) > 0)


# ---------------------------------------------------------------------- issue 16: sizes
@pytest.mark.slow  # over 0.2 s: keeps the fast subset under 20 s
def test_fleet_sizes_are_bounded_before_anything_is_built() -> None:
    """At most 1,000,000 instances: 1000 times CodeDeploy's 1000 per deployment (UG:limits.md,
    OVER_MAX_INSTANCES; codedeploy.md section 8) and the size the benchmarks roll out (README,
    Performance), so exceeding CodeDeploy's limit can be simulated."""
    from shiftsim._limits import MAX_FLEET_SIZE

    assert MAX_FLEET_SIZE == 1_000_000
    for n in (10**30, 1_000_001, -1):
        with pytest.raises(ConfigError, match=r"of_size.n must be an integer in \[0, 1000000\]"):
            Fleet.of_size(n)
    # A generator of 10**9 items is refused after reading 1,000,001 of them, none validated.
    endless = ({"id": f"i-{k}"} for k in range(10**9))
    with pytest.raises(ConfigError, match=r"Fleet.instances must hold at most 1_000_000 instances"):
        Fleet(endless)
    assert next(endless) == {"id": "i-1000001"}
