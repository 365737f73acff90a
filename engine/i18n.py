"""Sentences the engine says to people, marked for translation without knowing the language.

`N_("没有名为 %(key)s 的流程。", key=key)` is a `Message`: a str holding the Chinese sentence (so the engine, the logs
and the tests read it as before) that also remembers its catalogue id and its values. Whoever shows it translates it
(the web app through Flask-Babel's catalogue, web/i18n.py); `pybabel extract` finds `N_` here as in web/ (babel.cfg).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable


class Message(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def translate(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {key: translate(value, gettext) for key, value in self.params.items()}


class Joined(Message):
    """Several messages shown as one (the problems of a form, of a diagram), each translated."""
    items: tuple[Any, ...]

    def __new__(cls, items: Iterable[Any], separator: str = "；") -> Joined:
        items = tuple(items)
        text = str.__new__(cls, separator.join(map(str, items)))
        text.msgid, text.params, text.items, text.separator = separator, {}, items, separator
        return text

    def translate(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.separator).join(translate(item, gettext) for item in self.items)


def N_(msgid: str, **params: Any) -> Message:  # noqa: N802 - the name gettext tools look for
    return Message(msgid, **params)


def joined(items: Iterable[Any], separator: str = "；") -> Joined:
    return Joined(items, separator)


def translate(value: Any, gettext: Callable[[str], str]) -> Any:
    """A message in the catalogue's language; anything else as it is."""
    return value.translate(gettext) if isinstance(value, Message) else value
