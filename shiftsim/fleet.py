"""EC2 and on-premises fleets, and how a deployment group selects its instances.

A :class:`Fleet` is a table of instances (stored column by column, so a million-instance fleet is
cheap): an id, tags, an Auto Scaling group, an Availability Zone, health as CodeDeploy tracks it
(``healthy`` and the revision health ``Current``/``Old``/``Unknown``), and the conditions the
simulator's faults use (agent installed and running, an instance profile that can read the
revision from S3, clock skew, stopped).

A deployment group selects instances as CodeDeploy does (codedeploy.md section 8), described by
:class:`Targets`:

* ``ec2_tag_filters``: a flat list, **OR** (an instance matching any filter is in);
* ``ec2_tag_set``: up to 3 groups of up to 10 filters, **AND** across groups and OR within one;
* ``auto_scaling_groups``: every instance of the named groups (at most 10);
* the same two forms for on-premises instances (``on_premises_tag_filters`` and
  ``on_premises_tag_set``), which apply only to instances with ``on_premises=True``.

Filters and a tag set of the same kind cannot be combined (InvalidEC2TagCombinationException,
InvalidOnPremisesTagCombinationException). Filter types are ``KEY_ONLY`` (the key, any value),
``VALUE_ONLY`` (the value under any key) and ``KEY_AND_VALUE`` (API:EC2TagFilter; the meaning of
the first two is codedeploy.md's [INFERENCE]).

Examples
--------
>>> fleet = Fleet.of_size(6, tags={"env": "prod"})
>>> fleet = fleet.update(["i-000", "i-001"], tags={"env": "test"})
>>> fleet.select(Targets(ec2_tag_filters=[TagFilter("env", "prod")])).tolist()
[2, 3, 4, 5]
>>> fleet.select(Targets(ec2_tag_set=[[TagFilter("env", "prod")], [TagFilter(value="test")]]))
array([], dtype=int64)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from shiftsim._checks import check_choice, check_int, check_number, invalid, suggest
from shiftsim._html import table
from shiftsim._limits import MAX_FLEET_SIZE
from shiftsim.errors import ConfigError
from shiftsim.targets import TagFilter, Tags, Targets

__all__ = ["DEFAULT_ZONES", "REVISIONS", "Fleet", "Instance", "TagFilter", "Targets", "check_fleet"]

#: Revision health, in the order CodeDeploy schedules instances after the unhealthy ones.
REVISIONS = ("Current", "Old", "Unknown")
DEFAULT_ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def _as_tags(owner: str, value: object) -> Tags:
    """Tags as a sorted tuple of ``(key, value)`` pairs (hashable, order-free)."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, Mapping) and "Key" in item:
                items.append((item["Key"], item.get("Value", "")))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                items.append((item[0], item[1]))
            else:
                raise invalid(
                    owner,
                    "tags",
                    value,
                    "must be a mapping of key to value or a list of (key, value) pairs",
                )
    else:
        raise invalid(
            owner,
            "tags",
            value,
            "must be a mapping of key to value or a list of (key, value) pairs",
        )
    out: dict[str, str] = {}
    for key, val in items:
        if not isinstance(key, str) or not key:
            raise invalid(owner, "tags", value, "must have non-empty string keys")
        if val is None:
            val = ""
        if not isinstance(val, str):
            raise invalid(owner, f"tags[{key!r}]", val, "must be a string")
        if key in out:
            raise invalid(owner, "tags", value, f"must not repeat the key {key!r}")
        out[key] = val
    return tuple(sorted(out.items()))


