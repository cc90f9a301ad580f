"""The teaching notebooks: committed without outputs, and each runs top to bottom in a real
Jupyter kernel of this environment's Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from traitlets import default
from traitlets.config import Config

# Every notebook runs in a fresh Jupyter kernel (seconds each).
pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
KERNEL = "python3"
#: What the kernel prints last, so the test can check which Python ran the notebook.
WHO = "import sys; print(sys.prefix)"
#: What each notebook's prose relies on, checked in its kernel after its last cell (the
#: notebooks themselves hold no cells that only assert).
CHECKS = {
    "01-traffic-shifting-strategies": """
# The paragraphs describe these three runs and this ranking.
assert [run.status for run in runs.values()] == ["Succeeded", "Stopped", "Succeeded"]
assert summary.loc["LambdaAllAtOnce", "mean"] > summary.loc["LambdaCanary10Percent5Minutes", "mean"]
assert summary.loc["LambdaCanary10Percent5Minutes", "mean"] > summary.loc[
    "LambdaLinear10PercentEvery1Minute", "mean"]
# One time scale for the three runs (issue 15).
assert len({ax.get_xlim() for ax in axes}) == 1
""",
    "02-alarms": """
assert clocks.groupby("metric_delay (s)")["alarm_minute"].first().is_monotonic_increasing
assert (clocks["detection_minute"] >= clocks["alarm_minute"]).all()
assert trap.loc["canary 5 min, 5-min alarm", "rollback_rate"] == 0.0
assert trap.loc["canary 15 min, 5-min alarm", "rollback_rate"] > 0.99
assert missing.loc["breaching", "good release: rolled back"] == 1.0
assert missing.loc["notBreaching", "good release: rolled back"] == 0.0
assert (missing.loc["missing", "bad release: rolled back"]
        > missing.loc["notBreaching", "bad release: rolled back"])
""",
    "03-ec2-in-place": """
assert list(failures["status"]) == [
    "Failed", "Succeeded", "Succeeded", "Failed", "Succeeded", "Succeeded"]
assert agents.status == "Succeeded"
assert list(failed["end_minute"] - failed["start_minute"]) == [5.0, 5.0]
assert list(blast["failed"]) == [1, 5, 10]
succeeded = flaky_table["succeeded"]
assert succeeded["OneAtATime"] < 0.6 < succeeded["HalfAtATime"]
assert len({ax.get_xlim() for ax in axes}) == 1
""",
    "04-risk-at-scale": """
assert false_alarms.loc["rollback_rate", "estimate"] > 0.3
assert ((five.runs["status"] == "Stopped") & (ten.runs["status"] == "Succeeded")).sum() == 0
assert spread["common random numbers"].std() < spread["independent seeds"].std()
""",
}


def test_the_teaching_notebooks_exist() -> None:
    assert [p.stem for p in PATHS][:4] == [
        "01-traffic-shifting-strategies",
        "02-alarms",
        "03-ec2-in-place",
        "04-risk-at-scale",
    ]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_no_cell_only_asserts(path: Path) -> None:
    """Checks live in CHECKS above; the notebooks teach."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        code = [
            line
            for line in cell.source.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if cell.cell_type == "code" and code:
            assert not all(line.startswith(("assert", " ", ")")) for line in code), cell.source


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == KERNEL
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


#: Where this environment's kernelspecs live (``ipykernel install --sys-prefix`` writes there).
ENV_KERNELS = Path(sys.prefix) / "share" / "jupyter" / "kernels"


class EnvKernelManager(KernelManager):
    """Finds kernelspecs only in this environment, so that a ``python3`` spec in the user's
    or the system's Jupyter folders (another Python) cannot be picked instead."""

    @default("kernel_spec_manager")
    def _env_kernel_spec_manager(self) -> KernelSpecManager:
        return KernelSpecManager(data_dir=self.data_dir, kernel_dirs=[str(ENV_KERNELS)])


@pytest.fixture(scope="module")
def kernel_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Kernel manager settings; installs the ``python3`` kernelspec into this environment if
    it is not there (pip installs it with ipykernel)."""
    if not (ENV_KERNELS / KERNEL / "kernel.json").is_file():
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL],
            check=True,
            capture_output=True,
        )
    config = Config()
    # IPC sockets in a temporary folder: no TCP port, nothing left in the repository.
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(tmp_path_factory.mktemp("kernels") / "kernel")
    return config


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, kernel_config: Config) -> None:
    notebook = nbformat.read(path, as_version=4)
    if path.stem in CHECKS:
        notebook.cells.append(nbformat.v4.new_code_cell(CHECKS[path.stem]))
    notebook.cells.append(nbformat.v4.new_code_cell(WHO))
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        kernel_manager_class=EnvKernelManager,
        timeout=120,
        config=kernel_config,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    who = notebook.cells[-1].outputs[0]["text"].strip()
    assert Path(who).resolve() == Path(sys.prefix).resolve()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                pytest.fail(f"{path.name} wrote to stderr:\n{output['text']}\nin:\n{cell.source}")
