"""A table of many rows for reportlab's platypus, laid out in linear time, its header repeated on every page.

A platypus `Table` that runs over pages splits itself page by page, and each split builds a new table of all
the rows left and measures them again: a report of 10,000 rows took minutes. Here every row is text (lines
split by "\\n"), so its height is known from its line count up front, and each page gets a table of just the
rows that fit it (found by bisection over the running heights).
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Callable, Sequence

from reportlab.platypus import Flowable, Table, TableStyle


class PagedTable(Flowable):
    """`rows` of strings under the row `header()` makes (fresh cells for each page's table); `commands` style
    every page's table; `row_commands[i]` style body row i alone, written for row 1 (the first under the
    header) and moved to where the row lands. Cells are drawn with `leading` per line and `padding` above and
    below, which must be what `commands` set."""

    def __init__(self, header: Callable[[], list], rows: Sequence[Sequence[str]], col_widths: Sequence[float],
                 commands: Sequence[tuple], leading: float, padding: float,
                 row_commands: dict[int, Sequence[tuple]] | None = None, _start: int = 0, _ends=None):
        super().__init__()
        self.header, self.rows, self.col_widths, self.commands = header, rows, tuple(col_widths), list(commands)
        self.leading, self.padding, self.row_commands = leading, padding, row_commands or {}
        self.start = _start
        # ends[i]: the height of rows 0..i-1 (shared by the parts the table is split into)
        self.ends = _ends if _ends is not None else [0.0, *accumulate(self._height(row) for row in rows)]
        self._header_height = None
        self._whole = None

    def _height(self, row: Sequence[str]) -> float:
        return max(str(cell).count("\n") + 1 for cell in row) * self.leading + 2 * self.padding

    def _header(self) -> float:
        if self._header_height is None:
            table = Table([self.header()], colWidths=self.col_widths, style=TableStyle(self.commands))
            self._header_height = table.wrap(sum(self.col_widths), 10 ** 6)[1]
        return self._header_height

    def _table(self, start: int, end: int) -> Table:
        commands = list(self.commands)
        for index in range(start, end):
            for command in self.row_commands.get(index, ()):
                name, (c0, _), (c1, _), *args = command
                row = index - start + 1
                commands.append((name, (c0, row), (c1, row), *args))
        heights = [None, *(self.ends[i + 1] - self.ends[i] for i in range(start, end))]
        return Table([self.header(), *self.rows[start:end]], colWidths=self.col_widths, rowHeights=heights,
                     repeatRows=1, style=TableStyle(commands))

    def wrap(self, availWidth, availHeight):
        self.width = sum(self.col_widths)
        self.height = self._header() + self.ends[-1] - self.ends[self.start]
        return self.width, self.height

    def split(self, availWidth, availHeight):
        room = availHeight - self._header()
        end = bisect_right(self.ends, self.ends[self.start] + room) - 1  # the rows that fit: start..end-1
        if end <= self.start:
            return []  # not even one row: the next page
        if end >= len(self.rows):
            return [self._table(self.start, len(self.rows))]
        return [self._table(self.start, end),
                PagedTable(self.header, self.rows, self.col_widths, self.commands, self.leading, self.padding,
                           self.row_commands, _start=end, _ends=self.ends)]

    def draw(self):
        table = self._table(self.start, len(self.rows))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)
