"""MkDocs hooks for the shiftsim site (mkdocs.yml names this file).

* The home page is the README, with its links rewritten for the site: ``docs/x.md`` becomes
  ``x.md``; a link to another file of the repository becomes its path in code font (the site
  has no copy of it).
* The API page is ``docs/api.md`` as written (``tests/test_docs.py`` checks it against
  ``shiftsim.__all__``), with each entry's docstring rendered below it by mkdocstrings.
* Notebook pages drop the loader of the Jupyter widget renderer: cells with widgets (tagged
  ``interactive``, see mkdocs.yml) keep their code but not their output, which needs a live
  kernel, so the loader would only fetch a script from the network for nothing. The site
  works offline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)")
_ENTRY = re.compile(r"^### `(shiftsim\.\w+)`\s*$")
_WIDGET_LOADER = re.compile(
    r"<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\).*?</script>", re.DOTALL
)


def _readme() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def link(match: re.Match[str]) -> str:
        label, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        if re.match(r"^[a-z]+://", target):
            return match.group(0)
        if target.startswith("docs/"):
            return f"[{label}]({target[len('docs/') :]}{anchor})"
        return label if label.startswith("`") else f"{label} (`{target}` in the repository)"

    return _LINK.sub(link, text)


def _api(markdown: str) -> str:
    out: list[str] = []
    current: str | None = None
    for line in markdown.splitlines():
        entry = _ENTRY.match(line)
        if (entry or line.startswith("#")) and current:
            out += ["", f"::: {current}", ""]
            current = None
        if entry:
            current = entry.group(1)
        out.append(line)
    if current:
        out += ["", f"::: {current}", ""]
    return "\n".join(out) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    path = page.file.src_uri
    if path == "index.md":
        return _readme()
    if path == "api.md":
        return _api(markdown)
    return markdown


def on_post_page(output: str, page: Any, config: Any) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        return _WIDGET_LOADER.sub("", output)
    return output
