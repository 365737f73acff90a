"""Drive the planning and consultation diagrams (P1–P7, P9) through the engine API, one commit per step."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from engine import clock
from engine.runtime import schedule
from engine.models import Instance
from engine.procedures.consultation.records import (Attendance, Consultation, Feedback, Implementation,
                                                    Instruction, Meeting, Outcome)

from .flow import Flow

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=clock.TZ)  # a Monday early in the year

NOTICE = {"meeting_date": "2026-03-20", "meeting_place": "政协三楼会议室", "presiding": "吴海",
          "invited_leaders": ["孙立（副县长）"], "invited_units": ["fgw"], "invited_experts": ["王教授（通辽职业学院）"]}
RESEARCH = {"research_title": "专题调研", "research_leader": "李副主席", "research_start": "2026-03-02",
            "research_end": "2026-03-06", "research_places": "开鲁镇、东风镇", "research_members": ["member1", "member2"],
            "research_experts": ["王教授（通辽职业学院）"], "research_report": "调研发现三个主要问题，提出五条建议。"}
MATERIAL = {"material_title": "有关工作情况汇报", "material_summary": "工作进展、存在的问题和下一步打算。",
            "provided_on": "2026-03-16"}
RECORD = {"held_on": "2026-03-20", "place": "政协三楼会议室", "presiding": "吴海",
          "members_present": ["member1", "member2", "member3"], "members_excused": ["member4"],
          "members_absent": ["member5"], "leaders_present": ["孙立（副县长）"], "units_present": ["fgw", "czj"],
          "dept_people": ["赵局长（县发改委）"], "experts_present": ["王教授（通辽职业学院）"],
          "speakers": ["member1", "member3"], "minutes": "会议听取了情况通报，委员发言讨论。",
          "consensus": "一致认为应加大投入，建立长效机制。"}
DRAFT = {"outcome_title": "关于加快发展的建议", "outcome_summary": "一、加大投入；二、完善机制；三、强化督查。",
         "raised_by_members": ["member1", "member3"], "raised_by_groups": ["县政协经济委员会"]}
SEND = {"doc_no": "开政协〔2026〕5号", "sent_on": "2026-04-01", "send_county": True, "send_gov": True}
IMPLEMENTED = {"impl_status": "已落实", "impl_report": "已制定实施方案并落实专项资金。", "reported_on": "2026-05-10"}
FEEDBACK = {"feedback_on": "2026-05-15", "feedback_method": "书面", "feedback_content": "领导已批示，有关部门已落实。"}


class ConsultationFlow(Flow):
    """Flow with the planning and consultation records, and `tick` as `xieshang tick` does it (all of it)."""

    def status(self, instance: Instance) -> str:
        self.session.expire_all()
        return self.session.scalar(select(Instance.status).where(Instance.id == instance.id))

    def tick(self, **delta) -> dict:
        clock.advance(dt.timedelta(**delta))
        result = schedule.tick(self.session)
        self.session.commit()
        return result

    # ---------------------------------------------------------------- records
    def consultation(self, instance: Instance) -> Consultation:
        self.session.expire_all()
        return self.session.scalars(select(Consultation).where(Consultation.instance_id == instance.id)).one()

    def outcomes(self, instance: Instance) -> list[Outcome]:
        self.session.expire_all()
        return list(self.session.scalars(select(Outcome).where(Outcome.instance_id == instance.id)
                                         .order_by(Outcome.id)))

    def meetings(self, instance: Instance, kind: str | None = None) -> list[Meeting]:
        self.session.expire_all()
        query = (select(Meeting).join(Consultation, Consultation.id == Meeting.consultation_id)
                 .where(Consultation.instance_id == instance.id).order_by(Meeting.id))
        if kind:
            query = query.where(Meeting.kind == kind)
        return list(self.session.scalars(query))

    def attendance(self, meeting: Meeting) -> list[Attendance]:
        return list(self.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)
                                         .order_by(Attendance.id)))

    def count(self, model, *criteria) -> int:
        return self.session.scalar(select(func.count()).select_from(model).where(*criteria))

    def children(self, outcome: Outcome) -> tuple[list[Instruction], list[Implementation], list[Feedback]]:
        self.session.expire_all()
        return tuple(list(self.session.scalars(select(model).where(model.outcome_id == outcome.id).order_by(model.id)))
                     for model in (Instruction, Implementation, Feedback))

    # ---------------------------------------------------------------- P9 as called or started
    def outcome_path(self, instance: Instance, *, county: bool = True, gov: bool = True, units=(),
                     county_instruction: str | None = "请有关部门认真研究落实。", county_impl=("fgw",),
                     gov_instruction: str | None = None, gov_impl=(), feedback: bool = True) -> Instance:
        """The office sends; each office routes to a leader; instructions are noted and implemented; the office
        feeds back. Leaves the instance after the last P9 step."""
        self.do("office1", instance, "send", {**SEND, "send_county": county, "send_gov": gov, "send_units": list(units)})
        for side, clerk, leader, instruction, impl in (
                ("county", "xwb_clerk", "xwlingdao", county_instruction, county_impl),
                ("gov", "zfb_clerk", "lingdao", gov_instruction, gov_impl)):
            if not (county if side == "county" else gov):
                continue
            self.do(clerk, instance, f"{side}_receive", {f"{side}_received_on": "2026-04-02",
                                                         f"{side}_submitted_to": "分管领导"})
            read = {f"{side}_read_on": "2026-04-06", f"{side}_leader": "钱进" if side == "county" else "孙立",
                    f"{side}_instructed": bool(instruction)}
            if instruction:
                read.update({f"{side}_instruction": instruction, f"{side}_impl_units": list(impl),
                             f"{side}_impl_due": "2026-06-30"})
            self.do(leader, instance, f"{side}_read", read)
            if instruction:
                self.do("office1", instance, f"{side}_notice", {f"{side}_notified_on": "2026-04-07"})
                for unit in impl:
                    self.do(f"{unit}_clerk", instance, f"{side}_implement", IMPLEMENTED)
        for unit in units:
            self.do(f"{unit}_clerk", instance, "dept_handle", {**IMPLEMENTED, "impl_status": "作为工作参考"})
        if feedback:
            self.do("office1", instance, "feedback", FEEDBACK)
        return instance

    # ---------------------------------------------------------------- P3/P4/P5 up to the outcome
    def meeting_to_outcome(self, instance: Instance, *, committee: str = "jjw", material_units=("fgw", "czj"),
                           research: bool = True, kind: str | None = None, approver: tuple[str, str] = ("zhuxi", "approve"),
                           record: dict | None = None) -> Instance:
        """notice → research ∥ materials → record → draft → approval; stops at P9's first step (send)."""
        self.do("office1", instance, "notice", NOTICE)
        if research:
            self.do(f"{committee}_clerk", instance, "research", RESEARCH)
        for unit in material_units:
            self.do(f"{unit}_clerk", instance, "provide_materials", MATERIAL)
        self.do("office1", instance, "record", record or RECORD)
        draft = dict(DRAFT)
        if kind:
            draft["outcome_kind"] = kind
        self.do("office1", instance, "draft", draft)
        user, step = approver
        self.do(user, instance, step, {"approval": "通过" if step == "adopt" else "同意报送"})
        return instance
