"""Tests for shiftsim.appspec and its safe loader, shiftsim._yaml.

Tests that encode AWS behaviour cite their source with the tags of
/work/shared/reference/codedeploy.md section 0: ``UG:<file>`` is the CodeDeploy User Guide page,
``Agent:<file>`` the CodeDeploy agent's source.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from shiftsim import _yaml
from shiftsim.appspec import (
    DEFAULT_SCRIPT_TIMEOUT,
    HOOK_EVENTS,
    MAX_BYTES,
    MAX_NODES,
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
    format_findings,
    load_appspec,
    main_validate,
    validate,
)
from shiftsim.errors import AppSpecError, ConfigError, FileError

SERVER = """\
version: 0.0
os: linux
files:
  - source: /index.html
    destination: /var/www/html/
hooks:
  BeforeInstall:
    - location: scripts/install_dependencies
      timeout: 300
      runas: root
    - location: scripts/start_server
  ApplicationStop:
    - location: scripts/stop_server
      timeout: 300
      runas: root
"""

LAMBDA = """\
version: 0.0
Resources:
  - myLambdaFunction:
      Type: AWS::Lambda::Function
      Properties:
        Name: "myLambdaFunction"
        Alias: "myLambdaFunctionAlias"
        CurrentVersion: "1"
        TargetVersion: "2"
Hooks:
  - BeforeAllowTraffic: "LambdaFunctionToValidateBeforeTrafficShift"
  - AfterAllowTraffic: "LambdaFunctionToValidateAfterTrafficShift"
"""

ECS = """\
version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:111222333444:task-definition/my-family:1"
        LoadBalancerInfo:
          ContainerName: "SampleApplicationName"
          ContainerPort: 80
        PlatformVersion: "LATEST"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-1234abcd","subnet-5678abcd"]
            SecurityGroups: ["sg-12345678"]
            AssignPublicIp: "ENABLED"
        CapacityProviderStrategy:
          - Base: 1
            CapacityProvider: "FARGATE_SPOT"
            Weight: 2
          - Base: 0
            CapacityProvider: "FARGATE"
            Weight: 1
Hooks:
  - BeforeInstall: "LambdaFunctionToValidateBeforeInstall"
  - AfterInstall: "LambdaFunctionToValidateAfterInstall"
  - AfterAllowTestTraffic: "LambdaFunctionToValidateAfterTestTrafficStarts"
  - BeforeAllowTraffic: "LambdaFunctionToValidateBeforeAllowingProductionTraffic"
  - AfterAllowTraffic: "LambdaFunctionToValidateAfterAllowingProductionTraffic"
