"""Which instances a deployment group selects: tag filters, tag sets and Auto Scaling groups
(:class:`Targets`, :class:`TagFilter`; API:EC2TagFilter, API:EC2TagSet, API:TargetInstances).

:meth:`shiftsim.fleet.Fleet.select` applies them to a fleet; both names are also importable from
:mod:`shiftsim.fleet`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shiftsim._checks import check_choice, invalid

__all__ = [
    "MAX_AUTO_SCALING_GROUPS",
    "MAX_TAGS_PER_GROUP",
    "MAX_TAG_GROUPS",
    "TAG_FILTER_TYPES",
    "TagFilter",
    "Tags",
    "Targets",
]

TAG_FILTER_TYPES = ("KEY_ONLY", "VALUE_ONLY", "KEY_AND_VALUE")
#: At most 3 tag groups in a tag set (TagSetListLimitExceededException).
MAX_TAG_GROUPS = 3
#: At most 10 tags in one tag group (UG:instances-tagging.md).
MAX_TAGS_PER_GROUP = 10
#: At most 10 Auto Scaling groups per deployment group (UG:limits.md).
MAX_AUTO_SCALING_GROUPS = 10

#: An instance's tags: sorted ``(key, value)`` pairs.
Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, eq=False)
class TagFilter:
    """One tag filter of a deployment group (API:EC2TagFilter, API:TagFilter).

    Parameters
    ----------
    key, value : str or None
    type : {"KEY_ONLY", "VALUE_ONLY", "KEY_AND_VALUE"} or None
        ``None`` (the default) infers it (:attr:`filter_type`): both given -> ``KEY_AND_VALUE``,
        a key alone -> ``KEY_ONLY``, a value alone -> ``VALUE_ONLY``.

    Examples
    --------
    >>> TagFilter("env").filter_type, TagFilter(value="prod").filter_type
    ('KEY_ONLY', 'VALUE_ONLY')
    >>> TagFilter("env", "prod").filter_type
    'KEY_AND_VALUE'
    >>> TagFilter(value="prod").matches((("stage", "prod"),))
    True
    """

    key: str | None = None
    value: str | None = None
    type: str | None = None

    def __post_init__(self) -> None:
        owner = "TagFilter"
        for name in ("key", "value"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, str):
                raise invalid(owner, name, v, "must be a string or None")
        if self.type is None and not self.key and not self.value:
            raise invalid(owner, "key", self.key, "or value must be given")
        if self.type is not None:
            check_choice(owner, "type", self.type, TAG_FILTER_TYPES)
        kind = self.filter_type
        if kind in ("KEY_ONLY", "KEY_AND_VALUE") and not self.key:
            raise invalid(owner, "key", self.key, f"must be a non-empty string for {kind}")
        if kind == "KEY_ONLY" and self.value:
            raise invalid(
                owner,
                "value",
                self.value,
                "must be None for KEY_ONLY",
                "Use KEY_AND_VALUE to match a value too.",
            )
        if kind == "VALUE_ONLY":
            if not self.value:
                raise invalid(
                    owner, "value", self.value, "must be a non-empty string for VALUE_ONLY"
                )
            if self.key:
                raise invalid(
                    owner,
                    "key",
                    self.key,
                    "must be None for VALUE_ONLY",
                    "Use KEY_AND_VALUE to match a key too.",
                )
        if kind == "KEY_AND_VALUE" and self.value is None:
            raise invalid(owner, "value", self.value, "must be a string for KEY_AND_VALUE")

    def __eq__(self, other: object) -> bool:
        """Filters are equal when they match alike (an inferred type equals its spelling)."""
        if not isinstance(other, TagFilter):
            return NotImplemented
        return (self.key, self.value, self.filter_type) == (
            other.key,
            other.value,
            other.filter_type,
        )

    def __hash__(self) -> int:
        return hash((self.key, self.value, self.filter_type))

    def __repr__(self) -> str:
        return f"TagFilter(key={self.key!r}, value={self.value!r}, type={self.filter_type!r})"

    @property
    def filter_type(self) -> str:
        """``type``, or when it is None the type the key and value imply."""
        if self.type is not None:
            return self.type
        if self.key and self.value is not None:
            return "KEY_AND_VALUE"
        return "KEY_ONLY" if self.key else "VALUE_ONLY"

    def matches(self, tags: Tags) -> bool:
        """Whether an instance with ``tags`` (sorted ``(key, value)`` pairs) matches."""
        kind = self.filter_type
        if kind == "KEY_ONLY":
            return any(k == self.key for k, _ in tags)
        if kind == "VALUE_ONLY":
            return any(v == self.value for _, v in tags)
        return any(k == self.key and v == self.value for k, v in tags)

    @classmethod
    def from_boto(cls, raw: Mapping[str, Any]) -> TagFilter:
        """Read ``{"Key": ..., "Value": ..., "Type": ...}``."""
        if not isinstance(raw, Mapping):
            raise invalid(
                "TagFilter.from_boto", "filter", raw, "must be a mapping with Key, Value and Type"
            )
        return cls(raw.get("Key") or None, raw.get("Value"), raw.get("Type"))

    def to_boto(self) -> dict[str, str]:
        out = {"Type": self.filter_type}
        if self.key:
            out["Key"] = self.key
        if self.value is not None:
            out["Value"] = self.value
        return out


def _as_filter(owner: str, field_name: str, item: object) -> TagFilter:
    if isinstance(item, TagFilter):
        return item
    if isinstance(item, Mapping):
        return TagFilter.from_boto(item)
    if isinstance(item, tuple) and len(item) == 2:
        return TagFilter(item[0], item[1])
    raise invalid(
        owner,
        field_name,
        item,
        "must be a TagFilter, a (key, value) pair or a {'Key', 'Value', 'Type'} mapping",
    )


def _as_filters(owner: str, field_name: str, items: object) -> tuple[TagFilter, ...]:
    if isinstance(items, (str, TagFilter)) or not isinstance(items, Iterable):
        raise invalid(owner, field_name, items, "must be a list of tag filters")
    return tuple(_as_filter(owner, f"{field_name}[{k}]", item) for k, item in enumerate(items))


def _as_tag_set(owner: str, field_name: str, groups: object) -> tuple[tuple[TagFilter, ...], ...]:
    if isinstance(groups, (str, TagFilter)) or not isinstance(groups, Iterable):
        raise invalid(owner, field_name, groups, "must be a list of tag groups (lists of filters)")
    out = tuple(_as_filters(owner, f"{field_name}[{k}]", group) for k, group in enumerate(groups))
    if len(out) > MAX_TAG_GROUPS:
        raise invalid(
            owner,
            field_name,
            f"{len(out)} groups",
            f"must hold at most {MAX_TAG_GROUPS} tag groups (TagSetListLimitExceededException)",
        )
    for k, group in enumerate(out):
        if not group:
            raise invalid(owner, f"{field_name}[{k}]", [], "must hold at least one tag filter")
        if len(group) > MAX_TAGS_PER_GROUP:
            raise invalid(
                owner,
                f"{field_name}[{k}]",
                f"{len(group)} tags",
                f"must hold at most {MAX_TAGS_PER_GROUP} tags (UG:instances-tagging.md)",
            )
    return out


@dataclass(frozen=True, slots=True)
class Targets:
    """Which instances a deployment group (or a blue/green ``targetInstances``) selects.

    Parameters
    ----------
    ec2_tag_filters : sequence of TagFilter
        OR: an EC2 instance matching any filter is selected.
    ec2_tag_set : sequence of sequences of TagFilter
        AND across at most 3 groups, OR within a group of at most 10 filters.
    auto_scaling_groups : sequence of str
        Every instance of these groups (at most 10).
    on_premises_tag_filters, on_premises_tag_set
        The same for on-premises instances.

    Notes
    -----
    A selection is the union of the three parts. Filters and a tag set of the same kind cannot
    be combined (the API rejects it). Selecting nothing is allowed here; the deployment then
    fails with ``NO_INSTANCES``.

    Examples
    --------
    >>> Targets(ec2_tag_filters=[("env", "prod")], ec2_tag_set=[[("tier", "web")]])
    Traceback (most recent call last):
    ...
    shiftsim.errors.ConfigError: Targets.ec2_tag_set cannot be combined with ec2_tag_filters \
