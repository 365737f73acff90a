"""Errors the engine raises; each carries a sentence a clerk can read and an HTTP-like status."""
from __future__ import annotations

from dataclasses import dataclass

from engine.i18n import N_, joined


class XieshangError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(XieshangError):
    status = 404


class Forbidden(XieshangError):
    status = 403


class Conflict(XieshangError):
    status = 409


class TooLarge(XieshangError):
    status = 413


class FormInvalid(XieshangError):
    status = 422

    def __init__(self, errors: dict[str, str], message: str = N_("填写的内容有误，请按提示修改后再提交。")):
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str

    def __str__(self) -> str:
        return str(self.shown())

    def shown(self) -> str:
        return N_("[%(element)s] %(message)s", element=self.element_id, message=self.message) if self.element_id \
            else self.message


class DeployError(XieshangError):
    status = 400

    def __init__(self, problems: list[Problem], message: str | None = None):
        problems = list(problems)
        super().__init__(message or N_("流程图未通过校验：%(problems)s", problems=joined(p.shown() for p in problems)))
        self.problems = problems


class ScriptRefused(XieshangError):
    """An expression uses something outside the restricted expression language."""
