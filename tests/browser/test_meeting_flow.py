"""季协商座谈会 (`quarterly_forum`) end to end in Chromium, each step by the person whose job it is, through the called
协商成果采纳、落实和反馈 (P9, `outcome`): started at 发起事项, prepared, researched, materials provided, held and
recorded, the outcome drafted and approved, sent to 县委办公室, read by a leader with an instruction (批示), the
instruction noted by the office, implemented by the department and fed back to the members and group who raised it.

季协商座谈会 and 专题协商会 share the same shortest path; the forum has no branch to choose (one outcome kind, one
approver), 专题协商会 adds a 政协党组 signature. Only 县委办公室 is sent the outcome (one reading); one department
provides materials (kept to cover the 承办单位 lane) and implements the instruction."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .person import Person as BrowserPerson, pick
from sqlalchemy import select

from engine import db as engine_db
from engine.models import Instance
from engine.procedures.consultation.records import (Attendance, Consultation, ConsultationMaterial, Feedback,
                                                    Implementation, Instruction, Meeting, Outcome)

pytestmark = pytest.mark.browser

TITLE = "关于推进县域冷链物流发展的协商"
INSTRUCTION = "请县发改委牵头研究，六月底前报送落实情况。"
IMPL_REPORT = "已制定冷链物流发展实施方案，落实专项资金 300 万元。"
FEEDBACK = "钱进副书记已作批示，县发改委已制定实施方案并落实专项资金。"
OUTCOME_TITLE = "关于加快县域冷链物流发展的建议"


class Person(BrowserPerson):
    prefix, title = "meeting", TITLE

    def open_task(self, step: str) -> None:
        super().open_task(step)
        expect(self.page.locator(".meta")).to_contain_text("季协商座谈会")

    def submit_task(self) -> None:
        self.page.get_by_role("button", name="提交", exact=True).click()
        expect(self.page).to_have_url(re.compile(r"/inbox"))
        expect(self.page.locator(".flash")).to_have_text("已提交")

    def sees_nothing_of_it(self) -> None:
        self.page.goto("/inbox")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("我的待办")
        expect(self.page.locator("main")).not_to_contain_text(TITLE)

    def fill(self, values: dict[str, str]) -> None:
        for label, value in values.items():
            self.page.get_by_label(label).fill(value)


def test_quarterly_forum_from_start_to_the_feedback_on_its_outcome(new_context, live_server, tmp_path, artifacts):
    def person(username: str) -> Person:
        return Person(new_context, live_server, artifacts, username)

    # 政协办公室 发起 an ad-hoc forum on a topic raised by 县政府
    office = person("office1")
    page = office.page
    page.get_by_role("link", name="发起事项").click()
    expect(page).to_have_url(re.compile(r"/processes$"))
    page.get_by_role("link", name="季协商座谈会").click()
    expect(page).to_have_url(re.compile(r"/processes/quarterly_forum/start$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("季协商座谈会")
    expect(page.get_by_label("提出议题的单位")).to_be_hidden()  # only for topics raised outside the plan
    page.get_by_label("县政府交办或提出").check()
    pick(page.get_by_role("combobox", name="提出议题的单位"), "zfb")
    office.fill({"协商议题": TITLE, "议题说明": "冷链设施不足，农产品损耗大。", "牵头领导": "李副主席",
                 "联系的党政分管领导": "孙立（副县长）", "计划日期": "2026-03-20"})
    pick(page.get_by_role("combobox", name="牵头专门委员会"), "jjw")
    pick(page.get_by_role("combobox", name="提供协商材料的部门"), ["fgw"])
    office.shot("01-start")
    page.get_by_role("button", name="发起").click()
    expect(page.locator(".flash")).to_have_text("已发起")
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    instance_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".meta")).to_contain_text("办理中")
    expect(page.locator(".open-steps")).to_contain_text("会议筹备")

    # a member sees nothing of the office's work
    person("member1").sees_nothing_of_it()

    # 会议筹备
    office.open_task("会议筹备")
    readonly = page.locator("section.readonly")
    expect(readonly).to_contain_text("县政府交办或提出")
    expect(readonly).to_contain_text("县政协经济委员会")
    office.fill({"会议日期": "2026-03-20", "会议地点": "政协三楼会议室", "主持人": "吴海",
                 "邀请的党政领导": "孙立（副县长）", "邀请的专家学者": "王教授（通辽职业学院）"})
    pick(page.get_by_role("combobox", name="邀请参加的部门"), ["fgw", "czj"])
    office.submit_task()

    # 专门委员会 会前调研 ∥ 承办单位 提供协商材料
    person("nyw_clerk").sees_nothing_of_it()  # another committee
    jjw = person("jjw_clerk")
    jjw.open_task("会前调研")
    jjw.fill({"调研题目": "县域冷链物流专题调研", "牵头领导": "李副主席", "开始日期": "2026-03-02",
              "结束日期": "2026-03-06", "调研地点和单位": "开鲁镇、东风镇", "参加调研的专家": "王教授（通辽职业学院）",
              "调研报告": "调研发现冷库容量不足、冷链运输短缺、标准不统一三个问题。"})
    pick(jjw.page.get_by_role("combobox", name="参加调研的委员"), ["member1", "member2"])
    jjw.shot("02-research")
    jjw.submit_task()

    czj = person("czj_clerk")
    czj.sees_nothing_of_it()  # another department
    fgw = person("fgw_clerk")
    fgw.open_task("提供协商材料")
    expect(fgw.page.locator("section.readonly")).to_contain_text("政协三楼会议室")
    fgw.fill({"材料名称": "全县冷链物流发展情况汇报", "材料内容摘要": "现有冷库 12 座，库容 3 万吨。",
              "报送日期": "2026-03-16"})
    fgw.submit_task()

    # 召开会议并记录: members one by one as present, excused or absent
    office.open_task("召开会议并记录")
    readonly = page.locator("section.readonly")
    expect(readonly).to_contain_text("冷库容量不足")
    expect(readonly).to_contain_text("全县冷链物流发展情况汇报")
    office.fill({"会议日期": "2026-03-20", "会议地点": "政协三楼会议室", "主持人": "吴海",
                 "出席的党政领导": "孙立（副县长）", "到会的部门负责同志": "赵局长（县发改委）",
                 "到会的专家学者和其他人士": "王教授（通辽职业学院）",
                 "会议纪要": "会议听取了县发改委情况通报，委员发言讨论。",
                 "形成的共识和主要意见建议": "一致认为应加大冷链设施投入，建立长效机制。"})
    pick(page.get_by_role("combobox", name="出席委员"), ["member1", "member2", "member3"])
    pick(page.get_by_role("combobox", name="请假委员"), ["member4"])
    pick(page.get_by_role("combobox", name="缺席委员"), ["member5"])
    pick(page.get_by_role("combobox", name="到会部门"), ["fgw", "czj"])
    pick(page.get_by_role("combobox", name="发言委员"), ["member1", "member3"])
    office.shot("03-record")
    office.submit_task()

    # 形成协商成果 → 主席审定
    office.open_task("形成协商成果")
    expect(page.get_by_label("专题报告")).to_be_checked()
    office.fill({"成果标题": OUTCOME_TITLE, "主要内容和意见建议": "一、加大冷库建设投入；二、完善冷链运输体系；三、统一标准。",
                 "提出意见建议的团体": "县政协经济委员会"})
    pick(page.get_by_role("combobox", name="提出意见建议的委员"), ["member1", "member3"])
    office.submit_task()
    zhuxi = person("zhuxi")
    zhuxi.open_task("主席审定")
    expect(zhuxi.page.locator("section.readonly")).to_contain_text(OUTCOME_TITLE)
    zhuxi.page.get_by_label("同意报送").check()
    zhuxi.submit_task()

    # P9: 报送成果 to 县委办公室 only
    office.open_task("报送成果")
    readonly = page.locator("section.readonly")
    expect(readonly).to_contain_text(OUTCOME_TITLE)
    expect(readonly).to_contain_text("季协商座谈会 ")
    office.fill({"成果文号": "开政协〔2026〕5号", "报送日期": "2026-04-01"})
    expect(page.get_by_label("报送县委办公室")).to_be_checked()
    page.get_by_label("报送县政府办公室").uncheck()
    office.submit_task()

    person("zfb_clerk").sees_nothing_of_it()  # not sent to 县政府办公室
    xwb = person("xwb_clerk")
    xwb.open_task("登记呈阅（县委）")
    expect(xwb.page.locator("section.readonly")).to_contain_text("开政协〔2026〕5号")
    xwb.fill({"收文日期": "2026-04-02", "呈阅领导": "钱进副书记"})
    xwb.submit_task()

    # 领导阅批 with a 批示 naming the department to implement it
    leader = person("xwlingdao")
    leader.open_task("领导阅批（县委）")
    expect(leader.page.get_by_label("批示内容")).to_be_hidden()
    leader.fill({"阅批日期": "2026-04-06", "阅批领导": "钱进"})
    leader.page.get_by_label("作出批示").check()
    leader.fill({"批示内容": INSTRUCTION, "落实时限": "2026-06-30"})
    pick(leader.page.get_by_role("combobox", name="要求落实的部门"), ["fgw"])
    leader.shot("04-instruction")
    leader.submit_task()

    # the office notes the instruction; the department reports; the office feeds back
    office.open_task("登记县委领导批示")
    expect(page.locator("section.readonly")).to_contain_text(INSTRUCTION)
    office.fill({"告知日期": "2026-04-07"})
    office.submit_task()
    czj.sees_nothing_of_it()
    fgw.open_task("落实批示（县委）")
    expect(fgw.page.locator("section.readonly")).to_contain_text(INSTRUCTION)
    fgw.page.get_by_label("已落实", exact=True).check()
    fgw.fill({"落实（办理）情况报告": IMPL_REPORT, "报送日期": "2026-05-10"})
    fgw.submit_task()
    office.open_task("反馈办理情况")
    expect(page.locator("section.readonly")).to_contain_text(IMPL_REPORT)
    office.fill({"反馈日期": "2026-05-15", "反馈内容": FEEDBACK})
    page.get_by_label("书面").check()
    office.shot("05-feedback")
    office.submit_task()
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # the instance page: completed, with its history
    page.goto(f"/instances/{instance_id}")
    expect(page.locator(".meta")).to_contain_text("已办结")
    expect(page.locator(".open-steps")).to_contain_text("没有待办理的步骤")
    history = page.locator("section.history")
    for text in ("会议筹备", "会前调研", "提供协商材料", "召开会议并记录", "形成协商成果", "主席审定", "报送成果",
                 "登记呈阅（县委）", "领导阅批（县委）", "登记县委领导批示", "落实批示（县委）", "反馈办理情况",
                 "政协三楼会议室", OUTCOME_TITLE, "开政协〔2026〕5号", INSTRUCTION, IMPL_REPORT, FEEDBACK,
                 "王秀英（政协办公室）", "钱进（县委副书记）", "县发展和改革委员会"):
        expect(history).to_contain_text(text)
    office.shot("06-done")

    # the records, read back through the engine's own database layer
    engine = engine_db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        with engine_db.make_sessionmaker(engine)() as session:
            assert session.get(Instance, instance_id).status == "completed"
            record = session.scalars(select(Consultation).where(Consultation.instance_id == instance_id)).one()
            assert (record.form, record.title, record.topic_source, record.raised_by_unit, record.lead_committee,
                    record.status) == ("季协商座谈会", TITLE, "县政府交办或提出", "zfb", "jjw", "已办结")
            [material] = session.scalars(select(ConsultationMaterial)
                                         .where(ConsultationMaterial.consultation_id == record.id)).all()
            assert (material.unit_code, material.title) == ("fgw", "全县冷链物流发展情况汇报")

            research, meeting = session.scalars(select(Meeting).where(Meeting.consultation_id == record.id)
                                                .order_by(Meeting.id)).all()
            assert (research.kind, research.title, research.held_on.isoformat(), research.held_until.isoformat(),
                    research.presiding) == ("调研", "县域冷链物流专题调研", "2026-03-02", "2026-03-06", "李副主席")
            assert (meeting.kind, meeting.process_key, meeting.held_on.isoformat(), meeting.place, meeting.presiding,
                    meeting.consensus) == ("会议", "quarterly_forum", "2026-03-20", "政协三楼会议室", "吴海",
                                           "一致认为应加大冷链设施投入，建立长效机制。")
            people = [(a.category, a.username or a.unit_code or a.name, a.status, a.spoke)
                      for a in session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)
                                               .order_by(Attendance.id))]
            assert people == [
                ("委员", "member1", "出席", True), ("委员", "member2", "出席", False), ("委员", "member3", "出席", True),
                ("委员", "member4", "请假", False), ("委员", "member5", "缺席", False),
                ("党政领导", "孙立（副县长）", "出席", False), ("部门", "fgw", "出席", False), ("部门", "czj", "出席", False),
                ("部门负责同志", "赵局长（县发改委）", "出席", False), ("专家学者", "王教授（通辽职业学院）", "出席", False)]

            [outcome] = session.scalars(select(Outcome).where(Outcome.instance_id == instance_id)).all()
            assert (outcome.consultation_id, outcome.source_process, outcome.kind, outcome.title, outcome.status) == (
                record.id, "quarterly_forum", "专题报告", OUTCOME_TITLE, "已办结")
            assert (outcome.doc_no, outcome.sent_on.isoformat(), outcome.send_county, outcome.send_gov) == (
                "开政协〔2026〕5号", "2026-04-01", True, False)
            assert (outcome.county_leader, outcome.county_read_on.isoformat(), outcome.fed_back_on.isoformat()) == (
                "钱进", "2026-04-06", "2026-05-15")
            assert outcome.raised_by_members == ["member1", "member3"]
            assert outcome.raised_by_groups == ["县政协经济委员会"]

            [instruction] = session.scalars(select(Instruction).where(Instruction.outcome_id == outcome.id)).all()
            assert (instruction.channel, instruction.leader, instruction.text, instruction.impl_units,
                    instruction.instructed_on.isoformat(), instruction.impl_due.isoformat(),
                    instruction.notified_on.isoformat()) == (
                "县委", "钱进", INSTRUCTION, ["fgw"], "2026-04-06", "2026-06-30", "2026-04-07")
            [implementation] = session.scalars(select(Implementation)
                                               .where(Implementation.outcome_id == outcome.id)).all()
            assert (implementation.channel, implementation.unit_code, implementation.status, implementation.report,
                    implementation.reported_on.isoformat()) == ("县委批示", "fgw", "已落实", IMPL_REPORT, "2026-05-10")
            feedback = session.scalars(select(Feedback).where(Feedback.outcome_id == outcome.id)
                                       .order_by(Feedback.id)).all()
            assert [(f.recipient_kind, f.recipient) for f in feedback] == [
                ("委员", "member1"), ("委员", "member3"), ("团体", "县政协经济委员会")]
            assert {(f.method, f.content, f.fed_back_on.isoformat()) for f in feedback} == {
                ("书面", FEEDBACK, "2026-05-15")}
    finally:
        engine.dispose()