@dataclass(frozen=True, slots=True)
class Instance:
    """One EC2 or on-premises instance, as a deployment sees it at its start.

    Parameters
    ----------
    id : str
        The instance id, unique in its fleet (``i-...`` for EC2).
    tags : mapping of str to str
        EC2 (or on-premises) tags; a tag with an empty value is a key-only tag.
    auto_scaling_group : str or None
        The Auto Scaling group the instance belongs to.
    availability_zone : str
    healthy : bool or None
        CodeDeploy's instance health. ``None`` (the default) means healthy unless ``revision`` is
        ``"Unknown"``: an instance never deployed to is Unhealthy (UG:instances-health.md);
        :attr:`is_healthy` says which.
    revision : {"Current", "Old", "Unknown"}
        Revision health (UG:instances-health.md): ``Current`` runs the revision of the
        deployment group's last successful deployment; ``Old`` (the default) runs an older
        revision; ``Unknown`` has no revision installed successfully. On Current and Old
        instances ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic run the installed
        revision's scripts (the deployment's ``previous_hooks``); on Unknown ones they are
        no-ops. Fidelity (D13): CodeDeploy deploys to unhealthy instances first, then to healthy
        ones whose revision health is Unknown, then Old, then Current.
    agent_installed, agent_running : bool
        Without a running CodeDeploy agent no lifecycle event starts: the instance fails after
        5 minutes with every event Skipped (codedeploy.md 10.3, D10).
    s3_access : bool
        Whether the instance profile can read the revision from S3; without it DownloadBundle
        fails with ``UnknownError: not opened for reading``.
    clock_skew_seconds : float
        Offset of the instance's clock. Beyond the tolerance (300 s, D7) the agent's calls fail
        with ``InvalidSignatureException - Signature expired``.
    stopped : bool
        A stopped instance is still deployed to and counts as failed (UG:instances-health.md).
    on_premises : bool
        Selected by on-premises tag filters instead of EC2 ones; never in an Auto Scaling group.

    Examples
    --------
    >>> Instance("i-1", tags={"env": "prod"}, revision="Unknown").is_healthy
    False
    """

    id: str
    tags: Any = ()
    auto_scaling_group: str | None = None
    availability_zone: str = DEFAULT_ZONES[0]
    healthy: bool | None = None
    revision: str = "Old"
    agent_installed: bool = True
    agent_running: bool = True
    s3_access: bool = True
    clock_skew_seconds: float = 0.0
    stopped: bool = False
    on_premises: bool = False

    def __post_init__(self) -> None:
        owner = "Instance"
        if not isinstance(self.id, str) or not self.id:
            raise invalid(owner, "id", self.id, "must be a non-empty string")
        object.__setattr__(self, "tags", _as_tags(owner, self.tags))
        if self.auto_scaling_group is not None and (
            not isinstance(self.auto_scaling_group, str) or not self.auto_scaling_group
        ):
            raise invalid(
                owner,
                "auto_scaling_group",
                self.auto_scaling_group,
                "must be a non-empty string or None",
            )
        if not isinstance(self.availability_zone, str) or not self.availability_zone:
            raise invalid(
                owner, "availability_zone", self.availability_zone, "must be a non-empty string"
            )
        check_choice(owner, "revision", self.revision, REVISIONS)
        if self.healthy is not None:
            if not isinstance(self.healthy, (bool, np.bool_)):
                raise invalid(owner, "healthy", self.healthy, "must be True, False or None")
            object.__setattr__(self, "healthy", bool(self.healthy))
        for name in (
            "agent_installed",
            "agent_running",
            "s3_access",
            "stopped",
            "on_premises",
        ):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise invalid(owner, name, value, "must be True or False")
            object.__setattr__(self, name, bool(value))
        object.__setattr__(
            self,
            "clock_skew_seconds",
            check_number(owner, "clock_skew_seconds", self.clock_skew_seconds),
        )
        if self.on_premises and self.auto_scaling_group is not None:
            raise invalid(
                owner,
                "auto_scaling_group",
                self.auto_scaling_group,
                "must be None for an on-premises instance",
            )

    @property
    def is_healthy(self) -> bool:
        """``healthy``, or when it is None whether some revision is installed."""
        return self.healthy if self.healthy is not None else self.revision != "Unknown"

    @property
    def tag_map(self) -> dict[str, str]:
        """The tags as a dict."""
        return dict(self.tags)


