"""Malformed workbooks every Excel import must refuse with a 422 and the reason (tests of the roster and holidays)."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

ENTITY = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def sound(title: str = "单位", rows=(("编码", "名称", "类别"), ("t1", "测试单位", "承办单位"))) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part.filename, change(part.filename, source.read(part)))
        extra = change("", b"")
        if extra:
            target.writestr("xl/padding.bin", extra)
    return out.getvalue()


def _declare(content: bytes, declaration: bytes) -> bytes:
    if b"?>" in content[:200]:
        return content.replace(b"?>", b"?>" + declaration, 1)
    return declaration + content


def with_entity(data: bytes, where: str = "xl/styles.xml") -> bytes:
    return _rewrite(data, lambda name, content: _declare(content, ENTITY) if name == where else content)


def with_utf16_entity(data: bytes, where: str = "xl/workbook.xml") -> bytes:
    def change(name, content):
        if name != where:
            return content
        text = content.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
        return _declare(text.encode("utf-16-le"), ENTITY.decode().encode("utf-16-le"))
    return _rewrite(data, change)


def with_broken_xml(data: bytes, where: str = "xl/worksheets/sheet1.xml") -> bytes:
    return _rewrite(data, lambda name, content: b"<worksheet><sheetData><row" if name == where else content)


def unpacking_huge(data: bytes) -> bytes:
    return _rewrite(data, lambda name, content: b"\0" * (65 * 1024 * 1024) if name == "" else content)


def malformed(data: bytes) -> dict[str, tuple[bytes, str]]:
    """name → (file, words the refusal must contain)."""
    return {
        "broken zip": (data[: len(data) // 2], "不是有效的 zip"),
        "not a zip": (b"name,sector\n", "不是有效的 zip"),
        "entity in the styles": (with_entity(data), "XML 实体"),
        "entity in a sheet": (with_entity(data, "xl/worksheets/sheet1.xml"), "XML 实体"),
        "entity in UTF-16": (with_utf16_entity(data), "XML 实体"),
        "sheet XML cut short": (with_broken_xml(data), "无法解析"),
        "unpacks to 65 MB": (unpacking_huge(data), "解压后超过"),
    }
