"""Attachments of a case: upload (from the case page or a task form), permission-checked download, and the
template helpers the form renderer uses for file fields. Task-form drafts live in web/attachments/drafts.py."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from engine.cases import attachments
from engine.errors import Forbidden, NotFound, XieshangError
from engine.models import Instance
from engine.cases.records import Attachment
from web.db import get_session
from web.db import settings
from web.errors import refuse
from web.users import actor

bp = Blueprint("attachments", __name__)
log = logging.getLogger("xieshang.audit")


def store() -> attachments.Store:
    """From the app's settings: files_dir (default instance/files), upload_max_mb, upload_types (default every kind
    engine.attachments knows)."""
    given = settings()
    root = given.files_dir or Path(current_app.instance_path) / "files"
    types = given.upload_types
    extensions = frozenset(t for t in types if t in attachments.TYPES) if types else frozenset(attachments.TYPES)
    return attachments.Store(root=Path(root), max_bytes=int(given.upload_max_mb * attachments.MB),
                             extensions=extensions)


def limit_request(files: attachments.Store) -> None:
    """Refuse an oversized request body before reading it (a little room for the other form fields)."""
    limit = files.max_bytes + attachments.MB
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    request.max_content_length = limit  # a body without a declared length is cut off while it is read


def take_upload(files: attachments.Store, instance: Instance, upload: Any, **where: Any) -> Attachment:
    content = attachments.read_limited(upload.stream, files, upload.filename or "")
    return attachments.add(get_session(), files, actor(), instance, upload.filename or "", content, **where)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(err: RequestEntityTooLarge):
    mb = f"{store().max_bytes / attachments.MB:g}"
    return refuse(413, _("文件超过 %(mb)s MB，不能上传。请压缩或拆分后再上传。", mb=mb))


@bp.post("/instances/<int:instance_id>/attachments")
@login_required
def upload(instance_id: int):
    db, files = get_session(), store()
    limit_request(files)
    instance = db.get(Instance, instance_id)
    if instance is None:
        raise NotFound(_("没有找到该事项。"))
    chosen = request.files.get("file")
    if chosen is None or not chosen.filename:
        raise XieshangError(_("请选择要上传的文件。"))
    row = take_upload(files, instance, chosen)
    flash(_("已上传附件“%(name)s”", name=row.filename), "success")
    return redirect(url_for("instances.detail", instance_id=instance_id, _anchor="attachments"))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    db = get_session()
    row = attachments.get_for(db, actor(), attachment_id)
    path = store().path(row.sha256)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", row.id, path)
        raise NotFound(_("附件文件已丢失，请联系管理员。"))
    log.info("download attachment=%s instance=%s user=%s", row.id, row.instance_id, current_user.username)
    response = send_file(path, mimetype=row.media_type, as_attachment=True, download_name=row.filename,
                         etag=row.sha256, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# Template helpers for file fields (_form.html) ----------------------------------------------------------------------
@bp.app_template_global()
def attachment_info(value: Any) -> Attachment | None:
    """The attachment a file field holds, if the current user may see it."""
    try:
        attachment_id = int(value)
    except (TypeError, ValueError):
        return None
    try:
        return attachments.get_for(get_session(), actor(), attachment_id)
    except (NotFound, Forbidden):
        return None


@bp.app_template_global()
def upload_rules() -> dict[str, Any]:
    if "upload_rules" not in g:
        files = store()
        mb = f"{files.max_bytes / attachments.MB:g}"
        g.upload_rules = {
            "accept": ",".join(f".{ext}" for ext in sorted(files.extensions)),
            "max_bytes": files.max_bytes,
            "text": _("单个文件不超过 %(mb)s MB；可上传 PDF、Word、Excel、PowerPoint、JPG/PNG 图片、TXT 文本和 ZIP 压缩包。",
                      mb=mb),
            "too_large": _("文件超过 %(mb)s MB，不能上传。请压缩或拆分后再上传。", mb=mb),
        }
    return g.upload_rules


@bp.app_template_global()
def form_script() -> str:
    return url_for("static", filename="js/forms.js")


@bp.app_template_filter("file_name")
def file_name(name) -> str:
    """An attachment's name as recorded in a case's history (events keep what was uploaded, before names lost their
    bidirectional and other invisible controls): shown without them."""
    return attachments.strip_invisible(str(name or ""))


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < attachments.MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / attachments.MB:.1f} MB"


from web.attachments import drafts  # noqa: E402,F401 - registers the task-form draft route
