"""The hostile cases: each one makes a file (or a path) for one input format.

A case is made at test time, in a temporary folder (nothing large is committed). Formats are
``appspec``, ``sam`` and ``scenario``; a *fragment* case puts one YAML value into a realistic file
of each format (where a number or a name is expected), a *document* or *bytes* case is the whole
file, and a *path* case is something that is not a readable regular file (a FIFO, a device, a
loop of symbolic links...).
"""

from __future__ import annotations

import codecs
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CASES", "FORMATS", "Case", "by_name"]

FORMATS = ("appspec", "sam", "scenario")

# Where a fragment goes: a value each reader checks (a version, a configuration, a rate).
_SKELETONS = {
    "appspec": "version: {f}\nos: linux\nfiles: []\n",
    "sam": (
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      FunctionName: orders\n"
        "      AutoPublishAlias: live\n"
        "      DeploymentPreference:\n"
        "        Type: {f}\n"
    ),
    "scenario": "platform: Lambda\nconfig: AllAtOnce\nname: hostile\ntraffic: {f}\n",
}


@dataclass(frozen=True)
class Case:
    """One hostile input. ``make(folder, fmt)`` creates it and returns its path."""

    name: str
    make: Callable[[Path, str], Path]
    slow: bool = False
    # The reader may accept it (an explicit !!str is fine); it must then not crash either.
    may_load: bool = False


def _fragment(name: str, text: str, **options: bool) -> Case:
    def make(folder: Path, fmt: str) -> Path:
        path = folder / f"{name}.{fmt}.yml"
        path.write_text(_SKELETONS[fmt].format(f=text), encoding="utf-8")
        return path

    return Case(name, make, **options)


def _document(name: str, text: str | Callable[[], str], **options: bool) -> Case:
    def make(folder: Path, fmt: str) -> Path:
        path = folder / f"{name}.{fmt}.yml"
        path.write_text(text() if callable(text) else text, encoding="utf-8")
        return path

    return Case(name, make, **options)


def _bytes(name: str, data: bytes | Callable[[str], bytes], **options: bool) -> Case:
    def make(folder: Path, fmt: str) -> Path:
        path = folder / f"{name}.{fmt}.yml"
        path.write_bytes(data(fmt) if callable(data) else data)
        return path

    return Case(name, make, **options)


def _path(name: str, make: Callable[[Path, str], Path], **options: bool) -> Case:
    return Case(name, make, **options)


# ------------------------------------------------------------------ generators
def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _merge_bomb() -> str:
    lines = ["m0: &m0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7}"]
    for i in range(1, 40):
        lines.append(f"m{i}: &m{i}\n  <<: [*m{i - 1}, *m{i - 1}]\n  x{i}: {i}")
    return "\n".join(lines) + "\n"


def _deep_block(depth: int = 200) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "v: 1\n"


def _wide(n: int) -> str:
    return "[" + ", ".join(["1"] * n) + "]\n"


def _big(size: int) -> Callable[[str], bytes]:
    def data(fmt: str) -> bytes:
        head = _SKELETONS[fmt].format(f="1").encode()
        return head + b"# " + b"x" * (size - len(head) - 3) + b"\n"

    return data


def _random_bytes(n: int) -> bytes:
    return random.Random(16).randbytes(n)


def _encoded(codec: str, bom: bytes = b"") -> Callable[[str], bytes]:
    def data(fmt: str) -> bytes:
        return bom + _SKELETONS[fmt].format(f="1").encode(codec)

    return data


def _fifo(folder: Path, fmt: str) -> Path:
    path = folder / f"fifo.{fmt}.yml"
    if not path.exists():
        os.mkfifo(path)
    return path


def _symlink_loop(folder: Path, fmt: str) -> Path:
    a, b = folder / f"loop-a.{fmt}.yml", folder / f"loop-b.{fmt}.yml"
    if not a.is_symlink():
        a.symlink_to(b)
        b.symlink_to(a)
    return a


