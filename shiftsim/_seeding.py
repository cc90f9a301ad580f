"""Seeds in, SeedSequences out (private). Follows numpy's SPEC 7.

Every public function that draws takes one keyword ``rng``: None, an int, a
``numpy.random.SeedSequence`` or a ``numpy.random.Generator``. It becomes a ``SeedSequence`` whose
``entropy`` the result records, so any run can be replayed. Global random state is never touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import string
import threading
from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from shiftsim.errors import ConfigError

__all__ = [
    "ADDED",
    "RngLike",
    "deployment_id",
    "entropy_of",
    "scenario_key",
    "seed_sequence",
]

RngLike = int | np.random.SeedSequence | np.random.Generator | None
_ALPHABET = string.ascii_uppercase + string.digits


def seed_sequence(rng: RngLike) -> np.random.SeedSequence:
    """The SeedSequence behind ``rng``.

    A Generator is asked for a 128-bit seed, so passing the same Generator twice gives two
    different (but recorded) sequences, as drawing from it would.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(
            int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))
        )
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ConfigError(f"rng must be a non-negative integer seed; got {rng!r}.")
        return np.random.SeedSequence(int(rng))
    raise ConfigError(
        f"rng must be None, an int, a numpy SeedSequence or a numpy Generator; got {rng!r}."
    )


def entropy_of(seq: np.random.SeedSequence) -> int | tuple[int, ...]:
    """What to record so ``seed_sequence`` can rebuild ``seq`` (with its spawn key)."""
    ent = seq.entropy
    if ent is None:
        return 0
    if isinstance(ent, int):
        return int(ent)
    return tuple(int(e) for e in ent)


def deployment_id(*parts: object) -> str:
    """A CodeDeploy-style deployment ID (``d-`` and 9 uppercase alphanumerics), derived from
    ``parts`` so the same seed and scenario always give the same IDs."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return "d-" + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:9])


def scenario_key(scenario: object) -> str:
    """A short digest of a scenario's content, so deployment IDs differ between scenarios
    run with the same seed (issue 11). Dataclasses are walked field by field; other values
    count by their ``repr``.

    Deployments are frozen values, so the digest of the last few is kept by identity: a loop of
    ``simulate`` calls on one deployment walks it once (the walk is ~7% of a Lambda run).
    """
    with _KEYS_LOCK:
        hit = _KEYS.get(id(scenario))
        if hit is not None and hit[0] is scenario:
            _KEYS.move_to_end(id(scenario))
            return hit[1]
    key = hashlib.sha256(_canonical(scenario).encode()).hexdigest()[:16]
    with _KEYS_LOCK:
        # The entry holds the scenario, so its id is not reused while the entry lives.
        _KEYS[id(scenario)] = (scenario, key)
        while len(_KEYS) > _KEYS_KEPT:
            _KEYS.popitem(last=False)
    return key


_KEYS_KEPT = 8
_KEYS: OrderedDict[int, tuple[object, str]] = OrderedDict()
_KEYS_LOCK = threading.Lock()


#: Metadata of a dataclass field added after the first release
#: (``field(default=..., metadata=ADDED)``): it enters :func:`scenario_key` only when it differs
#: from its default, so adding it keeps every existing scenario's deployment IDs (and golden
#: outputs).
ADDED: Mapping[str, bool] = MappingProxyType({"shiftsim_added": True})


def _canonical(value: object) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = ", ".join(
            f"{f.name}={_canonical(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
            if not (f.metadata.get("shiftsim_added") and getattr(value, f.name) == f.default)
        )
        return f"{type(value).__name__}({parts})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_canonical(v)}" for k, v in value.items()) + "}"
    return repr(value)
