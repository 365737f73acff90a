"""The Atom feed (RFC 4287) of published proposals, written with the standard library's ElementTree."""
from __future__ import annotations

import datetime as dt
from typing import Callable
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from engine import clock
from engine.procedures.proposal.disclosure import Published
from web.views import local

ATOM = "http://www.w3.org/2005/Atom"


def atom(items: list[Published], *, self_url: str, home: str, link: Callable[[Published], str]) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _add(root, "id", self_url)
    _add(root, "title", _("县政协公开提案"))
    _add(root, "updated", _stamp(max((p.updated_at for p in items), key=local, default=None)))
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=home)
    _add(ET.SubElement(root, f"{{{ATOM}}}author"), "name", _("县政协办公室"))
    for p in items:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        url = link(p)
        _add(entry, "id", url)
        _add(entry, "title", f"{p.number} {p.title}")
        _add(entry, "updated", _stamp(p.updated_at))
        _add(entry, "published", _stamp(p.submitted_at))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        _add(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", p.proposer)
        if p.category:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=p.category)
        summary = _("答复类别：%(result)s", result=p.result_class) if p.result_class else p.content[:200]
        _add(entry, "summary", summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _add(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element


def _stamp(value: dt.datetime | None) -> str:
    return (local(value) or clock.now()).isoformat(timespec="seconds")
