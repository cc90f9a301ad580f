"""Safe YAML and JSON loading with line numbers and hard limits (private).

This is the one loader of shiftsim: AppSpec files, SAM/CloudFormation templates and scenario
files all go through :func:`load_document`, with one set of hostile-input limits.
:func:`load_document` turns the text into plain Python values, as ``yaml.safe_load`` would, and
remembers the 1-based line of every value and mapping key, so that readers can say *where* a
problem is.

Only the YAML safe subset is constructed: null, bool, int, float, str, timestamp and binary
scalars, sequences and mappings (with ``<<`` merge keys). Python tags (``!!python/...``) and other
global tags are refused. Local tags such as CloudFormation's ``!Ref`` or ``!GetAtt`` are turned into
their long form (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``) and recorded in
:attr:`Document.tags`, so that callers can reject or accept them (:data:`SHORT_FORMS` lists
CloudFormation's; :func:`is_intrinsic` recognises the long forms).

Every scalar that YAML would construct into something else than text is checked: an explicit
``!!bool "maybe"``, ``!!int "abc"``, ``!!timestamp "garbage"``, a date that does not exist
(``2001-02-30``) and a number longer than :data:`MAX_NUMBER_CHARS` characters are refused with
their line, as are NUL bytes and other characters YAML does not allow.

Hostile input is refused quickly, before it can use much time or memory:

* :data:`MAX_BYTES` -- larger texts are refused before parsing;
* :data:`MAX_DEPTH` -- deeper nesting of sequences and mappings is refused while parsing;
* :data:`MAX_ALIASES` -- more alias uses (``*name``) are refused while parsing;
* :data:`MAX_NODES` -- more nodes, counting every expansion of an alias, are refused. This is
  what stops "billion laughs" documents, whose few nodes expand exponentially. Such a document
  is sized from the nodes the parser made, each once, and refused without being expanded.
* :data:`MAX_NUMBER_CHARS` -- longer numbers are refused before they are converted (Python's
  conversion of long digit strings is quadratic, and refused past 4,300 digits).

JSON is mostly YAML, and JSON-looking text (starting with ``{`` or ``[``) is checked with
:func:`json.loads` first, so JSON errors are reported as JSON errors. JSON may indent with tabs,
which YAML forbids; since valid JSON has no raw tab inside a string, the tabs are replaced by
spaces (keeping every line number) before the text is composed for its line numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from shiftsim._text import EXCERPT_CHARS, excerpt
from shiftsim.errors import AppSpecError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "SHORT_FORMS",
    "Document",
    "Path",
    "format_path",
    "is_intrinsic",
    "load_document",
]

#: Largest accepted text, in bytes of UTF-8 (1 MiB; CloudFormation's limit for a template in S3
#: is 1 MB). Real AppSpec and scenario files are a few hundred bytes.
MAX_BYTES = 1 << 20
#: Most sequence/mapping nesting levels accepted (real templates stay under 20).
MAX_DEPTH = 64
#: Most alias uses (``*name``) accepted in one document.
MAX_ALIASES = 100
#: Most nodes accepted, counting every expansion of every alias (the largest SAM template of
#: the corpus has about 1,500; reading 50,000 takes under a second).
MAX_NODES = 50_000
#: Longest int or float scalar accepted, in characters.
MAX_NUMBER_CHARS = 100

#: CloudFormation's short-form tags and the long form each becomes.
SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!GetAZs": "Fn::GetAZs",
    "!Cidr": "Fn::Cidr",
}

#: A key path inside a document: mapping keys and sequence indexes, from the root.
Path = tuple[Any, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)
_MERGE_TAG = _TAG + "merge"
_SEQ_TAG = _TAG + "seq"
_MAP_TAG = _TAG + "map"
_NUMBER_TAGS = frozenset((_TAG + "int", _TAG + "float"))
# Text that names a template engine's placeholder; used only to explain a parse error.
_TEMPLATE_MARK = re.compile(r"%\{[^}\n]*\}|\$\{[^}\n]*\}|\{\{[^}\n]*\}\}")
_KEY_WORD = re.compile(r"^[A-Za-z0-9_$:-]+$")


@dataclass(slots=True)
class Document:
    """A loaded document: plain values plus the line of every value and key.

    Attributes
    ----------
    value
        What ``yaml.safe_load`` would return (local tags in CloudFormation long form).
    source
        File name, or ``"<string>"``.
    format
        ``"yaml"`` or ``"json"``.
    lines
        Path -> 1-based line where the value at that path starts.
    key_lines
        Path -> 1-based line of the mapping key that leads to that path.
    raw
        Path -> source text of int and float scalars (``0644`` is read as octal 420).
    tags
        ``(path, tag, line)`` for every local tag such as ``!Ref``.
    duplicates
        ``(path, line)`` for every mapping key that appears twice; the earlier value is lost.
    notes
        ``(line, message)`` for problems the loader worked around, such as JSON-looking text
        that is only valid as YAML.
    """

    value: Any
    source: str
    format: str = "yaml"
    lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)
    tags: list[tuple[Path, str, int]] = field(default_factory=list)
    duplicates: list[tuple[Path, int]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def line(self, path: Path) -> int | None:
        """Line of the value at ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def value_at(self, path: Path) -> Any:
        """The value at ``path`` (``KeyError`` or ``IndexError`` when there is none)."""
        node = self.value
        for part in path:
            node = node[part]
        return node

    def key_line(self, path: Path) -> int | None:
        """Line of the key leading to ``path`` (the value's line for list items and the root)."""
        found = self.key_lines.get(path)
        return found if found is not None else self.line(path)


