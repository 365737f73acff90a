"""Excel workbooks the office downloads and uploads.

Written: one sheet per table, a bold frozen header, and every text kept as text — a value typed as "=HYPERLINK(…)"
comes back as words, never a live formula. Read (every import goes through `read_workbook`): the whole file is read
here, at once, so a malformed workbook — a broken zip, an XML entity or document type declaration inside, a part that
unpacks to far more than it weighs, XML that does not parse — is a FormInvalid (422) with the reason, never a 500
half-way through an import.
"""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from engine.errors import FormInvalid
from engine.i18n import N_, Message

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


MAX_UNPACKED = 64 * 1024 * 1024  # bytes all parts of an uploaded workbook may unpack to
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class _Malformed(Exception):
    def __init__(self, reason: Message):
        super().__init__(reason)
        self.reason = reason


def _check_parts(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _Malformed(N_("文件已损坏或不是 .xlsx 格式（不是有效的 zip 压缩包）")) from None
    with archive:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise _Malformed(N_("解压后超过 %(mb)s MB，不予读取", mb=MAX_UNPACKED // (1024 * 1024)))
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                text = archive.read(part).replace(b"\x00", b"")  # UTF-16 text seen as bytes
                if any(declaration in text for declaration in _DECLARATIONS):
                    raise _Malformed(N_("文件内含 XML 实体或文档类型声明（%(part)s），出于安全原因不予读取",
                                        part=part.filename))


def read_workbook(data: bytes, field: str = "file") -> list[tuple[str, list[tuple]]]:
    """Every sheet of an uploaded workbook as (title, rows of cell values), read completely before anything is
    imported; a file that is not a sound .xlsx raises FormInvalid naming the reason under `field`."""
    try:
        _check_parts(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
        finally:
            book.close()
    except _Malformed as err:
        reason = err.reason
    except Exception as err:  # noqa: BLE001 - openpyxl, zipfile and the XML parsers raise many kinds
        reason = N_("文件内容无法解析（%(error)s）", error=type(err).__name__)
    raise FormInvalid({field: N_("文件不是有效的 Excel 工作簿（.xlsx）：%(reason)s。", reason=reason)},
                      N_("导入未执行：文件不是有效的 Excel 工作簿（.xlsx）：%(reason)s。", reason=reason))
