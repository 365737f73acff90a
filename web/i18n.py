"""Chinese first; English with ?lang=en (remembered in the session cookie, the user's own setting)."""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

def N_(message: str) -> str:
    """Marks a string for extraction; translated where it is shown."""
    return message


LANGUAGES = {"zh_CN": "中文", "en": "English"}
babel = Babel()


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return session.get("lang") or "zh_CN"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
