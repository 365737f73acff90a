"""Excel workbooks the office downloads: one sheet per table, a bold frozen header, and every text kept as text — a
value typed as "=HYPERLINK(…)" comes back as words, never a live formula."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@")


def write_sheet(book: Workbook, title: str, columns: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value[:1] in FORMULA_STARTS:
                cell.data_type = "s"
                cell.quotePrefix = True
    for index, column in enumerate(columns):
        width = max([len(str(column))] + [len(str(r[index] or "")) for r in rows]) * 2 + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