"""


def doc(text: str) -> str:
    return textwrap.dedent(text)


def errors(text: str, **kwargs: object) -> list[Finding]:
    return [f for f in validate(doc(text), **kwargs) if f.severity == "error"]  # type: ignore[arg-type]


def warnings_of(text: str, **kwargs: object) -> list[Finding]:
    return [f for f in validate(doc(text), **kwargs) if f.severity == "warning"]  # type: ignore[arg-type]


def the_error(text: str, **kwargs: object) -> AppSpecError:
    with pytest.raises(AppSpecError) as info:
        load_appspec(doc(text), **kwargs)  # type: ignore[arg-type]
    return info.value


def server(hooks: str = "", *, os_name: str = "linux", extra: str = "") -> str:
    body = f"version: 0.0\nos: {os_name}\n{extra}"
    if hooks:
        body += "hooks:\n" + textwrap.indent(doc(hooks), "  ")
    return body


# --------------------------------------------------------------------------------------------
# EC2/On-Premises


def test_server_example_loads_with_defaults() -> None:
    """UG:reference-appspec-file-structure-hooks.md: timeout is optional, default 3600 s."""
    spec = load_appspec(SERVER)
    assert spec.platform == "Server"
    assert spec.version == 0.0
    assert spec.os == "linux"
    assert spec.files == (FileMapping("/index.html", "/var/www/html/"),)
    assert spec.scripts("BeforeInstall") == (
        ServerHook("scripts/install_dependencies", 300, "root"),
        ServerHook("scripts/start_server", DEFAULT_SCRIPT_TIMEOUT),
    )
    assert spec.scripts("ValidateService") == ()
    assert spec.hook_function("BeforeInstall") is None
    assert spec.warnings == ()
    assert spec.resources == ()


def test_quoted_version_is_an_error_that_explains_the_float_comparison() -> None:
    """Agent:application_specification.rb compares version with the float 0.0."""
    err = the_error('version: "0.0"\nos: linux\n')
    assert err.line == 1 and err.path == "version"
    assert "number 0.0" in err.message and "quoted" in err.message


@pytest.mark.parametrize("value", ["1", "0.1", "'1.0'", "null", "true"])
def test_version_other_than_zero_is_an_error(value: str) -> None:
    """UG:reference-appspec-file-structure-version.md: the only allowed value is 0.0."""
    err = the_error(f"version: {value}\nos: linux\n")
    assert err.line == 1 and err.path == "version"
    assert "version must be 0.0" in err.message


def test_missing_version_and_integer_zero() -> None:
    assert "version is required" in the_error("os: linux\n").message
    # Ruby's [0.0].include?(0) is true, so the agent accepts 0; shiftsim asks for 0.0.
    assert [w.path for w in warnings_of("version: 0\nos: linux\n")] == ["version"]


def test_os_is_required_and_suggested() -> None:
    """UG:reference-appspec-file-structure-os.md: linux or windows."""
    assert "os is required" in the_error("version: 0.0\nfiles: []\n").message
    err = the_error("version: 0.0\nos: Linux\n")
    assert err.line == 2 and "did you mean 'linux'?" in err.message


def the_warning(text: str, path: str) -> Finding:
    """The one warning at ``path``; the file loads (no error)."""
    spec = load_appspec(doc(text))
    (warning,) = [w for w in spec.warnings if w.path == path]
    return warning


def test_hook_with_a_space_suggests_the_event() -> None:
    """UG:reference-appspec-file-structure-hooks.md lists the lifecycle event names. The agent
    accepts any event name and never runs the others' scripts (Agent:application_specification.rb,
    parse_hooks; agent cases T09 and F07 of ../shared/corpus/agent): a warning."""
    warning = the_warning(
        server("Before Install:\n  - location: a.sh\n"), "hooks['Before Install']"
    )
    assert warning.line == 4
    assert "'Before Install' is not a lifecycle event" in warning.message
    assert "did you mean 'BeforeInstall'?" in warning.message
    assert "never runs these scripts" in warning.message
    assert "'AfterInstall'" not in warning.message.split("(the events")[0]
    assert load_appspec(server("Before Install:\n  - location: a.sh\n")).hooks == {}


def test_scripts_of_unknown_events_are_still_checked() -> None:
    """Agent case T15: the agent parses the scripts of an event it never runs, and refuses one
    without a location."""
    err = the_error(server("test_hook:\n  - timeout: 30\n"))
    assert (err.line, err.path) == (5, "hooks.test_hook[0]") and "no location" in err.message


@pytest.mark.parametrize("event", RESERVED_EVENTS["Server"])
def test_reserved_events_never_run_scripts(event: str) -> None:
    """UG:reference-appspec-file-structure-hooks.md: DownloadBundle, Install, BlockTraffic and
    AllowTraffic are reserved for the agent; Start and End cannot be scripted. The agent accepts
    the file and never runs these scripts (Agent:command_poller.rb, DEFAULT_HOOK_MAPPING)."""
    warning = the_warning(server(f"{event}:\n  - location: a.sh\n"), f"hooks.{event}")
    assert warning.line == 4
    assert f"'{event}' is reserved for CodeDeploy and cannot run scripts" in warning.message


def test_allow_traffic_names_the_events_to_use() -> None:
    warning = the_warning(server("AllowTraffic:\n  - location: a.sh\n"), "hooks.AllowTraffic")
    assert "'BeforeAllowTraffic' or 'AfterAllowTraffic'" in warning.message


def test_event_of_another_platform_and_legacy_names() -> None:
    text = server("AfterAllowTestTraffic:\n  - location: a.sh\n")
    assert "Amazon ECS" in the_warning(text, "hooks.AfterAllowTestTraffic").message
    text = server("BeforeELBAdd:\n  - location: a.sh\n")
    assert "'BeforeAllowTraffic'" in the_warning(text, "hooks.BeforeELBAdd").message


def test_every_server_event_is_accepted() -> None:
    hooks = "".join(f"{e}:\n  - location: {e}.sh\n" for e in HOOK_EVENTS["Server"])
    spec = load_appspec(server(hooks))
    assert tuple(spec.hooks) == HOOK_EVENTS["Server"]


def test_script_without_location_is_an_error() -> None:
    """Agent:application_specification.rb rejects a script with no location value."""
    err = the_error(server("ValidateService:\n  - location: a.sh\n  - timeout: 10\n"))
    assert (err.line, err.path) == (6, "hooks.ValidateService[1]")
    assert "no location" in err.message and "remove its '-'" in err.message


def test_empty_or_malformed_script_lists() -> None:
    # Agent:application_specification.rb ignores an event with no scripts (agent case T14).
    assert load_appspec(server("AfterInstall:\nBeforeInstall: []\n")).hooks == {"BeforeInstall": ()}
    assert load_appspec(server("AfterInstall:\n")).warnings == ()
    assert "must be a list of scripts" in the_error(server("AfterInstall: a.sh\n")).message
    assert "each script must be a mapping" in the_error(server("AfterInstall: [a.sh]\n")).message


@pytest.mark.parametrize(
    ("timeout", "fragment"),
    [
        (3601, "must be in [1, 3600]"),
        (0, "must be in [1, 3600]"),
        (-5, "must be in [1, 3600]"),
        ("soon", "the agent reads this text as 0"),
        ('"-30"', "the agent reads this text as -30"),
        (".nan", "whole number of seconds"),
        ("true", "whole number of seconds"),
    ],
)
def test_bad_timeouts(timeout: object, fragment: str) -> None:
    """UG:reference-appspec-file-structure-hooks.md: 3600 s is the maximum for one lifecycle
    event; Agent:script_info.rb rejects a timeout <= 0."""
    err = the_error(server(f"AfterInstall:\n  - location: a.sh\n    timeout: {timeout}\n"))
    assert err.path == "hooks.AfterInstall[0].timeout" and err.line == 6
    assert fragment in err.message


@pytest.mark.parametrize(
    ("given", "seconds", "warned"),
    [('"300"', 300, True), ('" 45s"', 45, True), ("30.7", 30, True), ("60.0", 60, False)],
)
def test_timeout_is_converted_as_the_agent_converts_it(
    given: str, seconds: int, warned: bool
) -> None:
    """Agent:script_info.rb reads the timeout with Ruby's to_i: text is read up to the first
    non-digit, a fraction is truncated (issue 12: timeout: 30.7 is accepted)."""
    spec = load_appspec(server(f"AfterInstall:\n  - location: a.sh\n    timeout: {given}\n"))
    assert spec.scripts("AfterInstall")[0].timeout == seconds
    paths = [w.path for w in spec.warnings]
    assert paths == (["hooks.AfterInstall[0].timeout"] if warned else [])


def test_empty_timeout_is_the_default() -> None:
    """Agent:script_info.rb: a nil timeout is 3600 s (issue 12: an empty timeout: is accepted)."""
    spec = load_appspec(server("AfterInstall:\n  - location: a.sh\n    timeout:\n"))
    assert spec.scripts("AfterInstall")[0].timeout == DEFAULT_SCRIPT_TIMEOUT
    assert spec.warnings == ()


def test_timeouts_adding_up_past_an_hour_is_a_warning() -> None:
    """UG:reference-appspec-file-structure-hooks.md: the timeouts of all scripts in one event
    should add up to no more than 3600 s; the file is still accepted."""
    spec = load_appspec(
        server(
            "AfterInstall:\n  - location: a.sh\n    timeout: 3000\n"
            "  - location: b.sh\n    timeout: 700\n"
        )
    )
    (warning,) = spec.warnings
    assert warning.path == "hooks.AfterInstall" and warning.line == 4
    assert "add up to 3700 s" in warning.message
    # Scripts without a timeout are not counted (only timeouts written in the file add up).
    assert (
        load_appspec(server("AfterInstall:\n  - location: a.sh\n  - location: b.sh\n")).warnings
        == ()
    )


def test_runas_on_windows_is_a_warning() -> None:
    """UG:reference-appspec-file-structure-hooks.md: runas applies to Amazon Linux and Ubuntu
    Server only. The Windows agent never reads it (Agent:platform/windows_util.rb), so the file
    is accepted and the script runs as the agent's user (issue 12)."""
    text = server(
        "BeforeInstall:\n  - location: a.bat\n    runas: Administrator\n", os_name="windows"
    )
    warning = the_warning(text, "hooks.BeforeInstall[0].runas")
    assert warning.line == 6 and "runas" in warning.message and "windows" in warning.message
    assert load_appspec(text).scripts("BeforeInstall")[0].runas is None
    linux = load_appspec(server("BeforeInstall:\n  - location: a.sh\n    runas: root\n"))
    assert linux.scripts("BeforeInstall")[0].runas == "root"


def test_sudo_flag_of_the_agent() -> None:
    """Agent:linux_util.rb runs the script with sudo when the script's sudo key is set."""
    spec = load_appspec(server("AfterInstall:\n  - location: a.sh\n    sudo: true\n"))
    assert spec.scripts("AfterInstall")[0].sudo is True


def test_hooks_as_a_list_is_the_lambda_form() -> None:
    err = the_error(server(extra="hooks:\n  - AfterInstall: a.sh\n"))
    assert "got a list, which is the Lambda and ECS form" in err.message


def test_capitalised_hooks_key_is_ignored_by_the_agent() -> None:
    """Agent:application_specification.rb reads yaml_hash['hooks'] only."""
    spec = load_appspec("version: 0.0\nos: linux\nHooks:\n  AfterInstall:\n  - location: a.sh\n")
    (warning,) = spec.warnings
    assert warning.line == 3 and "never run" in warning.message and spec.hooks == {}


def test_files_need_source_and_a_fully_qualified_destination() -> None:
    """Agent:file_info.rb requires source and destination and accepts any destination (agent
    cases T17, T18); UG:reference-appspec-file-structure-files.md asks for a fully qualified
    path, so a relative one is a warning."""
    assert "needs a destination" in the_error(server(extra="files:\n  - source: /\n")).message
    assert "needs a source" in the_error(server(extra="files:\n  - destination: /x\n")).message
    text = server(extra="files:\n  - source: /\n    destination: var/www\n")
    assert "fully qualified" in the_warning(text, "files[0].destination").message
    assert load_appspec(text).files == (FileMapping("/", "var/www"),)
    text = server(extra="files:\n  - source: /\n    destination: C:MyApp\n", os_name="windows")
    assert "did you mean 'C:\\MyApp'?" in the_warning(text, "files[0].destination").message
    spec = load_appspec(
        server(extra="files:\n  - source: \\\n    destination: c:\\inetpub\n", os_name="windows")
    )
    assert spec.files == (FileMapping("\\", "c:\\inetpub"),)


def test_unknown_keys_are_warnings_with_line_and_path() -> None:
    """Agent:application_specification.rb reads only the keys it knows and ignores the rest."""
    text = server(
        extra="files:\n  - source: /\n    destination: /app\n    overwrite: true\ncolour: blue\n"
    )
    spec = load_appspec(text)
    assert [(w.line, w.path) for w in spec.warnings] == [(6, "files[0].overwrite"), (7, "colour")]
    assert all("AWS ignores it" in w.message for w in spec.warnings)


