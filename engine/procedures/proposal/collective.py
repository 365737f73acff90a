"""集体提案: a body on the roster (engine/people/bodies.py) submits through its contact person. The body is the
proposer: no member is asked to co-sign, the contact person receives the reply and evaluates it for the body, and the
proposal counts for no member's 五个一 except the members named as its authors (执笔), who are not asked either."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import FormInvalid
from engine.i18n import N_
from engine.models import User
from engine.people import bodies


def check_start(session: Session, actor: User, data: dict) -> tuple[str | None, list[str]]:
    """(the body's code or None, the authors named) of a submission, or FormInvalid saying what is wrong."""
    code = (data.get("body") or "").strip() or None
    authors = [a for a in data.get("authors") or [] if a]
    errors: dict[str, str] = {}
    if code is None:
        if authors:
            errors["authors"] = N_("执笔委员只用于集体提案；委员个人或联名提案请选择联名委员")
        if data.get("author_self"):
            errors["author_self"] = N_("只有集体提案需要写明执笔委员")
    else:
        problem = bodies.contact_problem(session, code, actor)
        if problem:
            errors["body"] = problem
        if data.get("cosigners"):
            errors["cosigners"] = N_("集体提案以单位名义提出，不征集联名委员；执笔的委员请填在“执笔委员”中")
    if errors:
        raise FormInvalid(errors)
    if code is not None and data.get("author_self") and actor.username not in authors:
        authors.insert(0, actor.username)  # the contact person wrote it too
    return code, authors
