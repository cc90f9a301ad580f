"""The documentation site: ``mkdocs build --strict`` builds it (warnings and broken links fail),
then headless Chromium opens the home page, the API pages, the fidelity page and each notebook
page: none may log a console error or fail a request, and every image on them must load.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it where it is missing),
driven by Playwright's Python package with ``executable_path``: Playwright downloads no
browser. Without chromium the test is skipped, and says why.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: What Chromium needs to run headless as root in a container, with nothing phoning home.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
PAGES = ["index.html", "api.html", "figures.html", "fidelity.html"] + [
    f"notebooks/{name}.html" for name in NOTEBOOKS
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs", reason="the docs tools come with the dev extra")
    out = tmp_path_factory.mktemp("site")
    # The notebooks run in this environment's kernel, whatever other kernels the user has.
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stderr[-6000:]}"
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_site_builds_with_every_page(site: Path) -> None:
    for page in PAGES:
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Simulate AWS CodeDeploy deployments" in home  # the README is the home page
    api = (site / "api.html").read_text(encoding="utf-8")
    assert "monte_carlo" in api and "Parameters" in api  # docstrings rendered


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (.ci/run installs it: apt-get install -y chromium)",
)
def test_pages_load_in_headless_chromium(server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{page.url}: console {m.type}: {m.text}")
                    if m.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"{page.url}: page error: {e}"))
            page.on(
                "requestfailed",
                lambda r: problems.append(f"{page.url}: request failed: {r.url}"),
            )
            for name in PAGES:
                response = page.goto(server + name, wait_until="load")
                assert response is not None and response.ok, name
                page.wait_for_load_state("networkidle")
                # Scroll through, so that lazily loaded images load too.
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                images = page.evaluate(
                    "Array.from(document.images).map(i => [i.src.slice(0, 60), i.naturalWidth])"
                )
                broken = [src for src, width in images if width == 0]
                assert not broken, f"{name}: images that did not load: {broken}"
                if name.startswith("notebooks/"):
                    assert images, f"{name} has no figures"
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
