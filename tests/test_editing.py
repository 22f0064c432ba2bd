"""Saving and checking files as the editor tabs do, without Textual."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.session.editing import (
    MAX_EDIT_BYTES,
    DiskState,
    NotEditableError,
    indent_for_next_line,
    read_for_editing,
    save_atomically,
    syntax_problem,
    toggle_comment,
)


def test_a_save_replaces_the_file_whole_keeps_its_mode_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    path = tmp_path / "starter.py"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o600)
    inode_before = path.stat().st_ino
    state = save_atomically(path, "new text ✓\n")
    assert path.read_text(encoding="utf-8") == "new text ✓\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.stat().st_ino != inode_before, "a new file renamed over the old one"
    assert state == DiskState.of(path)
    assert [p.name for p in tmp_path.iterdir()] == ["starter.py"]


def test_a_failed_save_leaves_the_file_as_it_was_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "starter.py"
    path.write_text("kept\n", encoding="utf-8")

    def disk_full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("simulator.session.editing.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_atomically(path, "lost\n")
    assert path.read_text(encoding="utf-8") == "kept\n"
    assert [p.name for p in tmp_path.iterdir()] == ["starter.py"], "the temporary file is gone"


def test_files_that_cannot_be_edited_in_a_tab_say_why(tmp_path: Path) -> None:
    binary = tmp_path / "mymodel.h5"
    binary.write_bytes(b"\x89HDF\r\n\x1a\n\0\0\0")
    with pytest.raises(NotEditableError, match="not a text file"):
        read_for_editing(binary)
    latin = tmp_path / "notes.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(NotEditableError, match="not UTF-8"):
        read_for_editing(latin)
    big = tmp_path / "data.csv"
    with big.open("wb") as out:
        out.truncate(MAX_EDIT_BYTES + 1)
    with pytest.raises(NotEditableError, match="too large to edit here"):
        read_for_editing(big)
    text = tmp_path / "train.py"
    text.write_text("print('é')\n", encoding="utf-8")
    assert read_for_editing(text) == "print('é')\n"


def test_the_syntax_check_names_the_line_python_would_stop_at() -> None:
    assert syntax_problem("x = 1\n", "a.py") is None
    problem = syntax_problem("x = 1\ndef f(:\n    pass\n", "a.py")
    assert problem is not None and problem.line == 2 and "line 2" in str(problem)


def test_comments_toggle_at_the_common_indent_and_come_off_again() -> None:
    lines = ["    a = 1", "", "        b = 2"]
    commented = toggle_comment(lines)
    assert commented == ["    # a = 1", "", "    #     b = 2"]
    assert toggle_comment(commented) == lines
    assert toggle_comment(["#x", "  # y"]) == ["x", "  y"]


def test_a_new_line_keeps_the_indentation_one_level_deeper_after_a_colon() -> None:
    assert indent_for_next_line("    x = 1") == "    "
    assert indent_for_next_line("def f():") == "    "
    assert indent_for_next_line("    if a:  # comment") == "        "
    assert indent_for_next_line("") == ""