def _dangling(folder: Path, fmt: str) -> Path:
    path = folder / f"dangling.{fmt}.yml"
    if not path.is_symlink():
        path.symlink_to(folder / "nowhere.yml")
    return path


def _directory(folder: Path, fmt: str) -> Path:
    path = folder / f"dir.{fmt}.yml"
    path.mkdir(exist_ok=True)
    return path


def _not_a_directory(folder: Path, fmt: str) -> Path:
    plain = folder / "plain-file"
    plain.write_text("a: 1\n")
    return plain / f"x.{fmt}.yml"


def _escape_in_name(folder: Path, fmt: str) -> Path:
    path = folder / f"evil\x1b]0;title\x07\x1b[2J.{fmt}.yml"
    path.write_text(_SKELETONS[fmt].format(f="1"), encoding="utf-8")
    return path


def _long_name(folder: Path, fmt: str) -> Path:
    return folder / ("x" * 5000 + f".{fmt}.yml")


_TAGS = {
    "tag-bool-maybe": '!!bool "maybe"',
    "tag-int-abc": '!!int "abc"',
    "tag-int-hex-empty": "!!int 0x",
    "tag-float-abc": '!!float "abc"',
    "tag-timestamp-garbage": '!!timestamp "garbage"',
    "tag-binary-bad": '!!binary "!!!"',
    "tag-null-text": '!!null "x"',
    "tag-str": '!!str "1"',
    "tag-set": "!!set {a, b}",
    "tag-omap": "!!omap [{a: 1}]",
    "tag-pairs": "!!pairs [{a: 1}]",
    "tag-seq-on-map": "!!seq {a: 1}",
    "tag-map-on-seq": "!!map [1]",
    "tag-merge-scalar": "!!merge x",
    "tag-value": "!!value x",
    "tag-python-object": "!!python/object/apply:os.system [echo pwned]",
    "tag-python-name": "!!python/name:os.system",
    "tag-verbatim": "!<tag:yaml.org,2002:int> abc",
    "tag-unknown-local": "!Unknown x",
    "tag-ref-list": "!Ref [a, b]",
    "tag-getatt-map": "!GetAtt {a: 1}",
    "tag-select-negative": "!Select [-1, [a, b]]",
    "tag-split-empty": "!Split ['', abc]",
    "tag-sub-deep": "!Sub " + "${" * 50 + "}" * 50,
}
_SCALARS = {
    "date-feb-30": "2001-02-30",
    "date-month-13": "2001-13-01",
    "date-time-garbage": "2001-02-03T25:61:61Z",
    "int-5000-digits": "9" * 5000,
    "int-hex-5000": "0x" + "f" * 5000,
    "int-sexagesimal": "1" + ":59" * 2000,
    "int-underscores": "1" + "_0" * 3000,
    "float-long": "1." + "1" * 5000,
    "float-1e999": "1.0e+999",
    "nan": ".nan",
    "inf": ".inf",
    "minus-inf": "-.inf",
    "int64-overflow": str(2**63),
    "huge-float": "1.0e+300",
    "negative": "-1",
    "empty": "",
    "null": "~",
    "bool": "yes",
    "escape-sequences": '"\\e]0;title\\a\\e[2J\\e[31mred"',
    "rtl-override": '"\\u202egnp.exe"',
    "passwd-path": "/etc/passwd",
    "very-long-string": '"' + "x" * 300_000 + '"',
    "flow-garbage": "[1, 2",
    "unterminated-quote": '"abc',
}

