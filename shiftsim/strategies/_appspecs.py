"""Strategies for AppSpec documents, as models, dicts or YAML/JSON text."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from shiftsim import appspec as _appspec
from shiftsim._checks import check_choice
from shiftsim.configs import (
    COMPUTE_PLATFORMS,
)
from shiftsim.strategies._server import _SCRIPTS

__all__ = ["FORMS", "appspecs"]


_PATH_PART = st.sampled_from(("app", "scripts", "config", "www", "bin", "lib"))


def _server_hooks(os_name: str) -> SearchStrategy[dict[str, tuple[Any, ...]]]:
    script = st.builds(
        _appspec.ServerHook,
        location=_SCRIPTS,
        timeout=st.just(300) | st.integers(1, 900),
        # runas applies to Linux only; the choice is made either way (see _alarm).
        runas=(st.none() | st.sampled_from(("root", "app"))).map(
            lambda user: None if os_name == "windows" else user
        ),
    )
    events = _appspec.HOOK_EVENTS["Server"]
    return st.dictionaries(
        st.sampled_from(events),
        st.lists(script, min_size=1, max_size=2).map(tuple),
        max_size=4,
    ).map(lambda hooks: {e: hooks[e] for e in events if e in hooks})


@st.composite
def _server_spec(draw: st.DrawFn) -> Any:
    os_name = draw(st.sampled_from(("linux", "windows")))
    linux = os_name == "linux"
    root = "/var/www/html" if linux else "C:\\inetpub\\wwwroot"
    files = st.builds(
        _appspec.FileMapping,
        _PATH_PART.map(lambda p: f"{p}/") | st.just("/"),
        _PATH_PART.map(lambda p: f"{root}/{p}" if linux else f"{root}\\{p}"),
    )
    permissions = st.lists(
        st.builds(
            _appspec.Permission,
            object=st.just(root),
            owner=st.none() | st.just("www-data"),
            mode=st.none() | st.sampled_from(("644", "755")),
        ),
        max_size=1,
    )
    mappings = tuple(draw(st.lists(files, max_size=2, unique_by=lambda f: f.destination)))
    modes = tuple(draw(permissions))  # drawn either way, as in _alarm; applied on Linux only
    return _appspec.AppSpec(
        "Server",
        os=os_name,
        files=mappings,
        permissions=modes if linux else (),
        hooks=draw(_server_hooks(os_name)),
        file_exists_behavior=draw(st.none() | st.sampled_from(("DISALLOW", "OVERWRITE", "RETAIN"))),
    )


def _function_hooks(platform: str) -> SearchStrategy[dict[str, str]]:
    events = _appspec.HOOK_EVENTS[platform]
    names = st.sampled_from(("CodeDeployHook_preTraffic", "CodeDeployHook_postTraffic"))
    return st.dictionaries(st.sampled_from(events), names).map(
        lambda hooks: {e: hooks[e] for e in events if e in hooks}
    )


@st.composite
def _lambda_spec(draw: st.DrawFn) -> Any:
    current = draw(st.integers(1, 50))
    target = draw(st.integers(1, 50).filter(lambda v: v != current))
    resource = _appspec.LambdaTarget(
        name=draw(st.sampled_from(("my-function", "checkout", "orders_api"))),
        alias=draw(st.sampled_from(("live", "prod", "blue"))),
        current_version=current,
        target_version=target,
    )
    return _appspec.AppSpec("Lambda", resources=(resource,), hooks=draw(_function_hooks("Lambda")))


@st.composite
def _ecs_spec(draw: st.DrawFn) -> Any:
    family = draw(st.sampled_from(("web", "api", "worker")))
    revision = draw(st.integers(1, 200))
    task_definition = f"arn:aws:ecs:us-east-1:111122223333:task-definition/{family}:{revision}"
    network = st.none() | st.builds(
        _appspec.AwsvpcConfiguration,
        st.just(("subnet-1234abcd",)),
        st.just(("sg-1234abcd",)),
        st.sampled_from(("DISABLED", "ENABLED")),
    )
    resource = _appspec.EcsTarget(
        task_definition=task_definition,
        container_name=family,
        container_port=draw(st.sampled_from((80, 8080, 443)) | st.integers(1, 65535)),
        platform_version=draw(st.none() | st.sampled_from(("LATEST", "1.4.0"))),
        network_configuration=draw(network),
    )
    return _appspec.AppSpec("ECS", resources=(resource,), hooks=draw(_function_hooks("ECS")))


_SPECS = {"Server": _server_spec, "Lambda": _lambda_spec, "ECS": _ecs_spec}
FORMS = ("dict", "yaml", "json")


def _render(spec: Any, form: str) -> Any:
    doc = spec.to_dict()
    if form == "yaml":
        return yaml.safe_dump(doc, sort_keys=False)
    if form == "json":
        return json.dumps(doc, indent=2)
    return doc


def appspecs(
    platform: str | None = None, *, form: str | None = None
) -> SearchStrategy[dict[str, Any] | str]:
    """Valid AppSpec documents that :func:`shiftsim.appspec.load_appspec` reads without errors or
    warnings, as dicts or as YAML or JSON text.

    Shrinks toward the smallest file of the platform: a Server file with ``os: linux`` and
    nothing else, a Lambda file with one function and no hooks, an ECS file with one service
    and no hooks.

    Parameters
    ----------
    platform : {"Server", "Lambda", "ECS"}, optional
        All three when None.
    form : {"dict", "yaml", "json"}, optional
        How the document is given; any of the three when None.

    Examples
    --------
    >>> from hypothesis import given
    >>> from shiftsim.appspec import load_appspec
    >>> @given(appspecs("Lambda", form="yaml"))
    ... def test_lambda_appspec(text):
    ...     assert load_appspec(text).platform == "Lambda"
    >>> test_lambda_appspec()
    """
    platforms = COMPUTE_PLATFORMS if platform is None else (platform,)
    for name in platforms:
        check_choice("appspecs", "platform", name, COMPUTE_PLATFORMS)
    if form is not None:
        check_choice("appspecs", "form", form, FORMS)
    forms = st.sampled_from(FORMS) if form is None else st.just(form)
    specs = st.one_of(*(_SPECS[name]() for name in platforms))
    return st.builds(_render, specs, forms)
