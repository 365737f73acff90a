"""Keys of procedures in the product's form (lower-case letters, digits, underscores), made from a name or an id: used
when a procedure is created from the template and when a diagram is imported."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.records import DraftDiagram
from engine.models import ProcessVersion


def exists(session: Session, key: str) -> bool:
    return session.get(DraftDiagram, key) is not None or session.scalar(
        select(ProcessVersion.id).where(ProcessVersion.process_key == key).limit(1)) is not None


def key_from(text: str) -> str:
    """A key in the product's form (lower-case letters, digits, underscores) from a name or an id; Chinese by pinyin."""
    from pypinyin import lazy_pinyin

    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text or "")  # camelCase → camel_case
    words = lazy_pinyin(text, errors=lambda chars: re.sub(r"[^A-Za-z0-9]+", "_", chars))
    slug = "_".join(w for w in (re.sub(r"[^a-z0-9]+", "_", word.lower()).strip("_") for word in words) if w)
    slug = re.sub(r"_+", "_", slug).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"p_{slug}".rstrip("_")
    slug = slug[:60].rstrip("_")
    return slug if len(slug) >= 2 else "procedure"


def free_key(session: Session, text: str) -> str:
    base = key_from(text)
    key, n = base, 2
    while exists(session, key):
        suffix = f"_{n}"
        key, n = base[:60 - len(suffix)] + suffix, n + 1
    return key