def test_duplicate_keys_are_warnings() -> None:
    spec = load_appspec(
        server("AfterInstall:\n  - location: a.sh\nAfterInstall:\n  - location: b.sh\n")
    )
    (warning,) = spec.warnings
    assert warning.line == 6 and "appears twice (first at line 4)" in warning.message
    assert spec.scripts("AfterInstall") == (ServerHook("b.sh"),)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("OVERWRITE", True),
        ("RETAIN", True),
        ("DISALLOW", True),
        ("overwrite", False),
        ("DISALLOW|OVERWRITE|RETAIN", False),
    ],
)
def test_file_exists_behavior(value: str, ok: bool) -> None:
    """UG:reference-appspec-file-structure-files.md: DISALLOW, OVERWRITE or RETAIN."""
    text = server(extra=f"file_exists_behavior: {value}\n")
    if ok:
        assert load_appspec(text).file_exists_behavior == value
    else:
        assert "file_exists_behavior must be one of" in the_error(text).message


PERMISSIONS = """\
permissions:
  - object: /var/www/html/WordPress
    pattern: "**"
    except: [/var/www/html/WordPress/ReadMe.txt]
    owner: bob
    group: writers
    mode: 644
    acls:
      - u:mary:rw
      - u:sam:rw
      - m::rw
    context:
      name: unconfined_u
      type: httpd_sys_content_t
      range: s0
    type:
      - file
  - object: /tmp/my-app
"""


def test_permissions_example() -> None:
    """UG:reference-appspec-file-structure-permissions.md (acls and context example);
    Agent:context_info.rb reads the SELinux user from 'name'."""
    spec = load_appspec(server(extra=PERMISSIONS))
    first, second = spec.permissions
    assert first == Permission(
        "/var/www/html/WordPress",
        "**",
        ("/var/www/html/WordPress/ReadMe.txt",),
        "bob",
        "writers",
        "644",
        ("u:mary:rw", "u:sam:rw", "m::rw"),
        SELinuxContext("httpd_sys_content_t", "unconfined_u", "s0"),
        ("file",),
    )
    # Agent:application_specification.rb: pattern defaults to **, type to file and directory.
    assert second == Permission("/tmp/my-app")
    assert second.type == ("file", "directory")


def test_permissions_rules() -> None:
    """Agent:application_specification.rb rejects permissions on Windows, a permission without
    object, and a type other than file/directory; Agent:mode_info.rb takes 1-4 octal digits."""
    err = the_error(server(extra="permissions:\n  - object: /x\n", os_name="windows"))
    assert err.path == "permissions" and "Linux instances only" in err.message
    assert "needs an object" in the_error(server(extra="permissions:\n  - owner: me\n")).message
    assert "octal" in the_error(server(extra="permissions:\n  - {object: /x, mode: 8}\n")).message
    err = the_error(server(extra="permissions:\n  - {object: /x, type: [link]}\n"))
    assert "'file' or 'directory'" in err.message
    err = the_error(server(extra="permissions:\n  - {object: /x, context: {user: u}}\n"))
    assert "context needs a type" in err.message
    # UG: "Setting unnamed users ... causes the AppSpec file to fail"; agent case T69.
    err = the_error(server(extra="permissions:\n  - {object: /x, acls: ['u::rw']}\n"))
    assert err.path == "permissions[0].acls[0]" and "base entry" in err.message


def test_unquoted_mode_with_leading_zero_is_read_as_octal() -> None:
    """UG:reference-appspec-file-structure-permissions.md: mode is chmod's octal number; YAML
    (PyYAML and Ruby's Psych alike) reads 0644 as the octal integer 420."""
    spec = load_appspec(server(extra="permissions:\n  - object: /x\n    mode: 0644\n"))
    assert spec.permissions[0].mode == "420"
    assert "quote it ('0644')" in spec.warnings[0].message
    quoted = load_appspec(server(extra="permissions:\n  - object: /x\n    mode: '0644'\n"))
    assert quoted.permissions[0].mode == "0644" and quoted.warnings == ()


# --------------------------------------------------------------------------------------------
# AWS Lambda


def test_lambda_example_loads() -> None:
    """UG:reference-appspec-file-example.md (Lambda example)."""
    spec = load_appspec(LAMBDA)
    assert spec.platform == "Lambda"
    assert spec.resources == (
        LambdaTarget("myLambdaFunction", "myLambdaFunctionAlias", 1, 2, "myLambdaFunction"),
    )
    assert spec.hooks == {
        "BeforeAllowTraffic": "LambdaFunctionToValidateBeforeTrafficShift",
        "AfterAllowTraffic": "LambdaFunctionToValidateAfterTrafficShift",
    }
    assert spec.hook_function("AfterAllowTraffic") == "LambdaFunctionToValidateAfterTrafficShift"
    assert spec.scripts("AfterAllowTraffic") == ()
    assert spec.warnings == () and spec.os is None


def test_lambda_lowercase_spelling_of_the_reference() -> None:
    """UG:reference-appspec-file-structure-resources.md spells the Lambda keys in lowercase."""
    spec = load_appspec(
        LAMBDA.replace("Resources", "resources")
        .replace("Type", "type")
        .replace("Properties", "properties")
        .replace("Name:", "name:")
        .replace("Alias:", "alias:")
        .replace("CurrentVersion", "currentversion")
        .replace("TargetVersion", "targetversion")
        .replace("Hooks", "hooks")
    )
    assert spec == load_appspec(LAMBDA)
    assert spec.warnings == ()
    mixed = load_appspec(LAMBDA.replace("CurrentVersion", "currentVersion"))
    assert [w.path for w in mixed.warnings] == [
        "Resources[0].myLambdaFunction.Properties.currentVersion"
    ]


def test_latest_is_not_a_version_codedeploy_can_shift_to() -> None:
    """UG:reference-appspec-file-structure-resources.md: versions must be positive integers;
    $LATEST cannot carry alias routing weights (reference section 12, item 21)."""
    err = the_error(LAMBDA.replace('TargetVersion: "2"', 'TargetVersion: "$LATEST"'))
    assert (err.line, err.path) == (9, "Resources[0].myLambdaFunction.Properties.TargetVersion")
    assert "'$LATEST'" in err.message and "publish-version" in err.message


@pytest.mark.parametrize("value", ['"0"', '"-1"', '"1.5"', "1.5", '"two"', "true", "[1]"])
def test_lambda_versions_must_be_positive_integers(value: str) -> None:
    """UG:reference-appspec-file-structure-resources.md: 'a valid positive integer'."""
    err = the_error(LAMBDA.replace('CurrentVersion: "1"', f"CurrentVersion: {value}"))
    assert err.line == 8 and "positive integer" in err.message


def test_lambda_unquoted_versions_are_accepted() -> None:
    spec = load_appspec(LAMBDA.replace('"1"', "1").replace('"2"', "2"))
    assert spec == load_appspec(LAMBDA) and spec.warnings == ()


def test_lambda_required_properties() -> None:
    """UG:reference-appspec-file-structure-resources.md marks all four properties required; the
    console template calls CurrentVersion optional, so its absence is only a warning."""
    err = the_error(LAMBDA.replace('        TargetVersion: "2"\n', ""))
    assert err.line == 5 and "needs TargetVersion" in err.message
    spec = load_appspec(LAMBDA.replace('        CurrentVersion: "1"\n', ""))
    assert spec.resources[0].current_version is None  # type: ignore[union-attr]
    assert "CurrentVersion is missing" in spec.warnings[0].message


