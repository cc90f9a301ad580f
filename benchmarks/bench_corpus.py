"""Time reading and validating every file of the AppSpec corpus, best of 5.

Usage::

    .venv/bin/python benchmarks/bench_corpus.py [CORPUS_FOLDER]

The corpus defaults to ``../shared/corpus`` beside the repository. Every file under server/,
lambda/, ecs/ and sam/ goes through :func:`shiftsim.appspec.validate` (read, parse, check). The
script also times the parse alone with PyYAML's pure-Python parser (the fallback when libyaml is
missing) and the refusal of a "billion laughs" document.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from shiftsim import _yaml
from shiftsim.appspec import validate
from shiftsim.errors import AppSpecError

REPEATS = 5
FOLDERS = ("server", "lambda", "ecs", "sam")
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Shortest wall time of ``repeats`` runs of ``work``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    corpus = Path(argv[0]) if argv else default
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    files = sorted(p for folder in FOLDERS for p in (corpus / folder).iterdir() if p.is_file())
    texts = [p.read_text(encoding="utf-8-sig") for p in files]

    def validate_all() -> None:
        for path in files:
            validate(path)

    def parse_pure() -> None:
        for text in texts:
            with contextlib.suppress(AppSpecError):
                _yaml.load_document(text, pure=True)

    def refuse_laughs() -> None:
        try:
            _yaml.load_document(LAUGHS)
        except AppSpecError:
            return
        raise AssertionError("the billion laughs document was accepted")

    libyaml = "libyaml" if getattr(yaml, "__with_libyaml__", False) else "pure Python"
    total = best_of(REPEATS, validate_all)
    print(
        f"validate(): {len(files)} files in {total * 1e3:.1f} ms, best of {REPEATS} "
        f"({total / len(files) * 1e6:.0f} us per file; parser: {libyaml})"
    )
    pure = best_of(REPEATS, parse_pure)
    print(f"parse only, pure-Python PyYAML: {pure * 1e3:.1f} ms")
    laughs = best_of(REPEATS, refuse_laughs)
    print(f"billion laughs refused in {laughs * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