def format_path(path: Path) -> str:
    """Render a key path the way users write it: ``hooks.BeforeInstall[0].timeout``.

    Keys that are not simple words are quoted, and escaped and shortened like any excerpt of
    input: ``hooks['Before Install']``.

    Examples
    --------
    >>> format_path(("Resources", "Fn", "Properties", "Alarms", 0, "Fn::If", 1))
    'Resources.Fn.Properties.Alarms[0].Fn::If[1]'
    >>> format_path(("hooks", "Before Install"))
    "hooks['Before Install']"
    """
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and len(part) <= EXCERPT_CHARS and _KEY_WORD.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{excerpt(part)}]"
    return out


def is_intrinsic(value: object) -> bool:
    """Whether ``value`` is a CloudFormation intrinsic function in long form.

    That is a one-key mapping whose key is ``Ref``, ``Fn::...``, or ``Condition`` with a name
    (a condition reference inside ``Fn::And``/``Fn::Or``/``Fn::Not``).

    Examples
    --------
    >>> is_intrinsic({"Ref": "X"}), is_intrinsic({"Condition": "IsProd"}), is_intrinsic({"a": 1})
    (True, True, False)
    """
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    ((key, arg),) = value.items()
    return (
        key == "Ref"
        or (isinstance(key, str) and key.startswith("Fn::"))
        or (key == "Condition" and isinstance(arg, str))
    )


