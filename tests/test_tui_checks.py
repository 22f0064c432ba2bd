"""The exam screen with ``--feedback checks``: the attempt's detail line shows its checks live."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Static

from simulator.session.sessions import set_feedback
from simulator.tui.exam_window import QuestionsTable
from tests.tui_helpers import TuiRig, exam_started, screen_lines, table_rows, text_of, wait_until


async def test_the_detail_line_shows_the_checks_and_the_margin_to_the_next_line(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = set_feedback(rig.store, rig.session(), "checks")
    app = rig.app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await exam_started(pilot)
        shutil.copyfile(models["close.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(
            pilot,
            lambda: table_rows(app.query_one(QuestionsTable))[0][2].startswith("4/5"),
            what="a 4/5 score",
        )
        await wait_until(
            pilot,
            lambda: "✓" in text_of(app.query_one("#attempt-detail", Static)),
            what="the attempt's checks in the detail line",
        )
        detail = text_of(app.query_one("#attempt-detail", Static))
        assert "✓ file ✓ no Lambda ✓ loads ✓ shapes ✓ predicts ✓ output ✗ score lines" in detail
        assert "0.0015 short of the 5/5 line (mse at most 0.001)" in detail
        screen = "\n".join(screen_lines(app))
        assert "✗ score lines" in screen  # readable at 80x24, not clipped away


async def test_by_default_the_detail_line_shows_the_score_message(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await exam_started(pilot)
        shutil.copyfile(models["close.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(
            pilot,
            lambda: table_rows(app.query_one(QuestionsTable))[0][2].startswith("4/5"),
            what="a 4/5 score",
        )
        await wait_until(
            pilot,
            lambda: "mse" in text_of(app.query_one("#attempt-detail", Static)),
            what="the attempt's message in the detail line",
        )
        detail = text_of(app.query_one("#attempt-detail", Static))
        assert "mse 0.0025" in detail and "✓" not in detail
