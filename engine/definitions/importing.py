"""Importing a diagram as a working copy: read the upload (a .bpmn, a .zip of a diagram and its forms, or a .bpmn with
form files picked beside it), propose a key in the product's form, and say what the import would bring and replace
before anything is written.

The process id inside the diagram is kept as it is; the key the procedure is known by here (lists, URLs, versions)
may differ from it (engine.definitions.deploy takes the key apart from the process id).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import lint, versions, working_copies as drafts
from engine.definitions.keys import exists, free_key
from engine.definitions.records import DraftDiagram
from engine.errors import Conflict, XieshangError
from engine.i18n import N_
from engine.models import ProcessVersion, User

B = lint.NS["bpmn"]
MAX_ENTRIES = 200  # a zip with more files than this is not a diagram with its forms


@dataclass
class Upload:
    """What was uploaded: the diagram's text and the form files that came with it, by the path the diagram names."""

    xml: str
    process_id: str | None
    name: str
    named: list[str]  # form paths the diagram names, in order
    forms: dict[str, dict] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # uploaded form files that are not JSON objects


@dataclass
class Plan:
    """What confirming the import would do."""

    key: str
    upload: Upload
    forms: dict[str, dict]  # what the working copy gets
    from_upload: list[str]
    from_existing: list[str]
    missing: list[str]
    replaces: str | None  # None, "draft" (a working copy) or "deployed" (a published procedure)
    replaced_name: str = ""
    base_version: int | None = None
    changes: list = field(default_factory=list)  # versions.Change, what would change against what is there now


def read(raw: bytes, filename: str, extra: list[tuple[str, bytes]] = ()) -> Upload:
    """The diagram and forms of an upload; refuses what holds no BPMN 2.0 diagram."""
    files: dict[str, bytes] = {}
    if zipfile.is_zipfile(io.BytesIO(raw)):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = [info for info in archive.infolist() if not info.is_dir()]
            if len(entries) > MAX_ENTRIES:
                raise XieshangError(N_("压缩包中的文件太多（最多 %(n)s 个）。", n=MAX_ENTRIES))
            for info in entries:
                if info.file_size > 5 * 1024 * 1024:
                    raise XieshangError(N_("压缩包中的文件 %(name)s 过大。", name=info.filename))
                files[info.filename] = archive.read(info)
        diagrams = [name for name in files if name.lower().endswith((".bpmn", ".xml"))]
        if len(diagrams) != 1:
            raise XieshangError(N_("压缩包中须有且只有一个 .bpmn 流程图，现有 %(n)s 个。", n=len(diagrams)))
        raw = files.pop(diagrams[0])
    for name, content in extra:
        files[name] = content
    root = drafts._parse(raw)
    if root is None or root.tag != f"{{{B}}}definitions":
        raise XieshangError(N_("上传的文件不是 BPMN 2.0 流程图（.bpmn）。"))
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper().replace("_", "-")
    text = raw.decode("utf-8") if encoding in ("UTF-8", "UTF8") else etree.tostring(root, encoding="unicode")
    process = drafts.main_process(root)
    named = sorted(lint.form_paths(root))
    upload = Upload(text, process.get("id") if process is not None else None,
                    (process.get("name") if process is not None else None) or "", named)
    if not upload.name:
        upload.name = upload.process_id or PurePosixPath(filename or "diagram").stem
    for path in named:
        match = _matching(path, files)
        if match is None:
            continue
        try:
            schema = json.loads(files[match].decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            schema = None
        if isinstance(schema, dict):
            upload.forms[path] = schema
        else:
            upload.unreadable.append(match)
    return upload


def _matching(path: str, files: dict[str, bytes]) -> str | None:
    """The uploaded file a diagram's form path names: the same path (or ending in it), else the same file name."""
    for name in files:
        if name == path or name.endswith("/" + path):
            return name
    base = PurePosixPath(path).name
    same = [name for name in files if PurePosixPath(name.replace("\\", "/")).name == base]
    return same[0] if len(same) == 1 else None


def suggest_key(session: Session, upload: Upload) -> str:
    """The diagram's own id when it is already a key here (a new version of that procedure, to confirm), otherwise a
    free key made from the id (when it has the product's form) or the name."""
    pid = upload.process_id or ""
    if drafts.KEY.match(pid) and exists(session, pid):
        return pid
    if drafts.KEY.match(pid):
        return free_key(session, pid)
    return free_key(session, upload.name if re.search(r"[\u4e00-\u9fff]", upload.name) else (pid or upload.name))


def plan(session: Session, upload: Upload, key: str) -> Plan:
    key = (key or "").strip()
    if not drafts.KEY.match(key):
        raise XieshangError(N_("流程编号须以小写字母开头，只含小写字母、数字和下划线（2～60 个字符），例如 visit_record。"))
    draft = session.get(DraftDiagram, key)
    latest = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                             .order_by(ProcessVersion.version.desc()).limit(1)).first()
    existing = drafts.form_files(session, key) if (draft or latest) else {}
    result = Plan(key, upload, {}, [], [], [], None)
    for path in upload.named:
        if path in upload.forms:
            result.forms[path], _ = upload.forms[path], result.from_upload.append(path)
        elif path in existing:
            result.forms[path], _ = existing[path], result.from_existing.append(path)
        else:
            result.missing.append(path)
    if draft is not None or latest is not None:
        result.replaces = "draft" if draft is not None else "deployed"
        result.replaced_name = (draft.name if draft is not None else latest.name) or key
        result.base_version = latest.version if latest is not None else None
        before = _Snapshot(draft.bpmn_xml if draft is not None else latest.bpmn_xml, existing)
        after = _Snapshot(upload.xml, {**{p: s for p, s in existing.items() if p not in result.forms}, **result.forms})
        result.changes = versions.diff(before, after)
    return result


@dataclass
class _Snapshot:
    bpmn_xml: str
    forms: dict


def apply(session: Session, planned: Plan, actor: User | None, *, confirmed: bool = False):
    """Write the working copy the plan describes; replacing something needs `confirmed`."""
    if planned.replaces and not confirmed:
        raise Conflict(N_("流程编号 %(key)s 已被“%(name)s”使用：请确认替换，或换一个编号。",
                          key=planned.key, name=planned.replaced_name))
    return drafts.replace(session, planned.key, planned.upload.name, planned.upload.xml, planned.forms, actor,
                          base_version=planned.base_version)


def import_file(session: Session, raw: bytes, filename: str, actor: User | None, key: str | None = None,
                extra_forms: list[tuple[str, bytes]] = (), confirmed: bool = False) -> DraftDiagram:
    """Read, plan and apply in one go (scripts and tests): under `key`, by default the one proposed."""
    upload = read(raw, filename, list(extra_forms))
    return apply(session, plan(session, upload, key or suggest_key(session, upload)), actor, confirmed=confirmed)
