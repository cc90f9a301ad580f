"""Read and check CodeDeploy AppSpec files for the three compute platforms.

:func:`load_appspec` reads an AppSpec file (YAML or JSON) for an EC2/On-Premises (``Server``),
AWS Lambda or Amazon ECS deployment into an :class:`AppSpec`, or raises :class:`AppSpecError`
naming the file, the 1-based line, the key path, what was found and what is allowed.
:func:`validate` returns every problem as a :class:`Finding` instead of raising, and
:func:`main_validate` is the ``shiftsim validate`` command that prints them like a linter.

Which platform
--------------
Unless ``platform=`` is given, the platform comes from the content: ``Resources`` listing an
``AWS::Lambda::Function`` means Lambda, an ``AWS::ECS::Service`` means ECS, and ``os``, ``files``,
``permissions`` or a ``hooks`` *mapping* mean Server. A SAM or CloudFormation template is refused
with a message pointing to the SAM reader.

Errors and warnings
-------------------
An **error** is something CodeDeploy or its agent would reject, or that cannot work: a missing or
wrong ``version``, a script without ``location``, an ACL entry or SELinux range the agent refuses,
``permissions`` with ``os: windows``, an unknown lifecycle event in a Lambda or ECS file, an EC2
key such as ``os`` in a Lambda or ECS file, ``$LATEST`` as a Lambda version, a value of the wrong
type. A **warning** is something AWS accepts or ignores but that is probably not what the author
meant: an unknown key (the agent ignores it), a duplicate key, an unrendered placeholder, an
EC2/On-Premises event name the agent never runs (unknown, reserved such as ``AllowTraffic``, or
misspelled: the agent accepts the file and skips those scripts), ``runas`` with ``os: windows``,
a destination that is not fully qualified, script timeouts that add up to more than the hour one
lifecycle event may take, ``ContainerPort: "80"`` as a string.

EC2/On-Premises files are checked as the CodeDeploy agent parses them
(``tests/test_agent_conformance.py`` runs the 92 cases of the agent's own parser): what it refuses
is an error, what it accepts is at most a warning.

Decisions where the sources leave a choice (each names its source):

* Hook script ``timeout`` must be a whole number of seconds in [1, 3600]: 3600 s is the most one
  lifecycle event may take (UG:reference-appspec-file-structure-hooks.md; UG:limits.md), so a
  longer timeout can never take effect. The agent reads the value with Ruby's ``to_i`` and
  rejects a result <= 0 (Agent:script_info.rb): ``"300"`` and ``30.7`` are accepted as 300 and
  30 with a warning, an empty ``timeout:`` is the default 3600. Timeouts that
  *add up* to more than 3600 s in one event are a **warning**: the guide asks authors to keep the
  total within the hour, but neither the agent nor the service rejects the file; the event simply
  fails if the scripts really run that long. Only timeouts written in the file are added up.
* ``runas`` with ``os: windows`` is a **warning**: it "applies to Amazon Linux and Ubuntu Server
  instances only" (UG:reference-appspec-file-structure-hooks.md), and the Windows agent does not
  read it (Agent:platform/windows_util.rb), so the script runs as the agent's user.
* A numeric ``owner`` or ``group`` is a warning: the agent accepts the file but looks the owner up
  by name, so its Install step fails. A default ACL entry (``d:``) on a permission whose type
  includes files is a warning for the same reason (Agent:linux_permission_info.rb).
* ``version`` must be the *number* 0.0 in an EC2/On-Premises file: the agent compares it with the
  float 0.0 (Agent:application_specification.rb), so a quoted ``"0.0"`` is an error there. Lambda
  and ECS files are read by the service, whose comparison is undocumented: a quoted ``"0.0"`` is a
  warning there.
* Lambda and ECS keys are matched without regard to case: AWS's reference shows lowercase Lambda
  keys (``currentversion``) and its examples PascalCase (``CurrentVersion``); AWS's own ECS sample
  uses the ECS API's ``awsvpcConfiguration``. Spellings other than PascalCase (and, for Lambda,
  all-lowercase) get a warning. EC2/On-Premises keys are case-sensitive, as in the agent.
* A missing Lambda ``CurrentVersion`` is a warning: the reference marks it required, the
  console's template calls it optional.
* Placeholders: CodePipeline's ``<TASK_DEFINITION>`` (any ``<NAME>``) as the whole
  ``TaskDefinition`` is accepted silently, since the pipeline substitutes it. Other placeholders
  -- ``<NAME>``, ``${NAME}`` (Terraform, envsubst) and ``{{NAME}}`` -- are accepted wherever a
  string is expected, with a warning, and their values are not checked further. A raw template
  whose placeholders or ``%{ if }`` directives break the YAML/JSON syntax is an error that says so.

Hostile input
-------------
Files are parsed with ``yaml.safe_load`` semantics only (never ``yaml.load``), and refused quickly
when larger than :data:`MAX_BYTES` (1 MiB), nested deeper than :data:`MAX_DEPTH` (64) levels,
using more than :data:`MAX_ALIASES` (100) aliases, or expanding to more than :data:`MAX_NODES`
nodes -- which stops "billion laughs" alias bombs. A ``str`` is AppSpec text unless it is clearly
a file name (one line ending in ``.yml``, ``.yaml``, ``.json`` or ``.tpl``); pass a
:class:`pathlib.Path` to read any file, and ``as_text=True`` for text from elsewhere (an API's
``appSpecContent.content``), which is then never opened.

Examples
--------
>>> from shiftsim.appspec import load_appspec
>>> spec = load_appspec('''
... version: 0.0
... Resources:
...   - myFunction:
...       Type: AWS::Lambda::Function
...       Properties: {Name: my-fn, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
... Hooks:
...   - BeforeAllowTraffic: CodeDeployHook_preTraffic
... ''')
>>> spec.platform, spec.resources[0].target_version, spec.hooks
('Lambda', 2, {'BeforeAllowTraffic': 'CodeDeployHook_preTraffic'})
"""

