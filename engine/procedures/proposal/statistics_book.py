"""提案统计 as an Excel workbook: the page's figures, one sheet per table. Every text cell is written as text, so a
title a member typed as `=…` stays words and never becomes a live formula."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from engine import clock
from engine.procedures.proposal.statistics import CLASSES, FOLLOWUP_RESULTS, SATISFACTION, Statistics


def workbook(stats: Statistics) -> bytes:
    book = Workbook()
    book.remove(book.active)
    t = stats.totals
    _sheet(book, "总体", ["年度", "提交", "立案", "不立案", "并案", "待审查"],
           [[stats.year, t.submitted, t.filed, t.not_filed, t.merged, t.pending]])
    _sheet(book, "按类别", ["类别", "提交", "立案"], [[c.category, c.submitted, c.filed] for c in stats.categories])
    _sheet(book, "承办单位", ["承办单位", "承办件数", "已签收", "按期签收", "应答复", "按期答复", "按期答复率",
                          *[f"{c} 类" for c in CLASSES], *SATISFACTION, "重新办理", "超期件数", "超期天数"],
           [[u.name, u.handled, u.accepted, u.accepted_on_time, u.reply_due, u.replied_on_time, _rate(u.reply_rate),
             *[u.classes[c] for c in CLASSES], *[u.satisfaction[s] for s in SATISFACTION], u.rehandled, u.overdue,
             u.overdue_days] for u in stats.units])
    e = stats.evaluation
    if e is not None:
        _sheet(book, "评价和面办", ["评价项目", "已评价", *SATISFACTION, "满意率"],
               [["办理工作（联系沟通、办理态度）", e.evaluated, *[e.work[s] for s in SATISFACTION], _rate(e.work_rate)],
                ["办理结果", e.evaluated, *[e.result[s] for s in SATISFACTION], _rate(e.result_rate)]])
        _sheet(book, "面办率", ["已答复", "面对面沟通", "面办率"], [[e.replied, e.face_to_face, _rate(e.face_rate)]])
    f = stats.followup
    if f is not None:
        _sheet(book, "回头看", ["B 类答复", "已定回头看", "已报告", *FOLLOWUP_RESULTS, "解决率"],
               [[f.b_replies, f.scheduled, f.reported, *[f.results[r] for r in FOLLOWUP_RESULTS], _rate(f.solved_rate)]])
    _sheet(book, "委员", ["委员", "用户名", "提交", "联名"],
           [[m.name, m.username, m.submitted, m.cosigned] for m in stats.members])
    _sheet(book, "重点提案", ["编号", "标题", "提案人", "主办单位", "状态", "答复期限", "答复时间", "答复类别", "评价"],
           [[k.number, k.title, k.proposer, k.unit, k.status, _day(k.reply_due), _day(k.replied_at),
             k.result_class or "", k.satisfaction or ""] for k in stats.key_proposals])
    _sheet(book, "超期", ["编号", "标题", "主办单位", "答复期限", "答复时间", "超期天数"],
           [[o.number, o.title, o.unit, _day(o.due), _day(o.replied_at), o.days] for o in stats.overdue])
    _sheet(book, "会议期间和闭会期间", ["会议", "会议期间", "闭会期间", "未编入会议"],
           [[stats.session_name or f"{stats.year}年", stats.periods.get("会议期间", 0), stats.periods.get("闭会期间", 0),
             stats.periods.get("", 0)]])
    _sheet(book, "提出方式", ["提出方式", "提交", "立案"],
           [["集体提案", stats.collective, stats.collective_filed],
            ["委员提案", t.submitted - stats.collective, t.filed - stats.collective_filed]])
    _sheet(book, "集体提案", ["提出单位", "提交", "立案"], [[b.name, b.submitted, b.filed] for b in stats.bodies])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, title: str, columns: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title)
    for index, values in enumerate([columns, *rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=index, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "="
            if index == 1:
                cell.font = Font(bold=True)
    for column, header in enumerate(columns, start=1):
        width = max([len(str(header))] + [len(str(r[column - 1] or "")) for r in rows]) * 2 + 2
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"


def _rate(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "—"


def _day(moment: dt.datetime | None) -> str:
    return moment.astimezone(clock.TZ).strftime("%Y-%m-%d") if moment else ""