def test_lambda_hook_rules() -> None:
    """UG:reference-appspec-file-structure-hooks.md: Lambda hooks are BeforeAllowTraffic and
    AfterAllowTraffic; Start, AllowTraffic and End cannot be scripted."""
    err = the_error(LAMBDA + "  - AllowTraffic: f\n")
    assert err.path == "Hooks[2].AllowTraffic" and "reserved" in err.message
    err = the_error(LAMBDA + "  - AfterInstall: f\n")
    assert "Amazon ECS" in err.message
    err = the_error(LAMBDA + "  - BeforeAllowTraffic: again\n")
    assert "hooked twice" in err.message
    err = the_error(
        LAMBDA.split("Hooks:")[0] + "Hooks:\n  BeforeAllowTraffic:\n    - location: a.sh\n"
    )
    assert "run Lambda functions, not scripts" in err.message
    err = the_error(LAMBDA.split("Hooks:")[0] + 'Hooks:\n  - BeforeAllowTraffic: ""\n')
    assert "must not be empty" in err.message


def test_server_key_in_a_lambda_file_is_an_error() -> None:
    err = the_error("os: linux\n" + LAMBDA)
    assert (err.line, err.path) == (1, "os")
    assert "'os' is an EC2/On-Premises key" in err.message


def test_one_function_per_lambda_appspec() -> None:
    """UG:reference-appspec-file-structure-resources.md: the section "specifies the Lambda
    function to deploy" (one; SAM makes one deployment group per function)."""
    second = (
        LAMBDA.split("Hooks:")[0].split("Resources:\n")[1].replace("myLambdaFunction:", "other:")
    )
    err = the_error(LAMBDA.replace("Resources:\n", "Resources:\n" + second))
    assert "deploys one function" in err.message


def test_equal_versions_warn() -> None:
    """UG:reference-appspec-file-structure-resources.md: traffic shifts from CurrentVersion to
    TargetVersion, so equal versions move nothing."""
    spec = load_appspec(LAMBDA.replace('TargetVersion: "2"', 'TargetVersion: "1"'))
    assert "no traffic would move" in spec.warnings[0].message


# --------------------------------------------------------------------------------------------
# Amazon ECS


def test_ecs_example_loads() -> None:
    """UG:reference-appspec-file-example.md (ECS example, with a capacity provider strategy)."""
    spec = load_appspec(ECS)
    assert spec.platform == "ECS"
    (target,) = spec.resources
    assert target == EcsTarget(
        "arn:aws:ecs:us-east-1:111222333444:task-definition/my-family:1",
        "SampleApplicationName",
        80,
        "LATEST",
        AwsvpcConfiguration(("subnet-1234abcd", "subnet-5678abcd"), ("sg-12345678",), "ENABLED"),
        (
            CapacityProviderStrategyItem("FARGATE_SPOT", 1, 2),
            CapacityProviderStrategyItem("FARGATE", 0, 1),
        ),
        "TargetService",
    )
    assert tuple(spec.hooks) == HOOK_EVENTS["ECS"]
    assert spec.warnings == ()


def test_container_port_is_a_number() -> None:
    """UG:reference-appspec-file-structure-resources.md: every property is a string except
    ContainerPort, which is a number."""
    spec = load_appspec(ECS.replace("ContainerPort: 80", 'ContainerPort: "80"'))
    assert spec.resources[0].container_port == 80  # type: ignore[union-attr]
    assert "should be a number" in spec.warnings[0].message
    err = the_error(ECS.replace("ContainerPort: 80", "ContainerPort: eighty"))
    assert err.line == 9 and "port number in [1, 65535]" in err.message
    assert "port number" in the_error(ECS.replace("ContainerPort: 80", "ContainerPort: 0")).message


def test_network_configuration_is_all_or_none() -> None:
    """UG:reference-appspec-file-structure-resources.md: all or none of the settings under
    NetworkConfiguration must be specified."""
    err = the_error(ECS.replace('            AssignPublicIp: "ENABLED"\n', ""))
    assert err.path.endswith("NetworkConfiguration.AwsvpcConfiguration") and err.line == 12
    assert "all or none" in err.message and "missing AssignPublicIp" in err.message
    err = the_error(
        ECS.replace('AssignPublicIp: "ENABLED"', 'AssignPublicIp: "ENABLED-or-DISABLED"')
    )
    assert "'ENABLED' or 'DISABLED'" in err.message


def test_only_one_capacity_provider_can_have_a_base() -> None:
    """ECS API CapacityProviderStrategyItem: only one provider can have a base defined. AWS's
    AppSpec example gives the other provider Base: 0, which is accepted."""
    err = the_error(ECS.replace("- Base: 0", "- Base: 2"))
    assert err.line == 20 and "only one capacity provider" in err.message


def test_task_definition_forms() -> None:
    """UG:reference-appspec-file-structure-resources.md: TaskDefinition is the task-definition
    ARN; CodePipeline substitutes a <TASK_DEFINITION> placeholder."""
    arn = "arn:aws:ecs:us-east-1:111222333444:task-definition/my-family:1"
    placeholder = load_appspec(ECS.replace(arn, "<TASK_DEFINITION>"))
    assert placeholder.resources[0].task_definition == "<TASK_DEFINITION>"  # type: ignore[union-attr]
    assert placeholder.warnings == ()
    assert placeholder.placeholders == ("<TASK_DEFINITION>",)
    family = load_appspec(ECS.replace(arn, "web:3"))
    assert "is a task-definition family" in family.warnings[0].message
    err = the_error(ECS.replace(arn, "arn:aws:ecs:us-east-2:*:task-definition/app:*"))
    assert "no wildcards" in err.message
    err = the_error(ECS.replace(arn, "taskdef.json"))
    assert "looks like a file name" in err.message and "<TASK_DEFINITION>" in err.message
    err = the_error(ECS.replace(f'"{arn}"', "{Ref: TaskDef}"))
    assert "CloudFormation function (Ref)" in err.message


def test_other_placeholders_are_warnings() -> None:
    spec = load_appspec(
        ECS.replace('"SampleApplicationName"', "<CONTAINER_NAME>").replace(
            "ContainerPort: 80", "ContainerPort: ${PORT}"
        )
    )
    assert spec.resources[0].container_port == "${PORT}"  # type: ignore[union-attr]
    assert [w.line for w in spec.warnings] == [8, 9]
    assert all("unrendered placeholder" in w.message for w in spec.warnings)
    assert spec.placeholders == ("<CONTAINER_NAME>", "${PORT}")


def test_ecs_hook_rules() -> None:
    """UG:reference-appspec-file-structure-hooks.md: Start, Install, TestTraffic, AllowTraffic and
    End cannot be scripted in an ECS deployment."""
    err = the_error(ECS + "  - AllowTestTraffic: f\n")
    assert "reserved" in err.message and "'AfterAllowTestTraffic'" in err.message


def test_server_keys_in_an_ecs_file_are_errors() -> None:
    """UG:reference-appspec-file-structure.md: an ECS AppSpec has version, resources and hooks;
    files, permissions and os are EC2/On-Premises sections."""
    err = the_error(ECS.replace("version: 0.0\n", "version: 0.0\nos: linux\nfiles: []\n"))
    assert (err.line, err.path) == (2, "os")
    assert "an Amazon ECS AppSpec has only version, Resources and Hooks" in err.message
    assert "1 more error" in err.message


def test_ecs_lower_camel_case_network_keys() -> None:
    """AWS's own sample (aws-samples/aws-reinvent-trivia-game) uses the ECS API's spelling."""
    spec = load_appspec(
        ECS.replace("AwsvpcConfiguration", "awsvpcConfiguration").replace("Subnets", "subnets")
    )
    assert spec == load_appspec(ECS)
    assert len(spec.warnings) == 2


# --------------------------------------------------------------------------------------------
# Platform detection and templates


