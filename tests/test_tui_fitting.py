"""No value is shown cut into another: numbers fit their cells, text that must be shorter ends
in ``…``, and columns follow their content and the terminal's width (read off the drawn screen)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.tui.formatting import format_number, shorten
from tests.test_tui_snapshots import record, recorded_run, wrong_input_reason
from tests.tui_helpers import Clock, TuiRig, prompts_prepared, screen_lines
from tests.waiting import wait_on_pilot

SIZES = [(80, 24), (120, 40), (200, 50)]
LONGEST_TITLE = "Model from a learning dataset"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (5.798e-09, "5.798e-9"),
        (1.2e-9, "1.2e-9"),
        (0.0025, "0.0025"),
        (0.8934, "0.8934"),
        (0.24, "0.24"),
        (12345.0, "12345"),
        (1234567.0, "1.235e6"),
        (0.0, "0"),
        (75.0, "75"),
        (37.5, "37.5"),
    ],
)
def test_numbers_keep_four_significant_digits_and_go_scientific_when_tiny_or_huge(
    value: float, shown: str
) -> None:
    assert format_number(value) == shown


def test_a_narrow_number_loses_digits_never_its_exponent() -> None:
    assert format_number(5.798e-09, width=6) == "5.8e-9"
    assert format_number(5.798e-09, width=2) == "6e-9", "wider than asked, but whole"
    assert format_number(0.8934, width=4) == "0.89"


def test_shortened_text_ends_in_an_ellipsis_and_fits() -> None:
    assert shorten(LONGEST_TITLE, 40) == LONGEST_TITLE
    assert shorten(LONGEST_TITLE, 13) == "Model from a…"
    assert len(shorten(LONGEST_TITLE, 13)) == 13


def exam_row_title(lines: list[str], number: int) -> str:
    """The title in the Exam window's question list, as drawn (up to the Score column)."""
    for line in lines:
        found = re.search(rf"│ {number}\s+(\S.*?)\s{{2,}}(—|\d/5)", line)
        if found:
            return found.group(1)
    raise AssertionError("\n".join(lines))


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_question_titles_are_whole_where_there_is_room(
    rig: TuiRig, size: tuple[int, int]
) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=size) as pilot:
        await prompts_prepared(pilot)
        title = exam_row_title(screen_lines(app), 2)
        if size[0] >= 120:
            assert title == LONGEST_TITLE
        else:
            assert title.endswith("…") and LONGEST_TITLE.startswith(title[:-1]), title
            assert len(title) > 12, "the room there is goes to the title"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_run_window_value_is_never_cut(
    rig: TuiRig, models: dict[str, Path], size: tuple[int, int]
) -> None:
    session = rig.session()
    recorded_run(rig, session, "basic-model", 10.0, "Epoch 25/200\n", minutes=2.0,
                 state="failed", exit_code=1, epoch=25, epochs=200,
                 metrics={"loss": 5.798e-09}, peak_rss_mb=1530.0)  # fmt: skip
    app = rig.app(session, clock=Clock(frozen=session.started_at + 20 * 60))
    async with app.run_test(size=size) as pilot:
        await prompts_prepared(pilot)
        await pilot.press("v")
        [row] = await wait_on_pilot(
            pilot,
            lambda: [line for line in screen_lines(app) if "failed" in line and "Q1" in line],
            "the run's row in the run window",
            seen=lambda: screen_lines(app),
        )
        assert "25/200" in row and "5.798e-9" in row and "1530M" in row, row
        assert row.rstrip().endswith("│"), "the row ends inside the window"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_a_long_attempt_result_is_shortened_with_an_ellipsis(
    rig: TuiRig, models: dict[str, Path], size: tuple[int, int]
) -> None:
    session = rig.session()
    reason = wrong_input_reason(rig)
    record(rig, session, "learning-dataset", models["other.h5"], 5.0, reason=reason)
    app = rig.app(session, clock=Clock(frozen=session.started_at + 20 * 60))
    async with app.run_test(size=size) as pilot:
        await prompts_prepared(pilot)
        await pilot.press("2")
        [row] = await wait_on_pilot(
            pilot,
            lambda: [line for line in screen_lines(app) if "0:05:00" in line and "▏" in line],
            "question 2's attempt row",
            seen=lambda: screen_lines(app),
        )
        shown = row.split("—")[-1].strip(" │")
        assert len(shown) >= 8, row
        assert shown == reason or (shown.endswith("…") and reason.startswith(shown[:-1])), row
