"""提案管理 as an Excel workbook. Every text is written as text: a title such as `=HYPERLINK(…)` stays words in the
cell, never a live formula."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from engine import spreadsheets
from engine.procedures.proposal.register import Row
from web.views import format_date

COLUMNS = ["编号", "案由", "提案人", "联名委员", "类别", "状态", "重点提案", "主办单位", "会办单位", "答复期限", "逾期",
           "答复类别", "满意度", "公开提案", "公开答复"]
FORMULA_START = ("=", "+", "-", "@")


def register_workbook(rows: list[Row], year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年提案"
    for column, label in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=label).font = Font(bold=True)
    for line, r in enumerate(rows, start=2):
        proposer = f"{r.body}（集体提案，联系人：{r.proposer}）" if r.body else r.proposer
        values = [r.number, r.title, proposer, "、".join(r.cosigners), r.category, r.status, _yes(r.is_key),
                  r.lead_unit, "、".join(r.co_units), format_date(r.reply_due), _yes(r.overdue),
                  " ".join(filter(None, [r.result_class or "", r.followup])), r.satisfaction or "", _yes(r.publish_proposal), _yes(r.publish_reply)]
        for column, value in enumerate(values, start=1):
            _text(sheet.cell(row=line, column=column), value)
    for column, width in zip("ABCDEFGHIJKLMNO", (12, 50, 10, 24, 10, 16, 8, 16, 24, 12, 6, 8, 8, 8, 8)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.save(book)


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl took a leading "=" for a formula
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _yes(flag: bool) -> str:
    return "是" if flag else "否"