CASES: tuple[Case, ...] = (
    *(_fragment(name, text, may_load=name == "tag-str") for name, text in _TAGS.items()),
    *(_fragment(name, text) for name, text in _SCALARS.items()),
    _document("alias-bomb", _billion_laughs()),
    _document("merge-bomb", _merge_bomb()),
    _document("recursive-alias", "a: &a [*a]\n"),
    _document("many-aliases", "a: &a x\nb: [" + ", ".join(["*a"] * 1000) + "]\n"),
    _document("deep-block", _deep_block()),
    _document("deep-flow", "a: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    _document("deep-json", '{"a":' * 10_000 + "1" + "}" * 10_000),
    _document("deep-json-list", "[" * 100_000 + "]" * 100_000),
    _document("wide-list", _wide(60_000)),
    _document("duplicate-keys", "a: 1\na: 2\nb: {c: 1, c: 2}\n"),
    _document("multi-document", "a: 1\n---\nb: 2\n"),
    _document("empty-file", ""),
    _document("comments-only", "# nothing\n# here\n"),
    _document("null-root", "~\n"),
    _document("list-root", "- a\n- b\n"),
    _document("scalar-root", "just text\n"),
    _document("tabs", "a:\n\tb: 1\n"),
    _document("json-trailing-garbage", '{"a": 1} trailing'),
    _document("json-1e400", '{"version": 1e400, "a": [1e400, -1e400]}'),
    _document("json-lone-surrogate", '{"a": "\\ud800"}'),
    _document("directive-tag", "%TAG ! tag:yaml.org,2002:python/\n--- !object:os.system x\n"),
    _document("control-characters", "a: \x01\x02\x7f\n"),
    _document("escape-in-key", "\x1b[2J: 1\n"),
    _document("long-line", "a: " + "b" * 900_000 + "\n"),
    _document("template", "version: 0.0\nos: ${OS}\nfiles: {{files}}\n"),
    _bytes("nul-bytes", b"a: 1\x00\nb: 2\n"),
    _bytes("binary-random", _random_bytes(4096)),
    _bytes("invalid-utf8", b"a: \xff\xfe\xfd\n"),
    _bytes("latin-1", "a: caf\u00e9\n".encode("latin-1")),
    _bytes("shift-jis", "a: \u65e5\u672c\n".encode("shift_jis")),
    _bytes("utf16-le-no-bom", _encoded("utf-16-le")),
    _bytes("utf16-be-no-bom", _encoded("utf-16-be")),
    _bytes("utf16-le-bom", _encoded("utf-16-le", codecs.BOM_UTF16_LE), may_load=True),
    _bytes("utf16-be-bom", _encoded("utf-16-be", codecs.BOM_UTF16_BE), may_load=True),
    _bytes("utf32-le-bom", _encoded("utf-32-le", codecs.BOM_UTF32_LE), may_load=True),
    _bytes("utf32-be-bom", _encoded("utf-32-be", codecs.BOM_UTF32_BE), may_load=True),
    _bytes("utf8-bom", _encoded("utf-8", codecs.BOM_UTF8), may_load=True),
    _bytes("utf16-bom-lying", codecs.BOM_UTF16_LE + b"a\x00:\x00\x00\xd8"),
    _bytes("utf32-bom-lying", codecs.BOM_UTF32_BE + b"\x00\x11\x00\x00"),
    _bytes("bom-only", codecs.BOM_UTF8),
    _bytes("just-over-1mib", _big((1 << 20) + 1)),
    _bytes("size-50mb", _big(50 << 20), slow=True),
    _path("fifo", _fifo),
    _path("dev-zero", lambda folder, fmt: Path("/dev/zero")),
    _path("dev-null", lambda folder, fmt: Path("/dev/null")),
    _path("dev-urandom", lambda folder, fmt: Path("/dev/urandom")),
    _path("directory", _directory),
    _path("symlink-loop", _symlink_loop),
    _path("dangling-symlink", _dangling),
    _path("missing", lambda folder, fmt: folder / f"missing.{fmt}.yml"),
    _path("not-a-directory", _not_a_directory),
    _path("name-too-long", _long_name),
    _path("escape-in-file-name", _escape_in_name, may_load=True),
)


assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"


def by_name(name: str) -> Case:
    """The case called ``name``."""
    return next(case for case in CASES if case.name == name)