(InvalidEC2TagCombinationException); got [[TagFilter(key='tier', value='web', \
type='KEY_AND_VALUE')]]. Use one or the other.
    """

    ec2_tag_filters: Sequence[TagFilter] = ()
    ec2_tag_set: Sequence[Sequence[TagFilter]] = ()
    auto_scaling_groups: Sequence[str] = ()
    on_premises_tag_filters: Sequence[TagFilter] = ()
    on_premises_tag_set: Sequence[Sequence[TagFilter]] = ()

    def __post_init__(self) -> None:
        owner = "Targets"
        ec2 = _as_filters(owner, "ec2_tag_filters", self.ec2_tag_filters)
        ec2_set = _as_tag_set(owner, "ec2_tag_set", self.ec2_tag_set)
        prem = _as_filters(owner, "on_premises_tag_filters", self.on_premises_tag_filters)
        prem_set = _as_tag_set(owner, "on_premises_tag_set", self.on_premises_tag_set)
        if ec2 and ec2_set:
            raise invalid(
                owner,
                "ec2_tag_set",
                [list(g) for g in ec2_set],
                "cannot be combined with ec2_tag_filters (InvalidEC2TagCombinationException)",
                "Use one or the other.",
            )
        if prem and prem_set:
            raise invalid(
                owner,
                "on_premises_tag_set",
                [list(g) for g in prem_set],
                "cannot be combined with on_premises_tag_filters "
                "(InvalidOnPremisesTagCombinationException)",
                "Use one or the other.",
            )
        groups = self.auto_scaling_groups
        if isinstance(groups, str):
            groups = (groups,)
        groups = tuple(groups)
        for k, g in enumerate(groups):
            if not isinstance(g, str) or not g:
                raise invalid(owner, f"auto_scaling_groups[{k}]", g, "must be a non-empty string")
        if len(groups) > MAX_AUTO_SCALING_GROUPS:
            raise invalid(
                owner,
                "auto_scaling_groups",
                f"{len(groups)} groups",
                f"must hold at most {MAX_AUTO_SCALING_GROUPS} groups (UG:limits.md)",
            )
        if len(set(groups)) != len(groups):
            raise invalid(owner, "auto_scaling_groups", groups, "must not repeat a group")
        object.__setattr__(self, "ec2_tag_filters", ec2)
        object.__setattr__(self, "ec2_tag_set", ec2_set)
        object.__setattr__(self, "on_premises_tag_filters", prem)
        object.__setattr__(self, "on_premises_tag_set", prem_set)
        object.__setattr__(self, "auto_scaling_groups", groups)

    @property
    def is_empty(self) -> bool:
        """True when nothing is selected by construction."""
        return not (
            self.ec2_tag_filters
            or self.ec2_tag_set
            or self.auto_scaling_groups
            or self.on_premises_tag_filters
            or self.on_premises_tag_set
        )

    @classmethod
    def from_boto(cls, info: Mapping[str, Any]) -> Targets:
        """Read a deployment group (``get_deployment_group()["deploymentGroupInfo"]``) or a
        blue/green ``targetInstances`` mapping.

        Examples
        --------
        >>> Targets.from_boto({"ec2TagSet": {"ec2TagSetList": [[
        ...     {"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}]]},
        ...     "autoScalingGroups": [{"name": "web"}]}).auto_scaling_groups
        ('web',)
        """
        if not isinstance(info, Mapping):
            raise invalid("Targets.from_boto", "info", info, "must be a mapping")
        filters = info.get("ec2TagFilters") or info.get("tagFilters") or ()
        tag_set = (info.get("ec2TagSet") or {}).get("ec2TagSetList", ())
        prem = info.get("onPremisesInstanceTagFilters") or ()
        prem_set = (info.get("onPremisesTagSet") or {}).get("onPremisesTagSetList", ())
        groups = [
            g["name"] if isinstance(g, Mapping) else g for g in info.get("autoScalingGroups") or ()
        ]
        return cls(filters, tag_set, groups, prem, prem_set)
