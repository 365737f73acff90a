"""Excel workbooks of the duty pages: 履职档案 (summary + every record behind it) and the attendance report."""
from __future__ import annotations

from openpyxl import Workbook

from engine import spreadsheets
from engine.procedures.duty.report import DutyRecord


def archive_workbook(records: list[DutyRecord]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    labels = [label for item in (records[0].items if records else []) for label in [item.label]]
    summary = [[r.name, r.username, r.sector, "是" if r.standing else "否", r.unit, r.term, r.year, *[r.item(i.key).count for i in r.items],
                "、".join(r.missing) or "无"] for r in records]
    spreadsheets.write_sheet(book, "五个一", ["姓名", "用户名", "界别", "常委", "工作单位", "届次", "年度", *labels, "尚欠缺"], summary)
    detail = [[r.name, r.year, item.label, text] for r in records for item in r.items for text in item.evidence]
    spreadsheets.write_sheet(book, "履职记录", ["姓名", "年度", "项目", "记录"], detail)
    return spreadsheets.save(book)


def attendance_workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    spreadsheets.write_sheet(book, "出席情况", ["日期", "委员", "界别", "常委", "工作单位", "类别", "会议或活动",
                                                   "出席情况"],
                        [[r["date"], r["name"], r["sector"], r["standing"], r["unit"], r["kind"], r["title"], r["status"]] for r in rows])
    return spreadsheets.save(book)
