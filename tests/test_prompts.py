"""The shipped prompts: what they state about scoring is what the grader does, and their tables
read whole on the narrowest screen tfexam supports (80x24), with no number cut short."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from simulator.exam.catalog import list_exams
from simulator.exam.format import Exam, Question
from simulator.exam.metrics import MAX_SCORE
from simulator.tui.app import ExamApp
from tests.tui_helpers import TuiRig, prompts_prepared, visible_prompt_panes
from tests.waiting import wait_on_pilot

EXAMS: list[Exam] = [entry.exam for entry in list_exams(None) if entry.exam is not None]
PROMPTS = [(exam, q) for exam in EXAMS for q in exam.questions]
#: The editor area's inner width in an 80-column terminal: 80 columns less the Project window
#: (28) and the editor area's border (2); the prompt pane draws its scrollbar and margins inside.
PROMPT_PANE_WIDTH_AT_80 = 50
TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")


def prompt_text(question: Question) -> str:
    return (question.folder / question.prompt).read_text(encoding="utf-8")


def tables(markdown: str) -> list[list[list[str]]]:
    """Each Markdown table as rows of cells (the separator row left out, backticks removed)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        match = TABLE_ROW.match(line)
        if match is None:
            if current:
                found.append(current)
            current = []
            continue
        cells = [cell.strip().replace("`", "") for cell in match.group(1).split("|")]
        if not all(set(cell) <= set("-: ") for cell in cells):
            current.append(cells)
    return found


def score_table(markdown: str) -> dict[int, str] | None:
    """The prompt's "| score | <metric rule> |" table as {score: stated value}, if it has one."""
    for table in tables(markdown):
        if table[0][0] == "score" and len(table[0]) == 2:
            return {int(row[0]): row[1] for row in table[1:]}
    return None


@pytest.mark.parametrize(("exam", "question"), PROMPTS, ids=lambda v: getattr(v, "id", ""))
def test_a_stated_score_table_is_the_graders_thresholds(exam: Exam, question: Question) -> None:
    text = prompt_text(question)
    stated = score_table(text)
    if stated is None:
        assert not re.search(r"^\|.*\b(score|at least|at most|below)\b", text, re.M), (
            f"{exam.id} {question.id}: a score table not in the | score | rule | form"
        )
        return  # the scoring is described in words
    if question.scoring.real_exam is not None:
        # The table states the real exam's rule, which counts there; every row is still a number.
        assert all(re.fullmatch(r"[\d.]+|more than [\d.]+", v) for v in stated.values()), stated
        return
    thresholds = {points: stated[points] for points in range(1, MAX_SCORE + 1)}
    assert {p: float(v) for p, v in thresholds.items()} == {
        points: threshold for points, threshold in enumerate(question.scoring.thresholds, start=1)
    }, f"{exam.id} {question.id}: the prompt's table is not what the grader scores"


class PromptOnly(App[None]):
    """One prompt rendered as the exam screen renders it, at the editor area's width."""

    CSS_PATH = Path(inspect.getfile(ExamApp)).parent / str(ExamApp.CSS_PATH)

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="prompt-pane") as pane:
            pane.styles.width = PROMPT_PANE_WIDTH_AT_80
            yield Markdown(self.markdown, classes="prompt-text")


@pytest.mark.parametrize("exam", EXAMS, ids=lambda e: e.id)
async def test_every_table_of_every_prompt_reads_whole_at_80_columns(exam: Exam) -> None:
    for question in exam.questions:
        markdown = prompt_text(question)
        cells = {cell for table in tables(markdown) for row in table for cell in row if cell}
        if not cells:
            continue
        app = PromptOnly(markdown)

        def shown(app: PromptOnly = app) -> list[str]:
            return [strip.text for strip in app.screen._compositor.render_strips()]

        def missing(cells: set[str] = cells) -> list[str]:
            # A cell too long for its column wraps onto more rows; its first word is still whole.
            words = {word for line in shown() for word in line.split()}
            return sorted(cell for cell in cells if cell.split()[0] not in words)

        async with app.run_test(size=(PROMPT_PANE_WIDTH_AT_80, 400)) as pilot:
            await wait_on_pilot(
                pilot, lambda: not missing(), f"{exam.id} {question.id}: every cell shown",
                seen=missing,
            )  # fmt: skip
            lines = shown()
        cut = [line.strip() for line in lines if "…" in line]
        assert not cut, f"{exam.id} {question.id}: text cut short: {cut}"


async def test_the_width_used_above_is_the_exam_screens_prompt_width_at_80_columns(
    rig: TuiRig,
) -> None:
    """Ties PROMPT_PANE_WIDTH_AT_80 to the real screen: a wider Project window or another
    border would make the rendering test above check a width no user has."""
    app = rig.app(rig.session())
    async with app.run_test(size=(80, 24)) as pilot:
        await prompts_prepared(pilot)
        shown = visible_prompt_panes(app)
        panes = [pane for pane in app.screen.query(".prompt-pane") if pane.id in shown]
        assert [pane.region.width for pane in panes] == [PROMPT_PANE_WIDTH_AT_80]
