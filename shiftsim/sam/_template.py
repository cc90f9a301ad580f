"""SAM templates: loading a template through the one reader and loader (private)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shiftsim._checks import suggest
from shiftsim._files import read_text
from shiftsim._text import escape, excerpt
from shiftsim._yaml import SHORT_FORMS, Document, format_path, load_document
from shiftsim.errors import AppSpecError, ConfigError
from shiftsim.sam._keys import (
    MAX_TEMPLATE_BYTES,
    Path_,
)

__all__ = ["Template", "load_template"]


@dataclass(frozen=True, slots=True, eq=False)
class Template:
    """A loaded template: its root mapping, where it came from and the lines of its values."""

    root: Mapping[str, Any]
    source: str
    doc: Document | None = None

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest node of ``path`` that the template has, if known."""
        if self.doc is None:
            return None
        return self.doc.key_line(tuple(path))

    def error(self, message: str, path: Path_) -> AppSpecError:
        return AppSpecError(
            message, source=self.source, line=self.line_of(path), path=format_path(path)
        )

    def __repr__(self) -> str:
        resources = self.root.get("Resources")
        count = len(resources) if isinstance(resources, Mapping) else 0
        return f"<Template {escape(self.source)}: {count} resources>"

    def where(self, path: Path_) -> str:
        line = self.line_of(path)
        shown = escape(self.source)
        loc = shown if line is None else f"{shown}:{line}"
        return f"{loc} at {format_path(path)}"


def load_template(template: str | os.PathLike[str] | Mapping[str, Any]) -> Template:
    """Read a SAM or CloudFormation template from a file, YAML/JSON text, or a mapping.

    A :class:`pathlib.Path` (any path-like object) is a file; a ``str`` is always the template's
    text, never opened as a file. A ``str`` that reads as a single line of text rather than a
    template is refused with an error saying it was taken for text (pass ``Path(name)`` to read
    the file of that name).

    The file is read with shiftsim's one reader (regular files of at most
    :data:`MAX_TEMPLATE_BYTES` bytes, UTF-8 or marked UTF-16/32) and the text with its one
    YAML/JSON loader and limits (:mod:`shiftsim._yaml`): CloudFormation's short-form tags
    become their long forms, and a duplicate key is an error, as in CloudFormation.

    Raises
    ------
    AppSpecError
        For text that is not YAML or JSON, too large, an unknown ``!Tag``, a duplicate key, or a
        root that is not a mapping; the error carries the file and line. Files that cannot be
        read raise its subclass :class:`~shiftsim.errors.FileError`.

    Examples
    --------
    >>> t = load_template("Resources:\\n  Topic:\\n    Type: AWS::SNS::Topic\\n    Properties:"
    ...                   "\\n      TopicName: !Sub '${AWS::StackName}-alerts'")
    >>> t.root["Resources"]["Topic"]["Properties"]["TopicName"]
    {'Fn::Sub': '${AWS::StackName}-alerts'}
    >>> t.line_of(("Resources", "Topic", "Properties", "TopicName"))
    5
    >>> load_template("template.yaml")
    Traceback (most recent call last):
    ...
    shiftsim.errors.AppSpecError: <string>:1: the template was given as a str, so it was read as \
template text, ...; to read the file of that name pass pathlib.Path('template.yaml')
    """
    if isinstance(template, Template):
        return template
    if isinstance(template, Mapping):
        return Template(template, "<dict>")
    if isinstance(template, os.PathLike):
        source = os.fspath(template)
        if not isinstance(source, str):
            raise ConfigError(f"from_sam: template path must be text; got {excerpt(source)}.")
        text = read_text(
            template,
            what="SAM template",
            limit=MAX_TEMPLATE_BYTES,
            why="CloudFormation's limit for a template in S3 is 1 MB",
        )
    elif isinstance(template, str):
        source, text = "<string>", template
    else:
        raise ConfigError(
            "from_sam: template must be a pathlib.Path, YAML/JSON text or a mapping; "
            f"got {type(template).__name__}."
        )
    doc = load_document(text, source)
    _check_loaded(doc, isinstance(template, str))
    return Template(doc.value, source, doc)


def _check_loaded(doc: Document, given_as_text: bool) -> None:
    """SAM's rules on top of the loader: duplicate keys and unknown tags are errors, and
    JSON-looking text must be JSON."""
    for line, note in doc.notes:
        raise AppSpecError(note.replace("; read as YAML instead", ""), source=doc.source, line=line)
    for path, first in doc.duplicates:
        raise AppSpecError(
            f"duplicate key {excerpt(path[-1])} (first at line {first}); CloudFormation rejects it",
            source=doc.source,
            line=doc.key_line(path),
            path=format_path(path),
        )
    for path, tag, line in doc.tags:
        if tag not in SHORT_FORMS:
            hint = suggest(tag, SHORT_FORMS)
            raise AppSpecError(
                f"unknown tag {excerpt(tag)}; CloudFormation's short forms are "
                f"{', '.join(SHORT_FORMS)}" + (f" ({hint})" if hint else ""),
                source=doc.source,
                line=line,
            )
        if tag in ("!Ref", "!Condition"):
            (arg,) = doc.value_at(path).values()
            if not isinstance(arg, str):
                raise AppSpecError(
                    f"{tag} takes a name (a scalar); got {excerpt(arg)}",
                    source=doc.source,
                    line=line,
                )
    root = doc.value
    if isinstance(root, Mapping):
        if "Mappings" in root and not isinstance(root["Mappings"], Mapping):
            # SAM:samtranslator/translator/translator.py hands template.get("Mappings", {}) to
            # IntrinsicsResolver, which refuses null or a non-mapping (intrinsics/resolver.py).
            raise AppSpecError(
                "the Mappings section must be a mapping of map names to mappings; got "
                f"{'null' if root['Mappings'] is None else excerpt(root['Mappings'])} "
                "(SAM refuses it)",
                source=doc.source,
                line=doc.key_line(("Mappings",)),
                path="Mappings",
            )
        return
    if given_as_text and isinstance(root, str) and "\n" not in root.strip():
        raise AppSpecError(
            "the template was given as a str, so it was read as template text, and that text "
            f"is the single value {excerpt(root)} rather than a template; to read the file of "
            f"that name pass pathlib.Path({excerpt(root)})",
            source=doc.source,
            line=1,
        )
    raise AppSpecError(
        "a template must be a mapping with a Resources section; got "
        f"{'a list' if isinstance(root, list) else excerpt(root)}",
        source=doc.source,
        line=1,
    )
