"""The one way shiftsim reads a file (private).

:func:`read_text` is used for every file shiftsim opens (AppSpec files, SAM templates, scenario
files). It refuses, with a :class:`~shiftsim.errors.FileError` naming the file, what it is and the
rule, anything but a readable regular file of at most ``limit`` bytes in a supported encoding:

* ``os.stat`` first: directories, named pipes (FIFOs), devices and sockets are refused before the
  file is opened, so a FIFO with no writer never blocks and ``/dev/zero`` is never read; a missing
  file, a loop of symbolic links or a permission problem is reported, not raised as ``OSError``.
* The file is opened non-blocking and checked again (it may have been replaced since ``stat``).
* The size is checked before reading and enforced while reading: at most ``limit + 1`` bytes are
  ever read, so a file that grows meanwhile cannot use more memory.
* One decoding rule: UTF-8, or UTF-8, UTF-16 or UTF-32 (either byte order) when the file starts
  with that encoding's byte order mark. The mark is not part of the text.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat

from shiftsim.errors import FileError

__all__ = ["BOMS", "decode", "read_text"]

#: Byte order marks and their codecs, longest first (UTF-32-LE's mark starts with UTF-16-LE's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_RULE = "shiftsim reads regular files only"


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str,
    limit: int,
    source: str | None = None,
    why: str = "",
) -> str:
    """The text of the regular file at ``path``, refusing anything else with a located error.

    Parameters
    ----------
    path
        The file.
    what
        What the file should be, for messages: ``"AppSpec file"``, ``"scenario file"``.
    limit
        Largest accepted size in bytes.
    source
        Name of the file in messages (default: ``path``).
    why
        Why ``limit`` is what it is, appended to the size message (``"CloudFormation's limit"``).

    Raises
    ------
    FileError
        The file is missing, unreadable, not a regular file, larger than ``limit`` bytes, or not
        text in a supported encoding. Its ``source`` is the file name; ``line`` is set for
        decoding errors.

    Examples
    --------
    >>> read_text("/dev/null", what="scenario file", limit=1 << 20)
    Traceback (most recent call last):
    ...
    shiftsim.errors.FileError: /dev/null: the scenario file is a character device; shiftsim ...
    """
    name = os.fspath(path) if source is None else source
    try:
        info = os.stat(path)
    except OSError as err:
        raise _os_error(err, name, what) from None
    except ValueError as err:  # an embedded NUL character
        raise FileError(f"cannot open the {what}: {err}", source=name) from None
    _check_kind(info.st_mode, name, what)
    _check_size(info.st_size, name, what, limit, why)
    data = _read_bytes(path, name, what, limit)
    _check_size(len(data), name, what, limit, why)
    return decode(data, name, what)


def _read_bytes(path: str | os.PathLike[str], name: str, what: str, limit: int) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise _os_error(err, name, what) from None
    try:
        _check_kind(os.fstat(fd).st_mode, name, what)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise _os_error(err, name, what) from None
    finally:
        os.close(fd)


def decode(data: bytes, source: str, what: str) -> str:
    """``data`` decoded by the one rule (UTF-8; UTF-8/16/32 with a byte order mark).

    Text never holds a NUL character; one means a binary file or UTF-16/32 without a mark.

    Raises
    ------
    FileError
        The bytes are not valid in the encoding (the error gives the line and byte offset), or
        the text holds a NUL character.
    """
    encoding = "utf-8"
    start = 0
    for bom, codec in BOMS:
        if data.startswith(bom):
            encoding, start = codec, len(bom)
            break
    body = data[start:]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        line = body[: err.start].decode(encoding, "replace").count("\n") + 1
        label = encoding.upper().replace("-LE", " (little-endian)").replace("-BE", " (big-endian)")
        marked = "" if start == 0 else ", as its byte order mark says"
        rule = (
            "shiftsim reads UTF-8 text, or UTF-8/UTF-16/UTF-32 text that starts with a byte "
            "order mark"
        )
        raise FileError(
            f"the {what} is not valid {label} text{marked} ({err.reason} at byte "
            f"{start + err.start}); {rule}",
            source=source,
            line=line,
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        raise FileError(
            f"the {what} holds a NUL character (text character {nul}): it is a binary file, or "
            "UTF-16/UTF-32 text without a byte order mark; shiftsim reads UTF-8 text, or "
            "UTF-8/UTF-16/UTF-32 text that starts with a byte order mark",
            source=source,
            line=text.count("\n", 0, nul) + 1,
        )
    return text


def _check_kind(mode: int, name: str, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
    raise FileError(f"the {what} is {kind}; {_RULE}", source=name)


def _check_size(size: int, name: str, what: str, limit: int, why: str) -> None:
    if size > limit:
        shown = f"{size} bytes" if size <= limit * 2 else f"more than {limit} bytes"
        reason = f" ({why})" if why else ""
        raise FileError(
            f"the {what} is {shown}; shiftsim reads at most {limit} bytes{reason}",
            source=name,
        )


def _os_error(err: OSError, name: str, what: str) -> FileError:
    reasons = {
        errno.ENOENT: "no such file",
        errno.ENOTDIR: "no such file (a part of the path is not a directory)",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "a loop of symbolic links",
        errno.ENAMETOOLONG: "the file name is too long",
        errno.EISDIR: "a directory",
    }
    reason = reasons.get(err.errno or 0, err.strerror or type(err).__name__)
    return FileError(f"cannot read the {what}: {reason}", source=name)
