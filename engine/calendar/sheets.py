"""节假日安排 in and out of files: an Excel sheet (the office's import and export) and a small JSON file for
administrators who script it (`xieshang holidays load`). A file is taken whole or not at all."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from engine.calendar import holidays
from engine.errors import FormInvalid
from engine.i18n import N_
from engine.models import User
from engine.calendar.records import KINDS
from engine.spreadsheets import read_workbook, save, write_sheet

SHEET = "节假日安排"
COLUMNS = ("年份", "类型", "名称", "开始日期", "结束日期", "发文字号")
KIND_OF = {text: kind for kind, text in KINDS.items()} | {"上班": "workday"}


@dataclass(frozen=True)
class Loaded:
    years: list[int]
    recomputed: int


def export_workbook(session: Session, years: list[int] | None = None) -> bytes:
    rows = []
    for entry in sorted(holidays.years(session), key=lambda y: y.year):
        if years is not None and entry.year not in years:
            continue
        for r in entry.ranges:
            rows.append([entry.year, KINDS[r.kind], r.name, r.start_date.isoformat(), r.end_date.isoformat(),
                         entry.source])
        if not entry.ranges:  # a year entered with no holidays at all still says so
            rows.append([entry.year, "", "", "", "", entry.source])
    book = Workbook()
    book.remove(book.active)
    write_sheet(book, SHEET, list(COLUMNS), rows)
    return save(book)


def import_workbook(session: Session, actor: User | None, data: bytes) -> Loaded:
    """Each year named in the sheet is replaced by its rows; any bad row refuses the whole file."""
    sheets = dict(read_workbook(data))
    rows = sheets.get(SHEET) or next(iter(sheets.values()), [])
    header = [_text(c) for c in (rows[0] if rows else ())]
    missing = [c for c in COLUMNS[:5] if c not in header]
    if missing:
        raise FormInvalid({"file": N_("第 1 行缺少列：%(columns)s。", columns="、".join(missing))}, N_("导入未执行：表头不对。"))
    years: dict[int, dict] = {}
    errors: dict[str, str] = {}
    for number, values in enumerate(rows[1:], start=2):
        row = {name: _text(values[i]) if i < len(values) else "" for i, name in enumerate(header) if name}
        if not any(row.values()):
            continue
        if not row["年份"].isdigit():
            errors[f"row-{number}"] = N_("第 %(row)s 行：年份应为四位数字，如 2027。", row=number)
            continue
        kind = KIND_OF.get(row["类型"], "") if row["类型"] else ""
        if row["类型"] and not kind:
            errors[f"row-{number}"] = N_("第 %(row)s 行：类型应为“放假”或“调休上班”。", row=number)
            continue
        year = years.setdefault(int(row["年份"]), {"source": "", "rows": [], "lines": []})
        year["source"] = year["source"] or row.get("发文字号", "")
        if kind:
            year["rows"].append({"kind": kind, "name": row["名称"], "start": row["开始日期"], "end": row["结束日期"]})
            year["lines"].append(number)
    if not years and not errors:
        errors["file"] = N_("工作簿中没有可导入的节假日安排。")
    return _apply(session, actor, years, errors)


def load_file(session: Session, path: Path, actor: User | None = None) -> list[int]:
    """A .xlsx as exported, or a JSON file: {"year", "source", "holidays": [{name, start, end}], "workdays": […]}."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return import_workbook(session, actor, path.read_bytes()).years
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        entries = content if isinstance(content, list) else [content]
        years = {int(e["year"]): {"source": str(e.get("source", "")), "lines": [], "rows": [
            {"kind": kind, "name": r.get("name", ""), "start": r.get("start", ""), "end": r.get("end", "")}
            for kind in ("holiday", "workday") for r in e.get(kind + "s", [])]} for e in entries}
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise FormInvalid({"file": N_("无法读取 %(file)s：%(error)s", file=path.name, error=str(err))},
                          N_("导入未执行：文件格式不对。")) from None
    return _apply(session, actor, years, {}).years


def _apply(session: Session, actor: User | None, years: dict[int, dict], errors: dict[str, str]) -> Loaded:
    """Check every year before changing any, so that a bad row anywhere leaves the calendar as it was."""
    for number, year in years.items():
        try:  # rows named by their line in the sheet (a JSON file has none: by their place in its year)
            holidays.check(number, year["source"], year["rows"], year["lines"] or None)
        except FormInvalid as invalid:
            for key, message in invalid.errors.items():
                errors[f"{number}-{key}"] = message if key.startswith("row-") else N_(
                    "%(year)s 年：%(problem)s", year=number, problem=message)
    if errors:
        raise FormInvalid(errors, N_("导入未执行：%(n)s 处有误，请修改后重新导入（节假日安排均未改动）。", n=len(errors)))
    moved = sum(holidays.save_year(session, actor, number, year["source"], year["rows"]).recomputed
                for number, year in sorted(years.items()))
    return Loaded(sorted(years), moved)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