def test_platform_detection_and_override() -> None:
    assert load_appspec(SERVER).platform == "Server"
    assert load_appspec(LAMBDA, platform="lambda").platform == "Lambda"
    err = the_error(LAMBDA, platform="ECS")
    assert "Type must be 'AWS::ECS::Service'" in err.message
    with pytest.raises(ConfigError, match="did you mean 'Server'"):
        load_appspec(SERVER, platform="Sever")
    assert "cannot tell which compute platform" in the_error("version: 0.0\n").message
    err = the_error(
        LAMBDA.replace(
            "Resources:\n", "Resources:\n" + ECS.split("Resources:\n")[1].split("Hooks:")[0]
        )
    )
    assert "mixes" in err.message


def test_sam_and_cloudformation_templates_are_refused() -> None:
    """SAMdoc: SAM generates the AppSpec from the function's DeploymentPreference."""
    sam = """\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          AutoPublishAlias: live
          DeploymentPreference: {Type: Canary10Percent5Minutes, Alarms: [!Ref Alarm]}
    """
    err = the_error(sam)
    assert (err.line, err.path) == (5, "Resources.Fn.Type")
    assert "AWS SAM template" in err.message and "from_sam()" in err.message
    err = the_error("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n")
    assert "CloudFormation template" in err.message


def test_unrendered_template_syntax() -> None:
    err = the_error('{\n  "version": 0.0,\n  "Hooks": [\n    %{ if HOOKS }\n  ]\n}\n')
    assert err.line == 4 and "not valid JSON" in err.message
    assert "unrendered template ('%{ if HOOKS }' at line 4)" in err.message


# --------------------------------------------------------------------------------------------
# Parsing: JSON, encodings, hostile input


def test_json_with_tabs_keeps_line_numbers() -> None:
    """YAML forbids tabs for indentation; JSON allows them."""
    text = json.dumps(yaml.safe_load(LAMBDA), indent="\t")
    assert "\t" in text
    assert load_appspec(text) == load_appspec(LAMBDA)
    err = the_error(text.replace('"2"', '"$LATEST"'))
    assert err.line == 11 and err.path.endswith("TargetVersion")


def test_invalid_json_reports_its_line() -> None:
    err = the_error('{\n\t"version": 0.0,\n\t"Resources": [\n\t\t{"a": 1,,}\n\t]\n}\n')
    assert err.line == 4 and err.message.startswith("not valid JSON")
    # Invalid JSON that YAML's flow style accepts is read as YAML, with a warning.
    text = json.dumps(yaml.safe_load(LAMBDA), indent=2).replace('"2"\n', '"2",\n')
    spec = load_appspec(text)
    assert spec == load_appspec(LAMBDA)
    (warning,) = spec.warnings
    assert warning.line == 12 and "read as YAML instead" in warning.message


def test_json_numbers_follow_json() -> None:
    # YAML 1.1 reads 8e1 as text; JSON as a number.
    document = _yaml.load_document('{"a": 8e1, "b": [1.5E+3, "x"]}')
    assert document.value == {"a": 80.0, "b": [1500.0, "x"]}


def test_invalid_yaml_reports_its_line_and_tabs() -> None:
    err = the_error("version: 0.0\nos: linux\nhooks:\n\tAfterInstall: []\n")
    assert err.line == 4 and "tabs" in err.message


def test_bom_crlf_and_files(tmp_path: Path) -> None:
    path = tmp_path / "appspec.yml"
    path.write_bytes(b"\xef\xbb\xbf" + SERVER.replace("\n", "\r\n").encode())
    spec = load_appspec(path)
    assert spec == load_appspec(SERVER) and spec.source == str(path)
    assert load_appspec(str(path)).source == str(path)
    assert load_appspec(path, source="given.yml").source == "given.yml"
    (tmp_path / "latin1.yml").write_bytes(b"version: 0.0\nos: linux # caf\xe9\n")
    err = the_error(str(tmp_path / "latin1.yml"))
    assert err.line == 2 and "not valid UTF-8" in err.message
    with pytest.raises(FileError, match="no such file") as info:
        load_appspec(str(tmp_path / "missing.yml"))
    assert "this str was taken for a file name" in info.value.message
    with pytest.raises(FileError, match="no such file") as info:
        load_appspec(tmp_path / "missing.yml")
    assert "taken for" not in info.value.message
    assert load_appspec(yaml.safe_load(SERVER)) == load_appspec(SERVER)


def test_control_characters_are_refused() -> None:
    err = the_error('version: 0.0\nos: "linux\x00"\n')
    assert err.line == 2 and "'\\x00'" in err.message


def test_not_a_mapping_empty_and_several_documents() -> None:
    assert "must be a mapping at the top level" in the_error("- a\n- b\n").message
    assert "empty" in the_error("# nothing\n").message
    assert "more than one YAML document" in the_error("a: 1\n---\nb: 2\n").message


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.slow  # over a second on a 2-core machine
@pytest.mark.parametrize("pure", [False, True])
def test_billion_laughs_is_refused(pure: bool) -> None:
    # The document expands to 9**9 strings; it is refused by counting nodes as aliases expand,
    # long before anything is built (tests never assert on time; a hang would stall the suite).
    with pytest.raises(AppSpecError, match=f"expands to more than {MAX_NODES} nodes"):
        _yaml.load_document(BILLION_LAUGHS, pure=pure)
    with pytest.raises(AppSpecError, match="alias"):
        load_appspec(BILLION_LAUGHS)


def test_alias_bombs_are_refused_without_building_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # A document that expands past MAX_NODES is refused by sizing its nodes, each once, and
    # building nothing twice: a billion laughs constructs its 9 strings, not 44,000 of them
    # (shiftsim 0.1 built 10,000 nodes, and 50,000 since MAX_NODES went up: 5 times slower).
    built: list[object] = []
    scalar = _yaml._Builder.scalar

    def counted(self: _yaml._Builder, node: yaml.ScalarNode, line: int) -> object:
        built.append(node)
        return scalar(self, node, line)

    monkeypatch.setattr(_yaml._Builder, "scalar", counted)
    for pure in (False, True):
        built.clear()
        with pytest.raises(AppSpecError) as info:
            _yaml.load_document(BILLION_LAUGHS, pure=pure)
        error = info.value
        assert error.message.startswith(f"the document expands to more than {MAX_NODES} nodes")
        assert error.line == 1
        assert len(built) < 100


def _refusal(text: str, limit: int, finder: bool) -> tuple[str, int | None] | None:
    """The error that converting ``text`` with MAX_NODES = ``limit`` raises, by the builder or
    by the refusal finder (the parser keeps its own limit)."""
    root, loader = _yaml._compose(text)
    assert root is not None
    builder = (_yaml._RefusalFinder if finder else _yaml._Builder)("<s>", loader)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_yaml, "MAX_NODES", limit)
        try:
            builder.convert(root, (), 0)
        except _yaml._LimitError as err:
            return str(err), err.line
        except AppSpecError as err:
            return err.message, err.line
    return None


def _past_limit(text: str, limit: int) -> bool:
    root, _ = _yaml._compose(text)
    assert root is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_yaml, "MAX_NODES", limit)
        return _yaml._expands_past_limit(root)


_ITEMS = st.sampled_from(["lol", "1", "!!bool maybe", "2001-02-30", "!Ref X", "{}", "[x]"])


