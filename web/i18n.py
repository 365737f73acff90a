"""Chinese first; English with ?lang=en (remembered in the session cookie, the user's own setting)."""
from __future__ import annotations

from functools import lru_cache

from typing import Any, Mapping

from babel import Locale
from flask import Flask, request, session
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from engine.i18n import Message


def N_(message: str) -> str:
    """Marks a string for extraction; translated where it is shown."""
    return message


def translated(value: Any) -> Any:
    """An engine message (engine.i18n.Message) in the request's language; anything else as it is."""
    if not isinstance(value, Message):
        return value
    return value.translate(get_translations().ugettext)


def translated_errors(errors: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: translated(value) for key, value in (errors or {}).items()}


def _finalize(value: Any) -> Any:  # every {{ … }} of a template: engine messages come out translated
    return translated(value) if isinstance(value, Message) else value


LANGUAGES = {"zh_CN": "中文", "en": "English"}
babel = Babel()


@lru_cache(maxsize=len(LANGUAGES))
def _locale(code: str) -> Locale:
    return Locale.parse(code)  # parsing CLDR data costs ~0.4 ms; two languages, parsed once each


def select_locale() -> Locale:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    code = session.get("lang")
    return _locale(code if code in LANGUAGES else "zh_CN")


def template_gettext() -> dict[str, Any]:
    """`_`, `gettext`, `ngettext`, … bound to this request's catalog once per rendered template. Flask-Babel's own
    template callables look the request's locale and catalog up again on every call (≈400 on an inbox page); these
    behave as Jinja's "newstyle" ones do (escaped under autoescape, always %-formatted). Templates imported without
    context keep Flask-Babel's, which give the same text."""
    translations = get_translations()
    ugettext, ungettext = translations.ugettext, translations.ungettext
    upgettext, unpgettext = translations.upgettext, translations.unpgettext

    @pass_eval_context
    def gettext(eval_ctx, string: str, /, **variables: Any) -> str:
        text = ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def pgettext(eval_ctx, context: str, string: str, /, **variables: Any) -> str:
        variables.setdefault("context", context)
        text = upgettext(context, string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        text = unpgettext(context, singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(template_gettext)
    app.jinja_env.finalize = _finalize