class _LimitError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class _CountingComposer(Composer):
    """PyYAML's composer with node, alias and depth limits."""

    def __init__(self) -> None:
        Composer.__init__(self)
        self._nodes = 0
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitError(
                    f"the document uses more than {MAX_ALIASES} YAML aliases (*name); "
                    "shiftsim refuses it to guard against alias bombs",
                    line,
                )
        else:
            self._nodes += 1
            if self._nodes > MAX_NODES:
                raise _LimitError(
                    f"the document has more than {MAX_NODES} YAML nodes; "
                    "shiftsim refuses it (an AppSpec file has a few dozen)",
                    line,
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitError(f"the document nests deeper than {MAX_DEPTH} levels", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PyLoader(_CountingComposer, yaml.SafeLoader):
    """Pure-Python safe loader with limits."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        _CountingComposer.__init__(self)


_LOADERS: list[type[Any]] = [_PyLoader]

if getattr(yaml, "__with_libyaml__", False):  # pragma: no branch - depends on the build
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _CLoader(_CountingComposer, CParser, SafeConstructor, Resolver):
        """libyaml's parser (fast) feeding the same Python composer, constructor and resolver."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CountingComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _LOADERS.insert(0, _CLoader)

_JSON_FLOAT = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$")


def _json_variant(base: type[Any]) -> type[Any]:
    # YAML 1.1 reads 1e5 as a string; JSON reads it as a number.
    cls: Any = type(base.__name__ + "Json", (base,), {})
    cls.add_implicit_resolver(_TAG + "float", _JSON_FLOAT, list("-0123456789"))
    return cls


_JSON_LOADERS = [_json_variant(base) for base in _LOADERS]


def _compose(text: str, *, json_mode: bool = False, pure: bool = False) -> tuple[Node | None, Any]:
    loaders = _JSON_LOADERS if json_mode else _LOADERS
    cls = loaders[-1] if pure else loaders[0]
    loader = cls(text)
    try:
        return loader.get_single_node(), loader
    finally:
        loader.dispose()


def load_document(text: str, source: str = "<string>", *, pure: bool = False) -> Document:
    """Load ``text`` safely, with line numbers.

    Parameters
    ----------
    text
        YAML or JSON text.
    source
        Name used in error messages.
    pure
        Use PyYAML's pure-Python parser even when libyaml is available (for tests).

    Raises
    ------
    AppSpecError
        The text is too large, not valid YAML/JSON, empty, or breaks one of the limits.
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise AppSpecError(
            f"the text is larger than {MAX_BYTES} bytes (1 MiB); shiftsim parses no larger "
            "YAML or JSON document",
            source=source,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    json_mode = text.lstrip()[:1] in ("{", "[")
    notes: list[tuple[int, str]] = []
    try:
        if json_mode:
            root, loader = _load_json_like(text, source, pure, notes)
        else:
            root, loader = _compose(text, pure=pure)
    except _LimitError as err:
        raise AppSpecError(str(err), source=source, line=err.line) from None
    except yaml.YAMLError as err:
        raise _yaml_error(err, text, source) from err
    if root is None:
        raise AppSpecError("the file is empty (no YAML or JSON document)", source=source, line=1)
    # A document refused for sure: find the same error, at the same line, without building the
    # expansion (a billion laughs would otherwise be built up to MAX_NODES nodes).
    refused = bool(loader._aliases) and _expands_past_limit(root)
    builder = (_RefusalFinder if refused else _Builder)(source, loader)
    try:
        value = builder.convert(root, (), 0)
    except _LimitError as err:
        raise AppSpecError(str(err), source=source, line=err.line) from None
    assert not refused, "a document that expands past MAX_NODES converted without an error"
    return Document(
        value=value,
        source=source,
        format="json" if json_mode else "yaml",
        lines=builder.lines,
        key_lines=builder.key_lines,
        raw=builder.raw,
        tags=builder.tags,
        duplicates=builder.duplicates,
        notes=notes,
    )


def _load_json_like(
    text: str, source: str, pure: bool, notes: list[tuple[int, str]]
) -> tuple[Node | None, Any]:
    try:
        json.loads(text)
    except RecursionError:
        # Too deep for json; the composer refuses it past MAX_DEPTH, with the line.
        _compose(text, pure=pure)
        raise _LimitError(f"the document nests deeper than {MAX_DEPTH} levels", None) from None
    except json.JSONDecodeError as err:
        message = f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        bare = re.match(r"<[A-Za-z0-9_.-]+>", text[err.pos :])
        if bare:
            message += f"; the placeholder {bare.group()} must be quoted to be valid JSON"
        # YAML's flow style is more lenient (unquoted words, trailing commas): read it as YAML
        # if that works, and keep the JSON error as a note.
        try:
            found = _compose(text, pure=pure)
        except yaml.YAMLError:
            raise AppSpecError(
                message + _template_hint(text), source=source, line=err.lineno
            ) from err
        notes.append((err.lineno, message + "; read as YAML instead"))
        return found
    # Valid JSON has no raw tab inside strings, so this keeps values and line numbers.
    return _compose(text.replace("\t", " "), json_mode=True, pure=pure)


def _yaml_error(err: yaml.YAMLError, text: str, source: str) -> AppSpecError:
    line: int | None = None
    found = ""
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        if mark is not None:
            line = mark.line + 1
            row = text.split("\n")[mark.line] if mark.line < text.count("\n") + 1 else ""
            found = row[mark.column] if mark.column < len(row) else ""
        problem = err.problem or "cannot parse"
        if found and "character" in problem and "'" not in problem:
            # libyaml does not name the character; PyYAML does.
            problem = problem.replace("character", f"character {found!r}", 1)
        context = f" ({err.context})" if err.context else ""
        message = f"not valid YAML: {problem}{context}"
        if "maximum nesting depth" in problem:  # libyaml's own limit (1000 flow levels)
            message = f"the document nests deeper than {MAX_DEPTH} levels"
        if isinstance(err, yaml.composer.ComposerError) and "single document" in str(err.context):
            message = "the file holds more than one YAML document (---); an AppSpec is one document"
    elif isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position) + 1
        char = chr(err.character) if isinstance(err.character, int) else err.character
        message = f"not valid YAML: {err.reason} (character {char!r})"
    else:  # pragma: no cover - every PyYAML error is one of the above
        message = f"not valid YAML: {err}"
    if found == "\t":
        message += "; YAML does not allow tabs for indentation, use spaces"
    return AppSpecError(message + _template_hint(text), source=source, line=line)


def _template_hint(text: str) -> str:
    found = _TEMPLATE_MARK.search(text)
    if found is None:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    return (
        f". The file looks like an unrendered template ({found.group()!r} at line {line}); "
        "render it before loading it"
    )


class _Builder:
    """Turns composed nodes into plain values, counting every alias expansion."""

    def __init__(self, source: str, constructor: Any) -> None:
        self.source = source
        self.constructor = constructor
        self.count = 0
        self.active: set[int] = set()
        self.lines: dict[Path, int] = {}
        self.key_lines: dict[Path, int] = {}
        self.raw: dict[Path, str] = {}
        self.tags: list[tuple[Path, str, int]] = []
        self.duplicates: list[tuple[Path, int]] = []

    def convert(self, node: Node, path: Path, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.count += 1
        if self.count > MAX_NODES:
            raise _LimitError(
                f"the document expands to more than {MAX_NODES} nodes (through YAML aliases); "
                "shiftsim refuses it to guard against alias bombs",
                line,
            )
        if depth > MAX_DEPTH:
            raise _LimitError(f"the document nests deeper than {MAX_DEPTH} levels", line)
        self.lines[path] = line
        tag = node.tag
        if tag.startswith("!"):
            return self._local_tag(node, path, depth, line)
        if isinstance(node, ScalarNode):
            if tag in _NUMBER_TAGS:
                self.raw[path] = node.value
            return self.scalar(node, line)
        if id(node) in self.active:
            raise AppSpecError(
                "a YAML alias refers to a node that contains it (a recursive alias)",
                source=self.source,
                line=line,
            )
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if tag != _SEQ_TAG:
                    raise self._bad_tag(tag, line)
                return [
                    self.convert(child, (*path, index), depth + 1)
                    for index, child in enumerate(node.value)
                ]
            if tag != _MAP_TAG:
                raise self._bad_tag(tag, line)
            return self._mapping(node, path, depth, line)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: Node, path: Path, depth: int, line: int) -> dict[Any, Any]:
        assert isinstance(node, MappingNode)
        result: dict[Any, Any] = {}
        merges = [value for key, value in node.value if key.tag == _MERGE_TAG]
        for merge in reversed(merges):
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in reversed(sources):
                merged = self.convert(source, path, depth)
                if not isinstance(merged, dict):
                    raise AppSpecError(
                        "a YAML merge key (<<) must refer to a mapping or a list of mappings",
                        source=self.source,
                        line=source.start_mark.line + 1,
                    )
                result.update(merged)
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise AppSpecError(
                    "a mapping key must be a plain value, not a list or a mapping",
                    source=self.source,
                    line=key_line,
                )
            key: Any = (
                key_node.value if key_node.tag.startswith("!") else self.scalar(key_node, key_line)
            )
            child = (*path, key)
            if key in seen:
                self.duplicates.append((child, seen[key]))
            seen[key] = key_line
            self.key_lines[child] = key_line
            result[key] = self.convert(value_node, child, depth + 1)
        self.lines[path] = line
        return result

    def _local_tag(self, node: Node, path: Path, depth: int, line: int) -> Any:
        name = node.tag[1:]
        self.tags.append((path, node.tag, line))
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        inner_path = (*path, key)
        self.lines[inner_path] = line
        if isinstance(node, ScalarNode):
            inner: Any = node.value
            if name == "GetAtt" and "." in inner:
                inner = inner.split(".", 1)
        elif isinstance(node, SequenceNode):
            inner = [
                self.convert(child, (*inner_path, index), depth + 1)
                for index, child in enumerate(node.value)
            ]
        else:
            retagged = MappingNode(_MAP_TAG, node.value, node.start_mark, node.end_mark)
            inner = self._mapping(retagged, inner_path, depth + 1, line)
        return {key: inner}

    def scalar(self, node: ScalarNode, line: int) -> Any:
        """The value of a scalar node, or a located error saying why it has none."""
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            raise self._bad_tag(tag, line)
        text = node.value
        if tag in _NUMBER_TAGS and len(text) > MAX_NUMBER_CHARS:
            raise AppSpecError(
                f"the number {excerpt(text, 40)} is longer than {MAX_NUMBER_CHARS} characters; "
                "no field of shiftsim's files takes one that long (quote it to make it text)",
                source=self.source,
                line=line,
            )
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as err:
            raise self._bad_scalar(node, line, err) from None
        except yaml.YAMLError as err:
            raise AppSpecError(
                f"cannot read {excerpt(text, 40)} as {_TAG_NAMES.get(tag, tag)}: "
                f"{getattr(err, 'problem', None) or err}",
                source=self.source,
                line=line,
            ) from None

    def _bad_scalar(self, node: ScalarNode, line: int, err: Exception) -> AppSpecError:
        tag = node.tag
        name = _TAG_NAMES.get(tag, tag)
        shown = excerpt(node.value, 40)
        if tag == _TAG + "timestamp":
            detail = str(err) if isinstance(err, ValueError) else "not in YYYY-MM-DD form"
            message = (
                f"{shown} is read as a YAML date but is not a valid one ({excerpt(detail)[1:-1]}); "
                "quote it to make it text"
            )
        elif tag == _TAG + "bool":
            message = f"{shown} is not a YAML boolean (true or false) for the !!bool tag"
        else:
            reason = str(err) if isinstance(err, ValueError) and str(err) else "invalid"
            message = f"cannot read {shown} as {name} ({excerpt(reason, 60)[1:-1]})"
        return AppSpecError(message, source=self.source, line=line)

    def _bad_tag(self, tag: str, line: int) -> AppSpecError:
        return AppSpecError(
            f"unsupported YAML tag {excerpt(tag)}; shiftsim reads only plain YAML "
            "(the safe subset)",
            source=self.source,
            line=line,
        )


def _children(node: Node) -> list[Node]:
    """The nodes :meth:`_Builder.convert` converts for ``node``, in its order: a sequence's
    items; a mapping's merge sources (last first) and then the values of its other keys."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if not isinstance(node, MappingNode):
        return []
    merges = [value for key, value in node.value if key.tag == _MERGE_TAG]
    out: list[Node] = []
    for merge in reversed(merges):
        out.extend(reversed(merge.value) if isinstance(merge, SequenceNode) else [merge])
    out.extend(value for key, value in node.value if key.tag != _MERGE_TAG)
    return out


def _expands_past_limit(root: Node) -> bool:
    """Whether converting ``root`` would convert more than MAX_NODES nodes, counting every
    expansion of every alias, or meet an alias that refers to a node containing it.

    Each distinct node is sized once (its size is 1 plus its children's), so this takes time
    in the number of nodes the parser made, not in the size of the expansion.
    """
    cap = MAX_NODES + 1
    size: dict[int, int] = {}
    on_path = {id(root)}
    stack = [(root, iter(_children(root)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if id(child) in size:
                continue
            if id(child) in on_path:
                return True  # a recursive alias: refused
            on_path.add(id(child))
            stack.append((child, iter(_children(child))))
            break
        else:
            stack.pop()
            on_path.discard(id(node))
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total >= cap:
                return True
            size[id(node)] = total
    return False


class _RefusalFinder(_Builder):
    """A :class:`_Builder` for a document that is refused: it raises the error the builder
    would raise, at the same line, but converts each node at most once where it can.

    A node converted once without error converts again without error wherever an alias puts
    it, as long as that does not nest it too deep (its own errors, tags and scalars, do not
    depend on where it is, and it cannot contain the nodes around it: that would have been a
    recursive alias). So a second conversion only counts its nodes, and when the count passes
    MAX_NODES inside it, the node the builder would have stopped at is found from the sizes.
    """

    def __init__(self, source: str, constructor: Any) -> None:
        super().__init__(source, constructor)
        # id(node) -> (nodes converted, levels below it, value) of each node converted.
        self.done: dict[int, tuple[int, int, Any]] = {}
        self.deepest = 0

    def convert(self, node: Node, path: Path, depth: int) -> Any:
        done = self.done.get(id(node))
        if done is not None and depth + done[1] <= MAX_DEPTH:
            size, height, value = done
            if self.count + size > MAX_NODES:
                self._refuse_inside(node, MAX_NODES + 1 - self.count)
            self.count += size
            self.deepest = max(self.deepest, depth + height)
            return value
        count, deepest = self.count, self.deepest
        self.deepest = depth
        value = super().convert(node, path, depth)
        self.done[id(node)] = (self.count - count, self.deepest - depth, value)
        self.deepest = max(deepest, self.deepest)
        return value

    def _refuse_inside(self, node: Node, nth: int) -> None:
        """Raise the node-count error at the ``nth`` node (1: ``node`` itself) that
        converting ``node`` converts."""
        while nth > 1:
            nth -= 1
            for child in _children(node):
                size = self.done[id(child)][0]
                if nth <= size:
                    node = child
                    break
                nth -= size
        self.count = MAX_NODES
        super().convert(node, (), 0)  # counts one node more: raises with the builder's message
        raise AssertionError("unreachable: the node count is past MAX_NODES")  # pragma: no cover


_TAG_NAMES = {
    _TAG + "bool": "a !!bool (true or false)",
    _TAG + "int": "an !!int",
    _TAG + "float": "a !!float",
    _TAG + "timestamp": "a !!timestamp (a date or a date and time)",
    _TAG + "binary": "!!binary (base64)",
    _TAG + "null": "!!null",
    _TAG + "str": "!!str",
}
