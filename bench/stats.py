"""Samples, rows and the one table the benchmark prints (plain text for the terminal, Markdown for the README)."""
from __future__ import annotations

import math
import statistics
import unicodedata
from dataclasses import dataclass, field


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) — with n=20 the p95 is the 19th smallest value."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Sample:
    """Values of one figure in its unit: 'ms', 'KB', 'count', '/s'."""

    values: list[float]
    unit: str = "ms"

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return percentile(self.values, 95)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "KB":
        return f"{value:.1f} KB"
    if unit == "/s":
        return f"{value:.0f} /s"
    if unit == "count":
        return f"{value:g}"
    return f"{value:g} {unit}"


@dataclass
class Row:
    key: str  # stable identifier (the test checks every key is printed)
    label: str
    sample: Sample | None = None
    floor: float | None = None  # same-unit floor median; the ratio column is median / floor
    note: str = ""
    skipped: str = ""  # why there is no figure

    def cells(self) -> list[str]:
        if self.sample is None or not self.sample.values:
            return [self.key, self.label, "0", "—", "—", "—", self.skipped or self.note]
        s = self.sample
        ratio = f"{s.median / self.floor:.1f}×" if self.floor else "—"
        return [self.key, self.label, str(s.n), fmt(s.median, s.unit), fmt(s.p95, s.unit), ratio, self.note]


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Target:
    text: str
    met: bool | None  # None: could not be measured
    detail: str


HEAD = ["id", "what", "n", "median", "p95", "× floor", "notes"]


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def render_text(header: list[str], sections: list[Section], targets: list[Target]) -> str:
    rows = [r.cells() for s in sections for r in s.rows]
    widths = [max(width(HEAD[i]), *(width(r[i]) for r in rows)) if rows else width(HEAD[i]) for i in range(6)]
    line = lambda cells: "  ".join(  # noqa: E731
        pad(c, widths[i], right=i in (2, 3, 4, 5)) for i, c in enumerate(cells[:6])
    ) + ("  " + cells[6] if cells[6] else "")
    out = [*header, "", line(HEAD), "-" * (sum(widths) + 12 + 5)]
    for section in sections:
        out.append(f"-- {section.title}")
        out.extend(line(r.cells()) for r in section.rows)
    out += ["", "targets"]
    for t in targets:
        mark = "met   " if t.met else ("missed" if t.met is False else "n/a   ")
        out.append(f"  [{mark}] {t.text}: {t.detail}")
    return "\n".join(out)


def render_markdown(header: list[str], sections: list[Section], targets: list[Target]) -> str:
    out = [*(f"{h}  " for h in header), "", "| " + " | ".join(HEAD[1:]) + " |",
           "|" + "|".join(["---", "---:", "---:", "---:", "---:", "---"]) + "|"]
    for section in sections:
        out.append(f"| **{section.title}** | | | | | |")
        for row in section.rows:
            cells = row.cells()[1:]
            out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    out += ["", "| target | result | |", "|---|---|---|"]
    for t in targets:
        mark = "met" if t.met else ("**missed**" if t.met is False else "n/a")
        out.append(f"| {_md(t.text)} | {mark} | {_md(t.detail)} |")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
