"""The exam screen with ``--feedback checks``: the attempt's detail line shows its checks live."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from simulator.session.sessions import set_feedback
from simulator.storage.records import Feedback
from simulator.tui.exam_window import QuestionsTable
from tests.tui_helpers import TuiRig, exam_started, screen_lines, table_rows, text_of, wait_until


@pytest.mark.parametrize(
    ("feedback", "shown", "on_screen", "hidden"),
    [
        pytest.param(
            "checks",
            (
                "✓ file ✓ no Lambda ✓ loads ✓ shapes ✓ predicts ✓ output ✗ score lines",
                "0.0015 short of the 5/5 line (mse at most 0.001)",
            ),
            "✗ score lines",
            None,
            id="checks-and-the-margin-to-the-next-line",
        ),
        pytest.param(None, ("mse 0.0025",), "mse 0.0025", "✓", id="by-default-the-score-message"),
    ],
)
async def test_the_detail_line_shows_what_the_feedback_setting_asks_for(
    rig: TuiRig,
    models: dict[str, Path],
    feedback: Feedback | None,
    shown: tuple[str, ...],
    on_screen: str,
    hidden: str | None,
) -> None:
    session = (
        rig.session() if feedback is None else set_feedback(rig.store, rig.session(), feedback)
    )
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
            lambda: shown[0] in text_of(app.query_one("#attempt-detail", Static)),
            what=f"{shown[0]!r} in the detail line",
        )
        detail = text_of(app.query_one("#attempt-detail", Static))
        assert all(part in detail for part in shown), detail
        assert hidden is None or hidden not in detail
        assert on_screen in "\n".join(screen_lines(app))  # readable at 80x24, not clipped away
