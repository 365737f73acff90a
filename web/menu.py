"""The main menu as data: each entry's page, label and the action that shows it (engine/people/permissions.py), so the menu
and the pages' own checks cannot disagree (tests/web/test_menu.py walks every demo role)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_login import current_user

from engine.people import permissions
from web.i18n import N_


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: str
    actions: tuple[str, ...]  # any of these shows it; () for everyone logged in
    current: str  # the endpoints (prefix) it is the current entry for

    def shown_to(self, person) -> bool:
        return not self.actions or any(permissions.can(person, action) for action in self.actions)


MENU = (
    Entry("inbox.index", N_("我的待办"), (), "inbox."),
    Entry("proposals.new", N_("提交提案"), ("proposal.submit",), "proposals.new"),
    Entry("proposals.index", N_("我的提案"), ("proposal.submit",), "proposals.index"),
    Entry("proposals.register", N_("提案管理"), ("proposal.register", "proposal.register_unit"), "proposals.register"),
    Entry("proposals.statistics", N_("提案统计"), ("proposal.statistics",), "proposals.statistics"),
    Entry("public.index", N_("提案公开"), (), "public."),
    Entry("processes.index", N_("发起事项"), (), "processes."),
    Entry("modeler.index", N_("流程设计"), ("modeler.use",), "modeler."),
    Entry("sheqing.index", N_("社情民意"), ("sheqing.report",), "sheqing.index"),
    Entry("sheqing.all_items", N_("全部社情民意"), ("sheqing.all",), "sheqing.all_items"),
    Entry("duty.me", N_("我的履职"), ("duty.own",), "duty.me"),
    Entry("duty.members", N_("委员履职"), ("duty.oversee",), "duty.member"),
    Entry("roster.index", N_("委员名册"), ("roster.manage",), "roster."),
    Entry("accounts.index", N_("账号管理"), ("accounts.manage",), "accounts."),
    Entry("board.index", N_("年度看板"), ("board.read",), "board."),
    Entry("holidays.index", N_("节假日安排"), ("holidays.manage",), "holidays."),
    Entry("integrity.index", N_("完整性检查"), ("audit.verify",), "integrity."),
    Entry("duty.attendance", N_("委员出席情况"), ("duty.attendance", "duty.attendance_unit"), "duty.attendance"),
    Entry("duty.division_board", N_("任务分工督查"), ("division.read",), "duty.division_board"),
)


def entries() -> list[Entry]:
    """The entries the logged-in person is shown."""
    return [entry for entry in MENU if entry.shown_to(current_user)]


def can(action: str) -> bool:
    """For templates: whether the logged-in person may take `action`."""
    return current_user.is_authenticated and permissions.can(current_user, action)


def init_app(app: Flask) -> None:
    app.add_template_global(entries, "menu_entries")
    app.add_template_global(can, "can")
    app.add_template_global(lambda entry: (request.endpoint or "").startswith(entry.current), "menu_current")