@st.composite
def _alias_documents(draw: st.DrawFn) -> str:
    """Documents whose anchors use earlier anchors (and sometimes themselves), in sequences,
    nested sequences, mappings with merge keys and local tags."""
    lines = []
    for i in range(draw(st.integers(1, 6))):
        names = [f"*a{j}" for j in range(i + draw(st.sampled_from([0, 0, 0, 1])))]
        item = _ITEMS | st.sampled_from(names) if names else _ITEMS
        items = draw(st.lists(item, min_size=1, max_size=4))
        shape = draw(st.sampled_from(["seq", "nested", "map", "tag"]))
        if shape == "seq":
            node = "[" + ", ".join(items) + "]"
        elif shape == "nested":
            node = "[[" + ", ".join(items) + "], " + items[0] + "]"
        elif shape == "tag":
            node = "!Join [" + ", ".join(items) + "]"
        else:
            pairs = [f"x{k}: {v}" for k, v in enumerate(items)]
            merge = draw(st.booleans())
            if names and merge:
                merged = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2))
                pairs.insert(0, "<<: [" + ", ".join(merged) + "]")
            node = "{" + ", ".join(pairs) + "}"
        lines.append(f"k{i}: &a{i} {node}")
    return "\n".join(lines) + "\n"


@pytest.mark.slow  # over 0.2 s: keeps the fast subset under 20 s
@given(_alias_documents(), st.integers(1, 120))
def test_the_refusal_finder_finds_what_building_finds(text: str, limit: int) -> None:
    # With a small MAX_NODES most of these are refused somewhere inside an alias's expansion,
    # or first by a bad scalar or a recursive alias; the finder must say the same, at the
    # same line, and accept what building accepts. It is used only on documents that expand
    # past the limit or hold a recursive alias: those are refused, whatever comes first.
    found = _refusal(text, limit, finder=False)
    assert _refusal(text, limit, finder=True) == found
    if _past_limit(text, limit):
        assert found is not None


_MERGE_BOMB = "m0: &m0 {k0: 0, k1: 1}\n" + "".join(
    f"m{i}: &m{i}\n  <<: [*m{i - 1}, *m{i - 1}]\n  x{i}: {i}\n" for i in range(1, 20)
)
_TRICKY = (
    BILLION_LAUGHS,
    _MERGE_BOMB,
    "a: &a [*a]\n",
    "a: &a [1, [2, *a]]\n",
    # Merge sources are converted last first, on lines of their own.
    "a: &a {p: 1}\nb: &b {q: [1, 2, 3]}\nc: &c {<<: [*a, *b], r: [*b, *a]}\nd: [*c, *c, *c]\n",
    "a: &a {p: 1}\nb: &b {q: [1, 2, 3]}\nc: &c {<<: *a, <<: *b, r: 1}\nd: [*c, *c, *c]\n",
    # *a is fine at the top and too deep (40 + 30 levels) in b: a depth error, not a count.
    "a: &a " + "[" * 40 + "x" + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n",
    # The same through y, which holds a only through aliases.
    "a: &a " + "[" * 30 + "x" + "]" * 30 + "\ny: &y [*a, *a]\nb: " + "[" * 40 + "*y" + "]" * 40,
)


@pytest.mark.parametrize("limit", [*range(1, 80), 82, 90, 100, 1000, 10_000])
def test_the_refusal_finder_finds_what_building_finds_in_bombs(limit: int) -> None:
    for text in _TRICKY:
        assert _refusal(text, limit, finder=True) == _refusal(text, limit, finder=False)
    for bomb in (BILLION_LAUGHS, _MERGE_BOMB):
        assert _past_limit(bomb, limit)


@pytest.mark.slow  # over a second on a 2-core machine
def test_alias_count_depth_size_and_recursion_limits() -> None:
    many = "a: &a x\nb: [" + ", ".join(["*a"] * (_yaml.MAX_ALIASES + 1)) + "]\n"
    assert "more than 100 YAML aliases" in the_error(many).message
    deep = "a: " + "[" * 100 + "]" * 100 + "\n"
    assert "deeper than 64 levels" in the_error(deep).message
    deep_block = "".join(" " * i + f"k{i}:\n" for i in range(80)) + " " * 80 + "v: 1\n"
    assert "deeper than 64 levels" in the_error(deep_block).message
    deep_json = "[" * 5000 + "]" * 5000
    assert re.search(r"deeper than 64 levels|nesting depth", the_error(deep_json).message)
    wide = "[" + ", ".join(["1"] * (_yaml.MAX_NODES + 1)) + "]"
    assert f"more than {_yaml.MAX_NODES} YAML nodes" in the_error(wide).message
    assert "recursive alias" in the_error("a: &a [*a]\n").message
    huge = "a: " + "x" * MAX_BYTES
    assert "larger than 1048576 bytes" in the_error(huge).message


def test_huge_files_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    assert "shiftsim reads at most 1048576 bytes" in the_error(str(path)).message


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"version: !!python/object/apply:os.system ['touch {marker}']\nos: linux\n"
    err = the_error(text)
    assert err.line == 1 and "unsupported YAML tag" in err.message
    assert not marker.exists()


def test_loader_agrees_with_safe_load_including_merge_keys() -> None:
    text = doc("""\
    base: &base {timeout: 300, runas: root}
    hooks:
      AfterInstall:
        - <<: *base
          location: a.sh
        - <<: [*base, {sudo: true}]
          timeout: 60
          location: b.sh
    when: 2001-12-14
    octal: 0644
    """)
    for pure in (False, True):
        assert _yaml.load_document(text, pure=pure).value == yaml.safe_load(text)


def test_local_tags_become_cloudformation_long_form() -> None:
    document = _yaml.load_document("a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub [x, {y: 1}]\n")
    assert document.value == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["R", "Arn"]},
        "c": {"Fn::Sub": ["x", {"y": 1}]},
    }
    assert [tag for _, tag, _ in document.tags] == ["!Ref", "!GetAtt", "!Sub"]


# --------------------------------------------------------------------------------------------
# validate, format_findings and the command line


def test_validate_collects_everything_without_raising() -> None:
    findings = validate("version: 1\nos: Linux\nhooks:\n  Start: []\ncolour: red\n", source="a.yml")
    assert [(f.severity, f.line, f.path) for f in findings] == [
        ("error", 1, "version"),
        ("error", 2, "os"),
        ("warning", 4, "hooks.Start"),
        ("warning", 5, "colour"),
    ]
    lines = format_findings(findings).splitlines()
    assert lines[0] == (
        "a.yml:1: error: version: version must be 0.0, the only AppSpec version; got 1"
    )
    assert lines[3].startswith("a.yml:5: warning: colour: unknown key 'colour'")
    assert validate("nope.yml")[0].message.startswith("cannot read the AppSpec file: no such")
    err = the_error("version: 1\nos: Linux\nhooks:\n  Start: [{timeout: 1}]\n")
    assert err.message.endswith("(and 2 more errors; `shiftsim validate` lists them all)")
    assert str(err).startswith("<string>:1 at version: version must be 0.0")


