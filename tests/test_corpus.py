"""Conformance: the AppSpec files of ../shared/corpus load, or fail with the message we want.

The corpus holds real AppSpec files from public repositories (server/, lambda/, ecs/) and SAM
templates (sam/, read by shiftsim's SAM reader). SOURCES.tsv records where each file comes from
and notes which "look malformed". The expectations below are written out file by file rather
than derived from the notes; ``test_expectations_match_sources`` checks them against the notes,
so a new corpus file, or a note shiftsim disagrees with, cannot go unnoticed.

CI clones the repository with ``../shared`` beside it; without that folder these tests skip.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from shiftsim import _yaml
from shiftsim.appspec import load_appspec, validate
from shiftsim.errors import AppSpecError

CORPUS = Path(
    os.environ.get("SHIFTSIM_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the AppSpec corpus is not at {CORPUS} (CI clones the repo with ../shared beside it)",
)
APPSPEC_FOLDERS = ("server", "lambda", "ecs")
PLATFORM_OF_FOLDER = {"server": "Server", "lambda": "Lambda", "ecs": "ECS"}


@dataclass(frozen=True)
class Valid:
    """The file loads; every fragment appears in some warning (no fragments: no warnings)."""

    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invalid:
    """load_appspec raises AppSpecError at ``line`` whose message contains every fragment."""

    line: int | None
    fragments: tuple[str, ...]


def valid(*warnings: str) -> Valid:
    return Valid(warnings)


def invalid(line: int | None, *fragments: str) -> Invalid:
    return Invalid(line, fragments)


RUNAS_ON_WINDOWS = ("runas applies to Amazon Linux", "the Windows agent ignores it")
NEVER_RUN = "the agent accepts the file but never runs these scripts"
SAM = ("AWS SAM template", "from_sam()")

EXPECTED: dict[str, Valid | Invalid] = {
    # EC2/On-Premises ------------------------------------------------------------------------
    "server/1_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/2_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/3_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/4_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/5_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/6_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    "server/7_awslabs_aws-codedeploy-samples_appspec.yml": valid(),
    # UG:reference-appspec-file-structure-hooks.md: the event is BeforeInstall, no space. The
    # agent accepts any event name and never runs its scripts (agent cases T09, F07): a warning.
    "server/8_kenny67_server_appspec.yml": valid(
        "'Before Install' is not a lifecycle event", "did you mean 'BeforeInstall'?", NEVER_RUN
    ),
    "server/9_kenny67_server_appspec.yml.tpl": valid(
        "'Before Install' is not a lifecycle event", "did you mean 'BeforeInstall'?", NEVER_RUN
    ),
    # Agent:application_specification.rb reads only source and destination of a files entry.
    "server/10_ashnike_bipoflask_appspec.yml": valid("unknown key 'overwrite'"),
    "server/11_rs0fox_html-pipeline_appspec.yml": valid(),
    # UG:reference-appspec-file-structure-hooks.md: runas is for Amazon Linux and Ubuntu only;
    # the Windows agent ignores it (Agent:platform/windows_util.rb): a warning (issue 12).
    "server/12_dwhanger_Shapestore-github_appspec.yml": valid(*RUNAS_ON_WINDOWS),
    "server/13_00005267_API_appspec.yml": valid(),
    "server/14_00008392_DSCC.CW1.8392.API_appspec.yml": valid(),
    "server/15_00014973_DSCC.CW1.14973.MVC_appspec.yml": valid(*RUNAS_ON_WINDOWS),
    "server/16_ibmhack2020_demoapp_appspec.yml": valid(*RUNAS_ON_WINDOWS),
    "server/17_2025-softbank-hackathon_backend_appspec.yml": valid("unknown key 'overwrite'"),
    "server/18_2025-softbank-hackathon_backend_appspec.yml": valid(),
    # Agent:application_specification.rb: "a script with no location value".
    "server/19_0xradical_respriter_appspec.yml": invalid(
        21, "BeforeAllowTraffic script has no location", "remove its '-'"
    ),
    # UG:reference-appspec-file-structure-hooks.md: AllowTraffic is reserved, so its scripts never
    # run (a warning at line 19); but the agent parses them and refuses the one without a location
    # (Agent:application_specification.rb; agent case T15).
    "server/20_0xradical_respriter_appspec.yml": invalid(
        20, "AllowTraffic script has no location", "remove its '-'"
    ),
    "server/21_0xradical_respriter_appspec.yml": valid(),
    "server/22_0pointr_aws-bootstrap_appspec.yml": valid("unknown key 'overwrite'"),
    "server/23_LeoNunes_RooksAndWallsServer_appspec.yml": valid(),
    "server/24_00011456wiut_DSCC.MVC.11456_appspec.yml": valid(),
    "server/25_00011456wiut_DSCC.MVC.11456_appspec.yml": valid(*RUNAS_ON_WINDOWS),
    "server/26_00017286_Frontend_MVC_17286_appspec.yml": valid(*RUNAS_ON_WINDOWS),
    # UG:reference-appspec-file-structure-files.md: destination is a fully qualified path; the
    # agent accepts a relative one (Agent:file_info.rb; agent cases T17, T18): a warning.
    "server/27_00017286_Frontend_MVC_17286_appspec.yml": valid(
        "fully qualified Windows path", "did you mean 'C:\\MyApp'?"
    ),
    "server/28_00014973_DSCC.CW1.14973.API_appspec.yml": valid(),
    "server/29_035Sauarv_database-sre-watchdog_appspec.yml": invalid(
        1, "not valid YAML", "character '@'"
    ),
    "server/30_0num4_learn-codedeploy_appspec.yml": valid(),
    "server/31_jdesilvio_CodeDeployPybossa_appspec.yml": valid(),
    # UG:reference-appspec-file-structure-files.md: DISALLOW, OVERWRITE or RETAIN.
    "server/32_Abdelali12-codes_aws_codedeploy_ecs_lambda_ec2_appspec.yml": invalid(
        6, "file_exists_behavior must be one of", "pick one"
    ),
    # AWS Lambda -----------------------------------------------------------------------------
    "lambda/1_toluna-terraform_terraform-aws-lambda-pipeline_appspec.json.tpl": valid(
        "'<LAMBDA_NAME>' is an unrendered placeholder"
    ),
    "lambda/2_toluna-terraform_terraform-aws-lambda-pipeline_appspec.json.tpl": valid(),
    "lambda/3_toluna-terraform_terraform-aws-lambda-pipeline_appspec.json.tpl": invalid(4, *SAM),
    "lambda/4_toluna-terraform_terraform-aws-lambda-gitflow_appspec.json.tpl": invalid(
        17, "not valid JSON", "unrendered template ('%{ if HOOKS }' at line 17)"
    ),
    "lambda/5_YoonHyunWoo_CodeDeploy_For_Lambda-function_appspec.yaml": valid(),
    # UG:reference-appspec-file-structure-hooks.md: BeforeAllowTraffic or AfterAllowTraffic.
    "lambda/6_AlphaPL_aws-lambda-helloworld_appspec.yaml": invalid(
        23, "'LifeCycleEvent' is not a lifecycle event of AWS Lambda deployments"
    ),
    "lambda/7_0x4447_0x4447_product_s3_email_lambda_inbound_appspec.yml": valid(),
    "lambda/8_3rd-stone_AWS-url-shorten-serverless-application-pipeline_appspec.yaml": invalid(
        6, *SAM
    ),
    "lambda/9_mvpjava_aws-codedeploy-lambda_appspec-placeholder-template.yml": valid(
        "'{{LAMBDA_FUNCTION_NAME}}' is an unrendered placeholder"
    ),
    "lambda/10_mvpjava_aws-codedeploy-lambda_appspec-demo-hardcoded.yml": valid(),
    "lambda/11_mvpjava_aws-codedeploy-lambda_appspec.yml": valid(
        "'{{TARGET_LAMBDA_VERSION}}' is an unrendered placeholder"
    ),
    "lambda/12_tmiklu_lambda-codedeploy_appspec.yml": valid(),
    "lambda/13_tmiklu_lambda-codedeploy_appspec.yml": valid(),
    # UG:reference-appspec-file-structure-version.md: version is required. The lowercase keys
    # themselves are accepted (UG:reference-appspec-file-structure-resources.md uses them).
    "lambda/14_Abdelali12-codes_aws_codedeploy_ecs_lambda_ec2_appspec.yml": invalid(
        1, "version is required", "2 more errors"
    ),
    "lambda/15_NChitty_meal-planner_appspec.yml": invalid(1, "version is required"),
    "lambda/16_alanbridgeft_pipeline-demo_appspec.yml": invalid(
        8, "CurrentVersion is '$LATEST'", "publish-version"
    ),
    "lambda/17_alanbridgeft_pipeline-demo_appspec.yml": invalid(5, "needs TargetVersion"),
    "lambda/18_alanbridgeft_pipeline-demo_appspec.yml": valid(),
    # Amazon ECS -----------------------------------------------------------------------------
    "ecs/1_toluna-terraform_terraform-aws-ecs-gitflow_appspec.json.tpl": invalid(
        11, "not valid JSON", "<CONTAINER_PORT> must be quoted", "unrendered template"
    ),
    "ecs/2_SubrahmanyamRaparti_PetClinicApplication_appspec.yaml.tpl": valid(
        "'${CONTAINER_NAME}' is an unrendered placeholder",
        "'${CONTAINER_PORT}' is an unrendered placeholder",
    ),
    "ecs/3_renemontilva_lambda-codedeploy-shift_appspec.yaml": valid(),
    "ecs/4_aws-samples_aws-reinvent-trivia-game_appspec.json": valid(
        "'awsvpcConfiguration' is spelled 'AwsvpcConfiguration'"
    ),
    "ecs/5_aws-samples_aws-reinvent-trivia-game_appspec.json": valid(
        "'assignPublicIp' is spelled 'AssignPublicIp'"
    ),
    "ecs/6_aws-samples_aws-reinvent-trivia-game_appspec.json": valid(),
    "ecs/7_aws-samples_aws-reinvent-trivia-game_appspec.json": valid(),
    "ecs/8_Andrew-Chen-Wang_cookiecutter-django-ecs-github_appspec.json": invalid(
        3, "'files' is an EC2/On-Premises key", "only version, Resources and Hooks"
    ),
    "ecs/9_Andrew-Chen-Wang_cookiecutter-django-ecs-github_appspec.yaml": invalid(
        2, "'os' is an EC2/On-Premises key", "2 more errors"
    ),
    "ecs/10_Andrew-Chen-Wang_cookiecutter-django-ecs-github_appspec.yaml": valid(
        "'<region>' is an unrendered placeholder"
    ),
    "ecs/11_Jareechang_ecs-nextjs_appspec.json": invalid(1, "version is required"),
    "ecs/12_AleksandarCvjetic_aws-ecs-pipeline-with-blue-green-deployment_appspec.yaml": valid(
        "'project51-bg-deploy-td' is a task-definition family"
    ),
    "ecs/13_AleksandarCvjetic_aws-ecs-pipeline-with-blue-green-deployment_appspec.yaml": valid(),
    "ecs/14_1308harshit_pearlThought-all-tasks-strapi_appspec.json": invalid(
        2, "version must be 0.0", "got 1"
    ),
    "ecs/15_1308harshit_pearlThought-all-tasks-strapi_appspec.yaml": valid(
        "'strapi-task-def' is a task-definition family"
    ),
    "ecs/16_2025-softbank-hackathon_backend_appspec.yml": invalid(
        4, "Type must be 'AWS::Lambda::Function'", "got 'AWS::AutoScaling::AutoScalingGroup'"
    ),
    "ecs/17_2025-softbank-hackathon_backend_appspec.yaml": invalid(
        7, "CloudFormation function (Fn::GetArtifactAtt)", "TaskDefinition: <TASK_DEFINITION>"
    ),
    "ecs/18_2025-softbank-hackathon_backend_appspec.yaml": invalid(
        6, "got 'taskdef.json'", "looks like a file name"
    ),
    "ecs/19_2025-softbank-hackathon_backend_appspec.yml": valid(),
    "ecs/20_2025-softbank-hackathon_backend_appspec.yaml": valid(
        "'chatapp-dev-task-blue:2' is a task-definition family"
    ),
    # UG:reference-appspec-file-structure-resources.md: ContainerPort is a number.
    "ecs/21_5hry_e-commerce-web-bluegreen-deploy_appspec.yaml": valid(
        "ContainerPort should be a number"
    ),
    # UG:reference-appspec-file-structure-hooks.md: ECS hooks are Lambda function names.
    "ecs/22_otunba-ola01_revolucare-wrlylc_appspec.yaml": invalid(
        25, "Hooks must be a list", "hooks run Lambda functions, not scripts"
    ),
    "ecs/23_AppleJuiceAndCookies_eVision-cicd_appspec.yaml.tpl": invalid(
        13, "not valid YAML", "unrendered template ('${task_definition}' at line 6)"
    ),
    "ecs/24_toluna-terraform_terraform-aws-ecs-gitflow_appspec.json.tpl": valid(
        "'${APP_NAME}' is an unrendered placeholder"
    ),
    "ecs/25_Abdelali12-codes_aws_codedeploy_ecs_lambda_ec2_appspec.yml": invalid(
        1, "version is required", "7 more errors"
    ),
}

# Where shiftsim disagrees with a "looks malformed" note: the file loads.
NOT_MALFORMED = {
    "server/10_ashnike_bipoflask_appspec.yml": (
        "the note calls 'overwrite: true' in a files entry malformed, but the agent reads only "
        "source and destination (Agent:application_specification.rb, parse_files) and ignores "
        "the rest, like server/17 and server/22 whose notes do not flag it: a warning"
    ),
    "server/8_kenny67_server_appspec.yml": (
        "the CodeDeploy agent accepts unknown event names and never runs their scripts "
        "(../shared/corpus/agent cases T09 and F07): a warning that says so"
    ),
    "server/27_00017286_Frontend_MVC_17286_appspec.yml": (
        "the CodeDeploy agent accepts a destination that is not fully qualified "
        "(../shared/corpus/agent cases T17 and T18): a warning"
    ),
}

# Files shiftsim refuses although their note does not say "looks malformed".
MALFORMED_WITHOUT_THE_WORDS = {
    "lambda/4_toluna-terraform_terraform-aws-lambda-gitflow_appspec.json.tpl": (
        "raw Terraform template; the note says the raw file fails to parse"
    ),
    "ecs/1_toluna-terraform_terraform-aws-ecs-gitflow_appspec.json.tpl": (
        "raw Terraform template; the note says the raw file fails to parse"
    ),
    "ecs/23_AppleJuiceAndCookies_eVision-cicd_appspec.yaml.tpl": (
        "raw Terraform template; the note says the raw file fails to parse"
    ),
}
# About runas with os: windows -- UG:reference-appspec-file-structure-hooks.md says "This element
# applies to Amazon Linux and Ubuntu Server instances only". The notes treat these files as valid,
# and indeed the Windows agent does not read runas (Agent:platform/windows_util.rb,
# prepare_script_command), so AWS runs these scripts as the agent's user rather than reject the
# file: a warning since issue 12 (it was an error in 0.1).


def _sources() -> dict[str, dict[str, str]]:
    with (CORPUS / "SOURCES.tsv").open(newline="", encoding="utf-8") as handle:
        return {row["local_file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def _corpus_files(*folders: str) -> set[str]:
    return {
        f"{folder}/{path.name}"
        for folder in folders
        for path in (CORPUS / folder).iterdir()
        if path.is_file()
    }


def test_expectations_match_sources() -> None:
    sources = _sources()
    on_disk = _corpus_files(*APPSPEC_FOLDERS)
    listed = {name for name in sources if name.split("/")[0] in APPSPEC_FOLDERS}
    assert on_disk == listed, "SOURCES.tsv and the corpus folders list different files"
    assert set(EXPECTED) == on_disk, (
        f"add expectations for {sorted(on_disk - set(EXPECTED))}; "
        f"remove {sorted(set(EXPECTED) - on_disk)}"
    )
    for name, expected in EXPECTED.items():
        flagged = "looks malformed" in sources[name]["notes"]
        assert sources[name]["platform"] == name.split("/")[0]
        if isinstance(expected, Valid):
            assert not flagged or name in NOT_MALFORMED, f"{name}: its note says malformed"
        else:
            assert flagged or name in MALFORMED_WITHOUT_THE_WORDS, f"{name}: its note says valid"
    assert set(NOT_MALFORMED) <= {n for n, e in EXPECTED.items() if isinstance(e, Valid)}
    assert set(MALFORMED_WITHOUT_THE_WORDS) <= {
        n for n, e in EXPECTED.items() if isinstance(e, Invalid)
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    path = CORPUS / name
    expected = EXPECTED[name]
    if isinstance(expected, Valid):
        spec = load_appspec(path)
        assert spec.platform == PLATFORM_OF_FOLDER[name.split("/")[0]]
        assert spec.source == str(path)
        messages = [w.message for w in spec.warnings]
        if not expected.warnings:
            assert messages == []
        for fragment in expected.warnings:
            assert any(fragment in m for m in messages), (fragment, messages)
        assert load_appspec(spec.to_dict()) == spec
    else:
        with pytest.raises(AppSpecError) as info:
            load_appspec(path)
        err = info.value
        assert err.source == str(path)
        assert err.line == expected.line, str(err)
        for fragment in expected.fragments:
            assert fragment in err.message, (fragment, err.message)
        assert any(f.severity == "error" for f in validate(path))


SAM_TEMPLATES = sorted(
    _corpus_files("sam") if CORPUS.is_dir() else set(),
    key=lambda name: int(name.split("/")[1].split("_")[0]),
)


@pytest.mark.parametrize("name", SAM_TEMPLATES)
def test_sam_templates_point_to_the_sam_reader(name: str) -> None:
    with pytest.raises(AppSpecError) as info:
        load_appspec(CORPUS / name)
    assert "AWS SAM template" in info.value.message and "from_sam()" in info.value.message
    assert info.value.line is not None


def test_sam_folder_matches_sources() -> None:
    listed = {name for name in _sources() if name.startswith("sam/")}
    assert listed == set(SAM_TEMPLATES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_both_yaml_parsers_agree(name: str) -> None:
    """libyaml (when installed) and PyYAML's pure-Python parser give the same values and lines."""
    text = (CORPUS / name).read_text(encoding="utf-8-sig")
    try:
        fast = _yaml.load_document(text, name)
    except AppSpecError as err:
        with pytest.raises(AppSpecError) as info:
            _yaml.load_document(text, name, pure=True)
        assert info.value.line == err.line
        return
    pure = _yaml.load_document(text, name, pure=True)
    assert (fast.value, fast.lines, fast.key_lines) == (pure.value, pure.lines, pure.key_lines)
