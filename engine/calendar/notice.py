"""Reading the State Council's 节假日安排 notice as pasted by the office into rows for the 节假日安排 form.

The notice has one line per holiday, e.g. "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，
共9天。2月14日（周六）、2月28日（周六）上班。" Each sentence with 放假 gives a holiday range (a day, or 至 another day, the
month carried over when omitted); each sentence with 上班 gives its dates as adjusted working days. What cannot be
read is said, line by line; nothing is saved here — the office checks the rows and saves them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．])?\s*([^：:，。]{1,20})[：:](.*)$")
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_NOTE = r"(?:[（(][^）)]*[）)])?"
_OFF = re.compile(_DATE + _NOTE + r"(?:\s*[至到—-]\s*" + _DATE + _NOTE + r")?\s*放假")
_ON = re.compile(_DATE + _NOTE)


@dataclass(frozen=True)
class Reading:
    rows: list[dict]  # kind, name, start, end (ISO text), as the form takes them
    unread: list[str]  # lines with a holiday's name that gave no date


def read(text: str, year: int) -> Reading:
    rows: list[dict] = []
    unread: list[str] = []
    for line in (text or "").splitlines():
        head = _HEAD.match(line.strip())
        if not head or not re.search(r"放假|上班", head.group(2)):
            continue
        name, body, found = head.group(1).strip(), head.group(2), 0
        for sentence in re.split(r"[。；;]", body):
            if "放假" in sentence:
                match = _OFF.search(sentence)
                if match:
                    start = _day(match.group(1), match.group(2), match.group(3), year, None)
                    end = _day(match.group(4), match.group(5), match.group(6), year, start) if match.group(6) else start
                    if start and end:
                        rows.append(_row("holiday", name, start, end))
                        found += 1
            elif "上班" in sentence:
                for match in _ON.finditer(sentence.split("上班")[0]):
                    day = _day(match.group(1), match.group(2), match.group(3), year, None)
                    if day:
                        rows.append(_row("workday", name, day, day))
                        found += 1
        if not found:
            unread.append(line.strip())
    return Reading(sorted(rows, key=lambda r: r["start"]), unread)


def _day(year_text, month_text, day_text, year: int, after: dt.date | None) -> dt.date | None:
    """A date of the notice: the month carried over from `after` when omitted (至23日), the next month when the
    day is then earlier than `after`'s (1月31日至2月1日 written 至1日 would be unusual, but stays right)."""
    month = int(month_text) if month_text else (after.month if after else 0)
    the_year = int(year_text) if year_text else (after.year if after and not month_text else year)
    if not month:
        return None
    try:
        day = dt.date(the_year, month, int(day_text))
    except ValueError:
        return None
    if after and not month_text and day < after:
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=int(day_text))
    return day


def _row(kind: str, name: str, start: dt.date, end: dt.date) -> dict:
    return {"kind": kind, "name": name, "start": start.isoformat(), "end": end.isoformat()}
