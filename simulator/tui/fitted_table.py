"""A DataTable whose columns follow their content and the room the terminal gives.

Textual's columns of a fixed width cut a value at the column's edge (``e25/20``, ``5.``), and a
column too wide runs off the screen. Here every column is as wide as its widest value; flexible
columns (a question's title, an attempt's result, a progress bar) share what is left, and their
text is shortened with ``…`` rather than cut. The table lays itself out again when resized.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable

from simulator.tui.formatting import share_width, shorten_text

#: A cell: text, or (for a flexible column) a function that draws it in the width it gets.
Cell = Text | str | Callable[[int], Text]
#: Room kept for the vertical scrollbar, so a table that grows a scrollbar keeps its layout.
SCROLLBAR_ROOM = 1


@dataclass(frozen=True)
class ColumnSpec:
    """A column: its key and header; ``flexible`` ones share the room left by the others,
    down to ``minimum`` cells, up to ``maximum`` (None: as wide as its widest value)."""

    key: str
    label: str
    flexible: bool = False
    minimum: int = 3
    maximum: int | None = None
    justify: str = "left"


class FittedTable(DataTable[Text | str]):
    """Rows are given whole with :meth:`fill`; widths are worked out from them every time."""

    COLUMN_SPECS: tuple[ColumnSpec, ...] = ()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._rows_given: list[tuple[str, Sequence[Cell]]] = []
        self._widths: list[int] | None = None
        self._keys_seen: set[str] = set()

    def fill(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Show ``rows`` (key, cells). The cursor stays on its row, unless rows were added: then
        it goes to the first new one (the lists are newest first, and a new attempt or run is
        what the candidate wants to see)."""
        self._rows_given = list(rows)
        self._lay_out()

    def on_resize(self, event: Resize) -> None:
        self._lay_out()

    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None for an empty table)."""
        if not 0 <= self.cursor_row < self.row_count:
            return None
        return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value

    def column_widths(self) -> list[int]:
        """The widths the columns get for the rows given and the table's current width."""
        specs = self.COLUMN_SPECS
        wanted = [_text_width(spec.label) for spec in specs]
        for _key, cells in self._rows_given:
            for index, cell in enumerate(cells):
                if not callable(cell):
                    wanted[index] = max(wanted[index], _text_width(cell))
        for index, spec in enumerate(specs):
            drawn = any(callable(cells[index]) for _key, cells in self._rows_given)
            if drawn:  # drawn to the width it gets: it wants its largest size
                wanted[index] = max(wanted[index], spec.maximum or spec.minimum)
            elif spec.maximum is not None:
                wanted[index] = min(wanted[index], spec.maximum)
        width = self.size.width or self.app.size.width
        room = width - SCROLLBAR_ROOM - 2 * self.cell_padding * len(specs)
        fixed = sum(w for w, spec in zip(wanted, specs, strict=True) if not spec.flexible)
        flexible = [i for i, spec in enumerate(specs) if spec.flexible]
        shared = share_width(
            room - fixed,
            [wanted[i] for i in flexible],
            [min(specs[i].minimum, wanted[i]) for i in flexible],
        )
        for index, share in zip(flexible, shared, strict=True):
            wanted[index] = max(1, share)
        return wanted

    def _lay_out(self) -> None:
        if not self.is_mounted:
            return
        widths = self.column_widths()
        rows = [(key, self._shown_cells(cells, widths)) for key, cells in self._rows_given]
        selected = self.cursor_key()
        if widths != self._widths:
            self._widths = widths
            self.clear(columns=True)
            for spec, width in zip(self.COLUMN_SPECS, widths, strict=True):
                self.add_column(spec.label, key=spec.key, width=width)
        elif [key for key, _ in rows] == [k.value for k in self.rows]:
            # Only the cells that changed: each update_cell throws away the table's rendered
            # lines, and a question switch gives the same rows again.
            for key, cells in rows:
                for spec, cell in zip(self.COLUMN_SPECS, cells, strict=True):
                    if not _same_cell(self.get_cell(key, spec.key), cell):
                        self.update_cell(key, spec.key, cell)
            return
        else:
            self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        keys = [key for key, _ in rows]
        added = [key for key in keys if key not in self._keys_seen]
        self._keys_seen.update(keys)
        if added and self._keys_seen != set(added):
            self.move_cursor(row=keys.index(added[0]), animate=False)
        elif selected in keys:
            self.move_cursor(row=keys.index(selected), animate=False)

    def _shown_cells(self, cells: Sequence[Cell], widths: list[int]) -> list[Text | str]:
        shown: list[Text | str] = []
        for spec, cell, width in zip(self.COLUMN_SPECS, cells, widths, strict=True):
            if callable(cell):
                shown.append(cell(width))
                continue
            text = Text(cell) if isinstance(cell, str) else cell
            if spec.justify != "left":
                text = text.copy()
                text.justify = "right" if spec.justify == "right" else "center"
            shown.append(shorten_text(text, width))
        return shown


def _same_cell(shown: Text | str, new: Text | str) -> bool:
    """Whether ``new`` would draw as ``shown`` does (rich's ``Text ==`` ignores the style)."""
    if isinstance(shown, Text) and isinstance(new, Text):
        return (
            shown.plain == new.plain
            and shown.style == new.style
            and shown.justify == new.justify
            and shown.overflow == new.overflow
            and shown.no_wrap == new.no_wrap
            and shown.spans == new.spans
        )
    return type(shown) is type(new) and shown == new


def _text_width(cell: Text | str) -> int:
    return cell.cell_len if isinstance(cell, Text) else Text(cell).cell_len