def test_main_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yml"
    good.write_text(SERVER)
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 0.0\nos: linux\nhooks:\n  BeforeInstall: [{timeout: 10}]\n")
    warned = tmp_path / "warned.json"
    warned.write_text(json.dumps({**yaml.safe_load(SERVER), "extra": 1}))

    assert main_validate([str(good)]) == 0
    assert capsys.readouterr().out == "1 file checked: 0 errors, 0 warnings\n"
    assert main_validate([str(good), str(warned)]) == 0
    out = capsys.readouterr().out
    assert f"{warned}:1: warning: extra: unknown key 'extra'" in out
    assert main_validate([str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:4: error: hooks.BeforeInstall[0]:" in out
    assert out.endswith("2 files checked: 1 error, 0 warnings\n")
    assert main_validate(["-q", str(warned)]) == 0
    assert capsys.readouterr().out == ""
    assert main_validate([str(tmp_path / "missing.yml"), str(good)]) == 2
    captured = capsys.readouterr()
    assert "missing.yml: no such file" in captured.err
    assert main_validate([str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main_validate([]) == 2
    assert "usage: shiftsim validate" in capsys.readouterr().err
    assert main_validate(["--platform", "ECS", str(good)]) == 1
    capsys.readouterr()


# --------------------------------------------------------------------------------------------
# The model: construction rules, to_dict and round trips


def test_dataclass_rules() -> None:
    with pytest.raises(ConfigError, match=r"ServerHook.timeout must be in \[1, 3600\]"):
        ServerHook("a.sh", timeout=0)
    with pytest.raises(ConfigError, match=r"LambdaTarget\.target_version"):
        LambdaTarget("fn", "live", 1, 0)
    with pytest.raises(ConfigError, match=r"EcsTarget\.container_port"):
        EcsTarget("<TASK_DEFINITION>", "web", 70000)
    with pytest.raises(ConfigError, match="did you mean 'Lambda'"):
        AppSpec("lambda")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"AppSpec\.os must be 'linux' or 'windows'"):
        AppSpec("Server")
    assert LambdaTarget("fn", "live", "{{CURRENT}}", 2).current_version == "{{CURRENT}}"


def test_warnings_and_source_do_not_affect_equality_and_repr() -> None:
    spec = load_appspec(SERVER + "colour: red\n", source="x.yml")
    assert spec == load_appspec(SERVER) and spec.warnings
    assert repr(spec).startswith("AppSpec(Server, os='linux'")
    assert "1 warnings" in repr(spec) and "x.yml" in repr(spec)
    assert "scripts/stop_server" in spec._repr_html_()
    assert "myLambdaFunction" in repr(load_appspec(LAMBDA))


@pytest.mark.parametrize("text", [SERVER, LAMBDA, ECS, SERVER + PERMISSIONS])
def test_examples_round_trip(text: str) -> None:
    spec = load_appspec(text)
    data = spec.to_dict()
    assert load_appspec(yaml.safe_dump(data, sort_keys=False)) == spec
    assert load_appspec(json.dumps(data, indent=2)) == spec
    assert load_appspec(data) == spec


# Hypothesis: generated valid AppSpecs survive to_dict -> YAML/JSON -> load_appspec.

_word = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,15}", fullmatch=True)
_path_part = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True)


def _linux_path() -> st.SearchStrategy[str]:
    return st.lists(_path_part, min_size=1, max_size=4).map(lambda p: "/" + "/".join(p))


def _windows_path() -> st.SearchStrategy[str]:
    return st.lists(_path_part, min_size=1, max_size=3).map(lambda p: "C:\\" + "\\".join(p))


_scripts = st.lists(
    st.builds(
        ServerHook,
        _path_part.map(lambda p: f"scripts/{p}.sh"),
        st.integers(1, 3600),
        st.none() | _word,
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def _server_specs(draw: st.DrawFn) -> AppSpec:
    os_name = draw(st.sampled_from(["linux", "windows"]))
    destination = _linux_path() if os_name == "linux" else _windows_path()
    files = draw(st.lists(st.builds(FileMapping, _path_part, destination), max_size=3))
    events = draw(st.lists(st.sampled_from(HOOK_EVENTS["Server"]), unique=True, max_size=4))
    hooks = {}
    for event in events:
        scripts = draw(_scripts)
        if os_name == "windows":
            scripts = [ServerHook(s.location, s.timeout, None, s.sudo) for s in scripts]
        hooks[event] = tuple(scripts)
    permissions: list[Permission] = []
    if os_name == "linux":
        permissions = draw(
            st.lists(
                st.builds(
                    Permission,
                    _linux_path(),
                    st.sampled_from(["**", "*.txt"]),
                    st.lists(_path_part, max_size=2).map(tuple),
                    st.none() | _word,
                    st.none() | _word,
                    st.none() | st.from_regex(r"[0-7]{3,4}", fullmatch=True),
                    st.lists(_word.map(lambda u: f"u:{u}:rw"), max_size=2).map(tuple),
                    st.none()
                    | st.builds(
                        SELinuxContext, _word, st.none() | _word, st.none() | st.just("s0")
                    ),
                    st.sampled_from([("file",), ("directory",), ("file", "directory")]),
                ),
                max_size=2,
            )
        )
    behavior = draw(st.none() | st.sampled_from(["DISALLOW", "OVERWRITE", "RETAIN"]))
    return AppSpec(
        "Server",
        0.0,
        os_name,
        tuple(files),
        tuple(permissions),
        hooks,
        file_exists_behavior=behavior,
    )


@st.composite
def _lambda_specs(draw: st.DrawFn) -> AppSpec:
    target = LambdaTarget(
        draw(_word),
        draw(_word),
        draw(st.none() | st.integers(1, 10**6)),
        draw(st.integers(1, 10**6)),
        draw(_word),
    )
    events = draw(st.lists(st.sampled_from(HOOK_EVENTS["Lambda"]), unique=True))
    return AppSpec("Lambda", resources=(target,), hooks={e: draw(_word) for e in events})


@st.composite
def _ecs_specs(draw: st.DrawFn) -> AppSpec:
    taskdef = draw(
        st.sampled_from(
            ["<TASK_DEFINITION>", "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7"]
        )
    )
    network = draw(
        st.none()
        | st.builds(
            AwsvpcConfiguration,
            st.lists(
                st.from_regex(r"subnet-[0-9a-f]{8}", fullmatch=True), min_size=1, max_size=3
            ).map(tuple),
            st.lists(st.from_regex(r"sg-[0-9a-f]{8}", fullmatch=True), min_size=1, max_size=2).map(
                tuple
            ),
            st.sampled_from(["ENABLED", "DISABLED"]),
        )
    )
    providers = draw(st.lists(_word, unique=True, max_size=3))
    based = draw(st.integers(0, max(len(providers) - 1, 0)))
    strategy = tuple(
        CapacityProviderStrategyItem(
            p, draw(st.integers(0, 100_000)) if i == based else 0, draw(st.integers(0, 1000))
        )
        for i, p in enumerate(providers)
    )
    target = EcsTarget(
        taskdef,
        draw(_word),
        draw(st.integers(1, 65535)),
        draw(st.none() | st.sampled_from(["LATEST", "1.4.0"])),
        network,
        strategy,
        draw(_word),
    )
    events = draw(st.lists(st.sampled_from(HOOK_EVENTS["ECS"]), unique=True))
    return AppSpec("ECS", resources=(target,), hooks={e: draw(_word) for e in events})


@pytest.mark.slow
@given(st.one_of(_server_specs(), _lambda_specs(), _ecs_specs()))
def test_generated_appspecs_round_trip(spec: AppSpec) -> None:
    data = spec.to_dict()
    from_yaml = load_appspec(yaml.safe_dump(data, sort_keys=False))
    assert from_yaml == spec
    assert load_appspec(json.dumps(data, indent=2)) == spec
    assert from_yaml.to_dict() == data


# --------------------------------------------------------------------------------------------
# The agent's rules for permissions (issue 12; Agent:ace_info.rb, Agent:range_info.rb)


def _acl_file(*acls: str) -> str:
    entries = "".join(f"      - '{acl}'\n" for acl in acls)
    return server(
        extra=f"permissions:\n  - object: /srv/app/\n    type: [directory]\n    acls:\n{entries}"
    )


@pytest.mark.parametrize(
    "acl",
    ["u:henry:7", "bob:0", "m:7", "mask:", "d:bob:rwx", "default::rw", "d:u::rwx", "u:mask:7"],
)
def test_acl_entries_the_agent_accepts(acl: str) -> None:
    """Agent:ace_info.rb accepts these (agent cases T30, T40, T41, T66, T72, T73)."""
    spec = load_appspec(_acl_file(acl))
    assert spec.permissions[0].acls == (acl,) and spec.warnings == ()


@pytest.mark.parametrize(
    ("acl", "fragment"),
    [
        ("mask:name:rwx", "take no name"),
        ("d:other:name:rwx", "take no name"),
        ("o::r", "base entry"),
        ("u::7", "base entry"),
        ("u:bob:rwX", "'X'"),
        ("7", "2 to 4 parts"),
        ("d:d:bob:7", "default twice"),
        ("x:bob:7", "not an ACL entry type"),
    ],
)
def test_acl_entries_the_agent_refuses(acl: str, fragment: str) -> None:
    """Agent:ace_info.rb refuses these (agent cases T31-T38, T69-T71)."""
    err = the_error(_acl_file("u:ok:7", acl))
    assert (err.line, err.path) == (8, "permissions[0].acls[1]")
    assert fragment in err.message and "the agent refuses the ACL entry" in err.message


@pytest.mark.parametrize(
    ("selinux_range", "fragment"),
    [
        ("s3-s2:c0", "below the low one"),
        ("s3-:c0", "empty part"),
        ("s", "not a sensitivity"),
        ("s0-s-1", "not a sensitivity"),
        ("s0:c2.c1", "decreases"),
        ("s0:c1024", "up to c1023"),
        ("s0:c0.c2,c1", "listed twice"),
        ("s0:", "empty part"),
        ("s0:cd3", "not a category"),
    ],
)
def test_selinux_range_is_checked(selinux_range: str, fragment: str) -> None:
    """Agent:range_info.rb (agent cases T42-T60)."""
    text = server(
        extra="permissions:\n  - object: /x\n    context:\n      type: t\n"
        f"      range: '{selinux_range}'\n"
    )
    err = the_error(text)
    assert (err.line, err.path) == (7, "permissions[0].context.range")
    assert fragment in err.message


@pytest.mark.parametrize("selinux_range", ["s5", "s0:c0.c1,c15,c7.c9", "s3-s7:c5,c8.c10,c17"])
def test_selinux_ranges_the_agent_accepts(selinux_range: str) -> None:
    text = server(
        extra=f"permissions:\n  - object: /x\n    context: {{type: t, range: '{selinux_range}'}}\n"
    )
    context = load_appspec(text).permissions[0].context
    assert context is not None and context.range == selinux_range


def test_numeric_owner_is_accepted_with_a_warning() -> None:
    """Agent:application_specification.rb takes owner as given (issue 12: a numeric owner is
    accepted); Agent:install_instruction.rb looks it up with Etc.getpwnam, hence the warning."""
    text = server(extra="permissions:\n  - {object: /x, owner: 1000, group: 1000}\n")
    spec = load_appspec(text)
    assert (spec.permissions[0].owner, spec.permissions[0].group) == ("1000", "1000")
    assert {w.path for w in spec.warnings} == {"permissions[0].owner", "permissions[0].group"}


def test_default_acl_entries_on_files_are_warnings() -> None:
    """Agent:linux_permission_info.rb (validate_file_acl), called for every file a permission
    applies to (Agent:install_instruction.rb): a default ACL entry on a file fails the Install
    step, though the agent accepts the file (agent cases T29, T39, T40 and their 'install')."""
    text = server(extra="permissions:\n  - object: /x\n    acls: ['d:u:bob:rw']\n")
    (warning,) = load_appspec(text).warnings
    assert warning.path == "permissions[0].acls" and "Install step fails" in warning.message
    directories = text.replace("    acls:", "    type: [directory]\n    acls:")
    assert load_appspec(directories).warnings == ()


# --------------------------------------------------------------------------------------------
# Text is text, paths are paths (issue 16)


def test_a_str_is_text_unless_it_is_clearly_a_file_name(tmp_path: Path) -> None:
    """An existing file's name given as a str is still text: it is never opened."""
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 50)
    for taken in (validate(str(secret)), validate("/etc/passwd")):
        (finding,) = taken
        assert finding.severity == "error" and "read as AppSpec text" in finding.message
        assert "root:x" not in finding.message and "pathlib.Path" in finding.message
    err = the_error(str(secret))
    assert "root:x" not in str(err) and err.source == "<string>"
    # As a pathlib.Path it is a file: read, and refused as an AppSpec without echoing it whole.
    with pytest.raises(AppSpecError) as info:
        load_appspec(secret)
    err = info.value
    assert err.source == str(secret) and len(str(err)) < 400


@pytest.mark.parametrize(
    ("text", "is_name"),
    [
        ("appspec.yml", True),
        ("deploy/AppSpec.YAML", True),
        ("C:\\deploy\\appspec.json", True),
        ("appspec.json.tpl", True),
        ("/etc/passwd", False),
        ("version: 0.0", False),
        ("{version: 0.0, note: a.yml}", False),
        ("key: a.yml", False),
        ("appspec.yml\nos: linux", False),
    ],
)
def test_the_file_name_rule(text: str, is_name: bool) -> None:
    from shiftsim.appspec._load import is_file_name

    assert is_file_name(text) is is_name


def test_validate_never_raises_for_unreadable_input(tmp_path: Path) -> None:
    """Issue 16: files over 1 MiB, not UTF-8, not regular files, and values of other types."""
    big = tmp_path / "big.yml"
    big.write_bytes(b"version: 0.0\n" + b"#" * MAX_BYTES)
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"version: 0.0\nos: linux # caf\xe9\n")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(bytes(range(256)) * 10)
    fifo = tmp_path / "pipe.yml"
    import os

    os.mkfifo(fifo)
    for given_input in (big, latin, binary, fifo, tmp_path, tmp_path / "missing.yml", 123, b"x"):
        findings = validate(given_input)  # type: ignore[arg-type]
        assert [f.severity for f in findings] == ["error"], (given_input, findings)
        assert len(findings[0].message) < 400
    utf16 = tmp_path / "utf16.yml"
    utf16.write_bytes(b"\xff\xfe" + SERVER.encode("utf-16-le"))
    assert validate(utf16) == []


def test_messages_quote_short_excerpts_of_the_input() -> None:
    """COMMON.md: an error never echoes more than ~80 escaped characters of input."""
    long = "x\x1b[31m" + "y" * 5000
    text = server(
        f"AfterInstall:\n  - location: a.sh\n    timeout: '{long}'\n",
        extra=f"os_note: '{long}'\nfiles:\n  - source: /\n    destination: '{long}'\n",
    )
    for finding in validate(text.replace("os: linux", f"os: '{long}'")):
        assert "y" * 100 not in finding.message and "\x1b" not in finding.message, finding


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for _, name, _ in __import__("pkgutil").iter_modules(
            __import__("shiftsim.appspec").appspec.__path__, "shiftsim.appspec."
        )
    ),
)
def test_private_module_docstring_examples_run(name: str) -> None:
    """tests/test_docs.py runs the top-level modules' examples; these are the package's own."""
    import doctest
    import importlib

    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_each_module_declares_all() -> None:
    import importlib
    import pkgutil

    import shiftsim.appspec

    for _, name, _ in pkgutil.iter_modules(shiftsim.appspec.__path__, "shiftsim.appspec."):
        assert isinstance(importlib.import_module(name).__all__, list), name


def test_numeric_permission_object_is_read_as_text() -> None:
    """Agent:application_specification.rb reads object with to_s.strip: 123 is '123'."""
    spec = load_appspec(server(extra="permissions:\n  - object: 123\n"))
    assert spec.permissions[0].object == "123"
    assert [w.path for w in spec.warnings] == ["permissions[0].object"]


def test_one_intrinsic_rule_for_every_reader() -> None:
    """Issue 10 (one loader): the AppSpec reader and the SAM reader share _yaml.is_intrinsic,
    which takes ``{"Condition": name}`` (a condition reference inside Fn::And/Or/Not) too."""
    from shiftsim import _yaml
    from shiftsim.appspec import _checker

    assert _checker.is_intrinsic is _yaml.is_intrinsic
    assert _checker.is_intrinsic({"Condition": "IsProd"})
    assert not _checker.is_intrinsic({"Condition": ["IsProd"]})
