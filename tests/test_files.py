"""The one file reader: regular files only, bounded reads, one decoding rule."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import pytest

from shiftsim._files import decode, read_text
from shiftsim._text import escape, excerpt
from shiftsim.errors import AppSpecError, FileError, ShiftsimError

LIMIT = 1 << 10


def read(path: str | os.PathLike[str]) -> str:
    return read_text(path, what="scenario file", limit=LIMIT)


def test_reads_a_regular_utf8_file(tmp_path: Path) -> None:
    file = tmp_path / "s.yml"
    file.write_bytes("platform: Lambda  # é\n".encode())
    assert read(file) == "platform: Lambda  # é\n"
    assert read(str(file)) == "platform: Lambda  # é\n"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_selects_the_encoding_and_is_dropped(
    tmp_path: Path, bom: bytes, codec: str
) -> None:
    file = tmp_path / "s.yml"
    file.write_bytes(bom + "a: é\n".encode(codec))
    assert read(file) == "a: é\n"


@pytest.mark.parametrize(
    "data",
    [b"a: 1\nb: \xff\n", "a: é\n".encode("latin-1"), "a: 1\n".encode("utf-16-le"), b"\0"],
)
def test_text_in_another_encoding_is_refused_with_its_line(tmp_path: Path, data: bytes) -> None:
    file = tmp_path / "s.yml"
    file.write_bytes(data)
    with pytest.raises(FileError, match=r"not valid UTF-8 text|holds a NUL") as info:
        read(file)
    assert info.value.source == str(file)
    assert info.value.line is not None


def test_a_lying_byte_order_mark_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "s.yml"
    file.write_bytes(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate
    with pytest.raises(FileError, match=r"UTF-16 \(little-endian\) text, as its byte order"):
        read(file)


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    file = tmp_path / "s.yml"
    file.write_bytes(b"a" * (LIMIT + 1))
    with pytest.raises(FileError, match=f"is {LIMIT + 1} bytes; shiftsim reads at most {LIMIT}"):
        read(file)


def test_errors_are_located_shiftsim_value_errors() -> None:
    assert issubclass(FileError, AppSpecError)
    assert issubclass(FileError, ShiftsimError)
    assert issubclass(FileError, ValueError)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="is a directory; shiftsim reads regular files only"):
        read(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    with pytest.raises(FileError, match=r"named pipe \(FIFO\)"):
        read(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_without_reading() -> None:
    with pytest.raises(FileError, match="is a character device"):
        read("/dev/zero")


def test_a_missing_file_and_a_symlink_loop_are_clean_errors(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no such file"):
        read(tmp_path / "missing.yml")
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(FileError, match="loop of symbolic links"):
        read(a)


def test_a_name_with_a_nul_byte_is_a_clean_error() -> None:
    with pytest.raises(FileError, match="embedded null"):
        read("a\x00b.yml")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file despite its mode"
)
def test_an_unreadable_file_is_a_clean_error(tmp_path: Path) -> None:
    file = tmp_path / "s.yml"
    file.write_text("a: 1\n")
    file.chmod(0)
    with pytest.raises(FileError, match="permission denied"):
        read(file)


def test_file_names_with_terminal_escapes_are_printed_escaped(tmp_path: Path) -> None:
    with pytest.raises(FileError) as info:
        read(tmp_path / "x\x1b]0;title\x07.yml")
    assert "\x1b" not in str(info.value)
    assert "\\x1b]0;title\\x07" in str(info.value)


def test_decode_reports_the_byte_offset() -> None:
    with pytest.raises(FileError, match="at byte 2") as info:
        decode(b"a\n\xff", "x.yml", "AppSpec file")
    assert info.value.line == 2


def test_excerpt_never_shows_more_than_a_short_escaped_piece() -> None:
    passwd = "root:x:0:0:root:/root:/bin/bash\n" * 100
    shown = excerpt(passwd)
    assert len(shown) < 120
    assert "(3200 chars)" in shown
    assert excerpt(10**5000) == "an integer of about 5001 digits"
    assert len(excerpt(list(range(10**5)))) < 100
    assert escape("a\x1b[2Jb") == "a\\x1b[2Jb"