from __future__ import annotations

from shiftsim._yaml import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES
from shiftsim.appspec._load import format_findings, load_appspec, main_validate, validate
from shiftsim.appspec._model import (
    APPSPEC_VERSION,
    DEFAULT_SCRIPT_TIMEOUT,
    HOOK_EVENTS,
    MAX_EVENT_SECONDS,
    RESERVED_EVENTS,
    AppSpec,
    AwsvpcConfiguration,
    CapacityProviderStrategyItem,
    EcsTarget,
    FileMapping,
    Finding,
    LambdaTarget,
    Permission,
    SELinuxContext,
    ServerHook,
)

__all__ = [
    "APPSPEC_VERSION",
    "DEFAULT_SCRIPT_TIMEOUT",
    "HOOK_EVENTS",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EVENT_SECONDS",
    "MAX_NODES",
    "RESERVED_EVENTS",
    "AppSpec",
    "AwsvpcConfiguration",
    "CapacityProviderStrategyItem",
    "EcsTarget",
    "FileMapping",
    "Finding",
    "LambdaTarget",
    "Permission",
    "SELinuxContext",
    "ServerHook",
    "format_findings",
    "load_appspec",
    "main_validate",
    "validate",
]

# The public names live in private modules; they present themselves as shiftsim.appspec's, so
# that reprs, pickles, documentation and docstring examples name the path users import from.
for _public in (
    AppSpec,
    AwsvpcConfiguration,
    CapacityProviderStrategyItem,
    EcsTarget,
    FileMapping,
    Finding,
    LambdaTarget,
    Permission,
    SELinuxContext,
    ServerHook,
    format_findings,
    load_appspec,
    main_validate,
    validate,
):
    _public.__module__ = __name__
del _public
