"""Attachments of a case: checked (size, extension and sniffed content), stored once per sha256, audited.

The bytes go to a content-addressed store (`<root>/ab/abcdef…`), so the same file uploaded twice is kept once.
A file written for a transaction that is then rolled back stays on disk unreferenced; that is harmless.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases import access
from engine.runtime import audit
from engine.errors import Forbidden, NotFound, XieshangError
from engine.models import Instance, User
from engine.cases.records import Attachment
from engine.i18n import N_

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
# extension -> (media type, content kinds accepted for it). "ole" is the OLE2 container of old Office files,
# "text" is text that decodes cleanly; other kinds are what `filetype` recognises.
TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "doc": ("application/msword", frozenset({"doc", "ole"})),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({"docx", "zip"})),
    "xls": ("application/vnd.ms-excel", frozenset({"xls", "ole"})),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({"xlsx", "zip"})),
    "ppt": ("application/vnd.ms-powerpoint", frozenset({"ppt", "ole"})),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", frozenset({"pptx", "zip"})),
    "jpg": ("image/jpeg", frozenset({"jpg"})),
    "jpeg": ("image/jpeg", frozenset({"jpg"})),
    "png": ("image/png", frozenset({"png"})),
    "txt": ("text/plain; charset=utf-8", frozenset({"text"})),
    "zip": ("application/zip", frozenset({"zip", "docx", "xlsx", "pptx"})),
}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# Invisible characters that change how a name is shown, not what it says: bidirectional controls (a right-to-left
# override makes "发票\u202efdp.exe" read as "发票exe.pdf"), zero-width and other format characters (Unicode
# category Cf), line and paragraph separators. They are removed (migration 0019 removed them from stored names).
_KEEP_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiners spell words in some scripts


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Zl", "Zp") and char not in _KEEP_FORMAT


def strip_invisible(name: str) -> str:
    return "".join(char for char in name if not _invisible(char))


class FileTooLarge(XieshangError):
    status = 413


class FileTypeRefused(XieshangError):
    status = 415


@dataclass(frozen=True)
class Store:
    """Where files go and what is accepted (the web app builds it from its configuration)."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    extensions: frozenset[str] = field(default_factory=lambda: frozenset(TYPES))

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def kinds(self) -> str:
        return "、".join(sorted({ext.upper() for ext in self.extensions if ext != "jpeg"}))


def clean_filename(name: str) -> str:
    """The name as the uploader's computer had it, without folders or characters no file system takes."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", strip_invisible(name)).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot else name[:200]
    return name


def sniff(content: bytes) -> str | None:
    """What the bytes are, whatever the name says."""
    kind = filetype.guess(content[:8192]) if content else None
    if kind is not None:
        return kind.extension
    if content.startswith(OLE_SIGNATURE):
        return "ole"
    if _is_text(content):
        return "text"
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)
    return False


def check(store: Store, filename: str, content: bytes) -> tuple[str, str]:
    """(extension, media type) of an acceptable file; refuses a too large or not allowed one."""
    if len(content) > store.max_bytes:
        raise FileTooLarge(N_("文件“%(filename)s”超过 %(value)s MB，不能上传。请压缩或拆分后再上传。",
                              filename=filename, value=format(store.max_bytes / MB, 'g')))
    if not content:
        raise XieshangError(N_("文件“%(filename)s”是空的，请选择有内容的文件。", filename=filename))
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in store.extensions or ext not in TYPES:
        raise FileTypeRefused(N_("不能上传“%(filename)s”：只接受 %(value)s 文件。", filename=filename, value=store.kinds()))
    media_type, kinds = TYPES[ext]
    if sniff(content) not in kinds:
        raise FileTypeRefused(N_("文件“%(filename)s”的内容与扩展名 .%(ext)s 不符，不能上传。请确认文件没有损坏或被改名。", filename=filename, ext=ext))
    return ext, media_type


def read_limited(stream: BinaryIO, store: Store, filename: str) -> bytes:
    """Read an upload, refusing it as soon as it passes the size limit."""
    content = stream.read(store.max_bytes + 1)
    if len(content) > store.max_bytes:
        raise FileTooLarge(N_("文件“%(filename)s”超过 %(value)s MB，不能上传。请压缩或拆分后再上传。",
                              filename=filename, value=format(store.max_bytes / MB, 'g')))
    return content


def add(session: Session, store: Store, actor: User, instance: Instance, filename: str, content: bytes, *,
        field_key: str | None = None, task_id: str | None = None) -> Attachment:
    """Attach a file to a case the actor may view; writes the bytes once per content hash."""
    if not access.can_view_instance(session, actor, instance):
        raise Forbidden(N_("您无权查看该事项，不能上传附件。"))
    name = clean_filename(filename)
    if not name:
        raise XieshangError(N_("请选择要上传的文件。"))
    ext, media_type = check(store, name, content)
    digest = hashlib.sha256(content).hexdigest()
    _write_once(store.path(digest), content)
    row = Attachment(instance_id=instance.id, sha256=digest, filename=name, extension=ext, media_type=media_type,
                     size=len(content), field=field_key, task_id=task_id, uploaded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, instance, "attachment", actor, data={
        "attachment": row.id, "filename": name, "size": len(content), "sha256": digest, "field": field_key})
    session.flush()
    return row


def _write_once(target: Path, content: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)  # atomic: a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get_for(session: Session, user: User, attachment_id: int) -> Attachment:
    """The attachment if the user may view its case."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(N_("没有找到该附件。"))
    instance = session.get(Instance, row.instance_id)
    if instance is None or not access.can_view_instance(session, user, instance):
        raise Forbidden(N_("您无权查看该事项的附件。"))
    return row


def for_instance(session: Session, instance_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                .order_by(Attachment.id)))


def by_ids(session: Session, ids: list[int]) -> dict[int, Attachment]:
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}


def not_of_instance(session: Session, values: list, instance: Instance | None) -> list[str]:
    """Values of a file field that are not attachments of this case (for references.check)."""
    ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    found = set(session.scalars(select(Attachment.id).where(
        Attachment.id.in_(ids), Attachment.instance_id == instance.id))) if ids and instance is not None else set()
    return [str(v) for v in values if v not in found]
