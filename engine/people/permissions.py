"""Who may do what, answered in one place.

Each role in `processes/roles.json` lists the actions it may take (`"may": [...]`), loaded onto the role at deploy.
Views, templates (the menu) and engine checks all ask `can(person, action)`; no other module names a set of roles
for a permission. Who acts on a step of a diagram is a different question, answered by the step's lane (its role)
and candidates (engine/runtime/tasks.py).
"""
from __future__ import annotations

from engine.errors import Forbidden

ACTIONS: dict[str, str] = {
    "proposal.submit": "提交提案，查看我的提案",
    "proposal.register": "提案管理：查看、导出全部提案",
    "proposal.register_unit": "提案管理：查看、导出本单位主办或会办的提案",
    "proposal.statistics": "查看、导出提案统计",
    "sheqing.report": "报送社情民意",
    "sheqing.all": "查看全部社情民意",
    "duty.own": "查看本人的履职记录",
    "duty.oversee": "查看、导出全体委员的履职情况",
    "duty.assess": "启动委员年度履职考核",
    "duty.attendance": "查看全体委员出席情况",
    "duty.attendance_unit": "查看本单位委员的出席情况",
    "division.read": "查看任务分工督查",
    "division.assign": "下达分工任务",
    "cases.view_all": "查看所有事项的办理情况",
    "worklist.scope": "查看范围内全部在办事项（全部在办）",
    "opinions.instruct": "对事项作出批示",
    "roster.manage": "维护委员名册",
    "accounts.manage": "管理账号",
    "accounts.admin": "授予或收回系统管理员、流程管理员的角色",
    "holidays.manage": "维护节假日安排",
    "board.read": "查看年度看板",
    "board.manage": "调整年度看板的考核标准",
    "modeler.use": "设计、校验、发布流程",
    "audit.verify": "查看审计记录的完整性检查，立即检查",
}
# Roles carrying one of these actions are granted, taken away or touched only by someone who may `accounts.admin`.
PRIVILEGED = frozenset({"accounts.admin", "modeler.use"})


def can(person, action: str) -> bool:
    """Whether `person` (a User, or None) may take `action` through one of their roles."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")  # a typo must not quietly refuse (or allow) everyone
    return person is not None and any(action in (role.actions or ()) for role in person.roles)


def require(person, action: str, message: str) -> None:
    if not can(person, action):
        raise Forbidden(message)


def actions_of(roles) -> set[str]:
    return {action for role in roles for action in (role.actions or ())}


def unknown(actions) -> list[str]:
    """Actions a roles.json names that do not exist (refused when roles are loaded)."""
    return sorted(set(actions) - set(ACTIONS))