_FIELDS = tuple(f.name for f in fields(Instance))
_BOOL_COLUMNS = (
    "healthy",
    "agent_installed",
    "agent_running",
    "s3_access",
    "stopped",
    "on_premises",
)


class Fleet:
    """An ordered set of instances, stored column by column.

    Build one with :meth:`of_size`, from :class:`Instance` objects or mappings
    (``Fleet([...])``), or from a DataFrame (:meth:`from_frame`). A fleet is immutable:
    :meth:`update` returns a changed copy. The order is the order CodeDeploy uses after the
    unhealthy instances (decision D13).

    Examples
    --------
    >>> fleet = Fleet.of_size(4, auto_scaling_group="web")
    >>> len(fleet), fleet.ids[:2]
    (4, ('i-000', 'i-001'))
    >>> fleet.update(["i-003"], healthy=False)["i-003"].healthy
    False
    """

    __slots__ = ("_cols", "_index")

    def __init__(self, instances: Iterable[Instance | Mapping[str, Any]] = ()) -> None:
        rows: list[Instance] = []
        items = list(itertools.islice(instances, MAX_FLEET_SIZE + 1))  # a generator may not end
        if len(items) > MAX_FLEET_SIZE:
            raise ConfigError(
                f"Fleet.instances must hold at most {MAX_FLEET_SIZE:_} instances (1000 times "
                "CodeDeploy's 1000 per deployment, UG:limits.md); got more than that."
            )
        for k, item in enumerate(items):
            if isinstance(item, Instance):
                rows.append(item)
            elif isinstance(item, Mapping):
                unknown = [key for key in item if key not in _FIELDS]
                if unknown:
                    hint = suggest(str(unknown[0]), _FIELDS)
                    raise invalid(
                        "Fleet",
                        f"instances[{k}]",
                        unknown[0],
                        "is not an Instance field",
                        hint or None,
                    )
                rows.append(Instance(**item))
            else:
                raise invalid(
                    "Fleet",
                    f"instances[{k}]",
                    item,
                    "must be an Instance or a mapping of Instance fields",
                )
        cols: dict[str, Any] = {name: [getattr(r, name) for r in rows] for name in _FIELDS}
        cols["healthy"] = [r.is_healthy for r in rows]
        self._set(cols)

    # ------------------------------------------------------------------ construction
    def _set(self, cols: dict[str, Any]) -> None:
        ids = list(cols["id"])
        index: dict[str, int] = {}
        for k, ident in enumerate(ids):
            if ident in index:
                raise invalid("Fleet", "id", ident, "must be unique within a fleet")
            index[ident] = k
        n = len(ids)
        out: dict[str, Any] = {
            "id": tuple(ids),
            "tags": tuple(cols["tags"]),
            "auto_scaling_group": tuple(cols["auto_scaling_group"]),
            "availability_zone": tuple(cols["availability_zone"]),
            "revision": np.asarray(
                [REVISIONS.index(r) for r in cols["revision"]]
                if not isinstance(cols["revision"], np.ndarray)
                else cols["revision"],
                dtype=np.int8,
            ).reshape(n),
            "clock_skew_seconds": np.asarray(cols["clock_skew_seconds"], dtype=np.float64).reshape(
                n
            ),
        }
        for name in _BOOL_COLUMNS:
            out[name] = np.asarray(cols[name], dtype=bool).reshape(n)
        for name in (*_BOOL_COLUMNS, "revision", "clock_skew_seconds"):
            out[name].setflags(write=False)
        self._cols = out
        self._index = index

    @classmethod
    def _from_columns(cls, cols: dict[str, Any]) -> Fleet:
        fleet = cls.__new__(cls)
        fleet._set(cols)
        return fleet

    @classmethod
    def of_size(
        cls,
        n: int,
        *,
        prefix: str = "i-",
        zones: Sequence[str] = DEFAULT_ZONES,
        tags: Mapping[str, str] | None = None,
        auto_scaling_group: str | None = None,
        healthy: bool | None = None,
        revision: str = "Old",
        agent_installed: bool = True,
        agent_running: bool = True,
        s3_access: bool = True,
        clock_skew_seconds: float = 0.0,
        stopped: bool = False,
        on_premises: bool = False,
    ) -> Fleet:
        """``n`` alike instances named ``prefix`` + a zero-padded number, spread round-robin
        over ``zones``.

        Every keyword is an :class:`Instance` field applied to all of them; use :meth:`update`
        to make some differ.

        Examples
        --------
        >>> fleet = Fleet.of_size(3, zones=["eu-west-1a", "eu-west-1b"])
        >>> fleet.to_frame()["availability_zone"].tolist()
        ['eu-west-1a', 'eu-west-1b', 'eu-west-1a']
        """
        check_int("Fleet.of_size", "n", n, 0, MAX_FLEET_SIZE)
        if isinstance(zones, str) or not zones:
            raise invalid(
                "Fleet.of_size",
                "zones",
                zones,
                "must be a non-empty sequence of Availability Zone names",
            )
        zones = tuple(zones)
        # Validate the shared values once, through one Instance.
        proto = Instance(
            f"{prefix}0",
            tags=tags,
            auto_scaling_group=auto_scaling_group,
            availability_zone=zones[0],
            healthy=healthy,
            revision=revision,
            agent_installed=agent_installed,
            agent_running=agent_running,
            s3_access=s3_access,
            clock_skew_seconds=clock_skew_seconds,
            stopped=stopped,
            on_premises=on_premises,
        )
        for z in zones:
            Instance("x", availability_zone=z)
        width = max(3, len(str(max(n - 1, 0))))
        cols: dict[str, Any] = {
            "id": [f"{prefix}{k:0{width}d}" for k in range(n)],
            "tags": [proto.tags] * n,
            "auto_scaling_group": [auto_scaling_group] * n,
            "availability_zone": [zones[k % len(zones)] for k in range(n)],
            "revision": np.full(n, REVISIONS.index(revision), dtype=np.int8),
            "clock_skew_seconds": np.full(n, proto.clock_skew_seconds),
        }
        for name in _BOOL_COLUMNS:
            cols[name] = np.full(n, getattr(proto, name), dtype=bool)
        cols["healthy"] = np.full(n, proto.is_healthy, dtype=bool)
        return cls._from_columns(cols)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | Iterable[Mapping[str, Any]]) -> Fleet:
        """A fleet from a DataFrame (or records) whose columns are :class:`Instance` fields.

        ``id`` is required; other columns are optional and take the Instance defaults.

        Examples
        --------
        >>> import pandas as pd
        >>> Fleet.from_frame(pd.DataFrame({"id": ["a", "b"], "healthy": [True, False]}))
        <Fleet: 2 instances, 1 unhealthy, 1 Availability Zone>
        """
        if isinstance(frame, pd.DataFrame):
            unknown = [c for c in frame.columns if c not in _FIELDS]
            if unknown:
                hint = suggest(str(unknown[0]), _FIELDS)
                raise invalid(
                    "Fleet.from_frame",
                    "columns",
                    unknown[0],
                    "is not an Instance field",
                    hint or None,
                )
            if "id" not in frame.columns:
                raise invalid(
                    "Fleet.from_frame", "columns", list(frame.columns), "must include 'id'"
                )
            records: list[dict[str, Any]] = []
            for raw in frame.to_dict("records"):
                rec: dict[str, Any] = {}
                for key, value in raw.items():
                    if value is None or (isinstance(value, float) and value != value):
                        continue  # missing -> the Instance default
                    rec[str(key)] = value.item() if isinstance(value, np.generic) else value
                records.append(rec)
            return cls(records)
        return cls(frame)

    # ------------------------------------------------------------------ access
    def __eq__(self, other: object) -> bool:
        """Fleets are equal when they hold the same instances in the same order."""
        if not isinstance(other, Fleet):
            return NotImplemented
        mine, theirs = self._cols, other._cols
        return mine.keys() == theirs.keys() and all(
            np.array_equal(mine[k], theirs[k])
            if isinstance(mine[k], np.ndarray)
            else mine[k] == theirs[k]
            for k in mine
        )

    def __hash__(self) -> int:
        return hash(self._cols["id"])

    def __len__(self) -> int:
        return len(self._cols["id"])

    def __iter__(self) -> Iterator[Instance]:
        for k in range(len(self)):
            yield self._instance(k)

    def __contains__(self, instance_id: object) -> bool:
        return instance_id in self._index

    def __getitem__(self, key: int | str) -> Instance:
        if isinstance(key, str):
            return self._instance(self.index_of(key))
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            n = len(self)
            k = int(key) + n if key < 0 else int(key)
            if not 0 <= k < n:
                raise IndexError(f"Fleet index {key} out of range for {n} instances")
            return self._instance(k)
        raise TypeError(f"Fleet indices are ints or instance ids, not {key!r}")

    def _instance(self, k: int) -> Instance:
        c = self._cols
        return Instance(
            c["id"][k],
            c["tags"][k],
            c["auto_scaling_group"][k],
            c["availability_zone"][k],
            bool(c["healthy"][k]),
            REVISIONS[int(c["revision"][k])],
            bool(c["agent_installed"][k]),
            bool(c["agent_running"][k]),
            bool(c["s3_access"][k]),
            float(c["clock_skew_seconds"][k]),
            bool(c["stopped"][k]),
            bool(c["on_premises"][k]),
        )

    def index_of(self, instance_id: str) -> int:
        """Position of ``instance_id``; a clear :class:`ConfigError` for an unknown id."""
        try:
            return self._index[instance_id]
        except (KeyError, TypeError):
            hint = suggest(str(instance_id), self._index) if len(self) < 10_000 else ""
            raise invalid(
                "Fleet", "instance id", instance_id, "is not an instance of the fleet", hint or None
            ) from None

    @property
    def ids(self) -> tuple[str, ...]:
        ids: tuple[str, ...] = self._cols["id"]
        return ids

    def column(self, name: str) -> Any:
        """One column: a tuple (ids, tags, groups, zones) or a read-only numpy array.

        ``revision`` is returned as codes into :data:`REVISIONS`.
        """
        if name not in self._cols:
            raise invalid(
                "Fleet",
                "column",
                name,
                f"must be one of {', '.join(_FIELDS)}",
                suggest(name, _FIELDS) or None,
            )
        return self._cols[name]

    @property
    def auto_scaling_groups(self) -> tuple[str, ...]:
        """The Auto Scaling groups in the fleet, in order of first appearance."""
        seen = dict.fromkeys(g for g in self._cols["auto_scaling_group"] if g is not None)
        return tuple(seen)

    @property
    def availability_zones(self) -> tuple[str, ...]:
        """The Availability Zones in the fleet, in order of first appearance."""
        return tuple(dict.fromkeys(self._cols["availability_zone"]))

    # ------------------------------------------------------------------ changes
    def update(self, instance_ids: str | Iterable[str], **changes: Any) -> Fleet:
        """A copy with ``changes`` (Instance fields) applied to the named instances.

        Examples
        --------
        >>> fleet = Fleet.of_size(3).update("i-002", agent_running=False, clock_skew_seconds=600)
        >>> fleet["i-002"].agent_running, fleet["i-002"].clock_skew_seconds
        (False, 600.0)
        """
        if isinstance(instance_ids, str):
            instance_ids = [instance_ids]
        positions = [self.index_of(i) for i in instance_ids]
        unknown = [k for k in changes if k not in _FIELDS or k == "id"]
        if unknown:
            raise invalid(
                "Fleet.update",
                unknown[0],
                changes[unknown[0]],
                "is not a changeable Instance field",
                suggest(unknown[0], _FIELDS) or None,
            )
        cols = {
            name: (list(col) if isinstance(col, tuple) else col.copy())
            for name, col in self._cols.items()
        }
        for k in positions:
            current = self._instance(k)
            values = {f: getattr(current, f) for f in _FIELDS}
            if "revision" in changes and "healthy" not in changes:
                values["healthy"] = None
            values.update(changes)
            inst = Instance(**values)
            for name in _FIELDS:
                value = getattr(inst, name)
                if name == "revision":
                    value = REVISIONS.index(value)
                elif name == "healthy":
                    value = inst.is_healthy
                cols[name][k] = value
        return Fleet._from_columns(cols)

    # ------------------------------------------------------------------ targeting
    def select(self, targets: Targets | None) -> np.ndarray:
        """Positions (in fleet order) of the instances ``targets`` selects.

        ``None`` selects the whole fleet.
        """
        n = len(self)
        if targets is None:
            return np.arange(n, dtype=np.int64)
        if not isinstance(targets, Targets):
            raise invalid("Fleet.select", "targets", targets, "must be a Targets or None")
        c = self._cols
        mask = np.zeros(n, dtype=bool)
        on_prem = c["on_premises"]
        for prem, filters, tag_set in (
            (False, targets.ec2_tag_filters, targets.ec2_tag_set),
            (True, targets.on_premises_tag_filters, targets.on_premises_tag_set),
        ):
            if not filters and not tag_set:
                continue
            cache: dict[Tags, bool] = {}
            kind = on_prem == prem
            tags = c["tags"]
            for k in np.flatnonzero(kind):
                t = tags[k]
                hit = cache.get(t)
                if hit is None:
                    if filters:
                        hit = any(f.matches(t) for f in filters)
                    else:
                        hit = all(any(f.matches(t) for f in group) for group in tag_set)
                    cache[t] = hit
                if hit:
                    mask[k] = True
        if targets.auto_scaling_groups:
            wanted = set(targets.auto_scaling_groups)
            groups = c["auto_scaling_group"]
            for j in range(n):
                if groups[j] in wanted:
                    mask[j] = True
        return np.flatnonzero(mask).astype(np.int64)

    # ------------------------------------------------------------------ views
    def to_frame(self) -> pd.DataFrame:
        """One row per instance, one column per :class:`Instance` field (tags as dicts)."""
        c = self._cols
        data: dict[str, Any] = {name: c[name] for name in _FIELDS}
        data["id"] = list(c["id"])
        data["tags"] = [dict(t) for t in c["tags"]]
        data["auto_scaling_group"] = list(c["auto_scaling_group"])
        data["availability_zone"] = list(c["availability_zone"])
        data["revision"] = np.asarray(REVISIONS, dtype=object)[c["revision"]]
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        n = len(self)
        unhealthy = int((~self._cols["healthy"]).sum())
        zones = len(self.availability_zones)
        extra = f", {unhealthy} unhealthy" if unhealthy else ""
        groups = len(self.auto_scaling_groups)
        if groups:
            extra += f", {groups} Auto Scaling group{'s' if groups != 1 else ''}"
        return (
            f"<Fleet: {n} instance{'s' if n != 1 else ''}{extra}, {zones} Availability "
            f"Zone{'s' if zones != 1 else ''}>"
        )

    def _repr_html_(self) -> str:
        c = self._cols
        rows: list[tuple[str, Any]] = [
            ("instances", len(self)),
            ("unhealthy", int((~c["healthy"]).sum())),
            ("stopped", int(c["stopped"].sum())),
            ("agent not running", int((~(c["agent_installed"] & c["agent_running"])).sum())),
            ("Availability Zones", ", ".join(self.availability_zones)),
            ("Auto Scaling groups", ", ".join(self.auto_scaling_groups) or "none"),
        ]
        return table("Fleet", rows)


def check_fleet(owner: str, field_name: str, fleet: object) -> Fleet:
    """``fleet`` as a :class:`Fleet` (a list of instances is accepted too)."""
    if isinstance(fleet, Fleet):
        return fleet
    if isinstance(fleet, pd.DataFrame):
        return Fleet.from_frame(fleet)
    if isinstance(fleet, (list, tuple)):
        return Fleet(fleet)
    raise ConfigError(
        f"{owner}.{field_name} must be a Fleet, a list of Instance or a DataFrame; got {fleet!r}."
    )
