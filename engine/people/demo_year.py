"""A demonstration year: the demo people do a year of work through the same engine calls as real work (start,
complete, timers), the clock moved from step to step, so that a first `make run` shows a filled 年度看板, 提案管理, 公开
and inbox: proposals finished and published, finished and kept private, under way, overdue and not admitted; a
quarterly forum of the first quarter with its outcome fed back; a topical meeting under way. Run once per database."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Instance, OpenTask, User
from engine.runtime import schedule, verbs as runtime

SUBMITS = [  # proposer, title, category, content, suggestion
    ("member1", "关于加快城区老旧小区改造的建议", "社会", "城区老旧小区管网老化，居民反映强烈。", "摸清底数，分年度实施，引入社会资本。"),
    ("member2", "关于加强农村义务教育学校师资配备的建议", "文化", "部分农村学校音体美教师短缺。", "推行县域内教师交流轮岗，定向培养紧缺学科教师。"),
    ("member3", "关于完善县域医共体建设的建议", "社会", "乡镇卫生院服务能力不足，群众看病仍往县城跑。", "推进县乡村一体化管理，下沉专家号源。"),
    ("member4", "关于发展设施农业促进农民增收的建议", "经济", "设施农业规模小、品牌弱。", "整合涉农资金，扶持合作社建设冷棚和温室。"),
    ("member5", "关于优化营商环境提升政务服务效率的建议", "经济", "企业办事仍需多头跑。", "推行一窗受理、一网通办，压缩审批时限。"),
    ("member1", "关于规范城区停车秩序的建议", "生态文明", "城区停车难、乱停车现象突出。", "规划建设公共停车场，推行智慧停车。"),
    ("member2", "关于加强未成年人心理健康教育的建议", "社会", "学生心理问题呈上升趋势。", "每校配备心理教师，建立家校联动机制。"),
]
REPLY = {"contact_method": "面对面", "contact_date": "2026-04-20", "result_class": "A",
         "meeting_attendees": "承办单位负责人、经办人和提案人", "reply_text": "已纳入本年度工作计划，正在组织实施，年底前完成。", "agree_publish": True}
FORUM = {"title": "关于推进县域冷链物流发展的协商", "topic_source": "县政府交办或提出", "raised_by_unit": "zfb",
         "lead_committee": "jjw", "leaders": "李副主席", "planned_date": "2026-03-20", "material_units": [],
         "gov_leaders": ["孙立（副县长）"]}
NOTICE = {"meeting_date": "2026-03-20", "meeting_place": "政协三楼会议室", "presiding": "吴海",
          "invited_leaders": ["孙立（副县长）"], "invited_units": ["fgw"], "invited_experts": []}
RESEARCH = {"research_title": "冷链物流专题调研", "research_leader": "李副主席", "research_start": "2026-03-02",
            "research_end": "2026-03-06", "research_places": "开鲁镇、东风镇", "research_members": ["member1", "member2"],
            "research_experts": [], "research_report": "调研发现冷库容量不足、运输成本高，提出五条建议。"}
RECORD = {"held_on": "2026-03-20", "place": "政协三楼会议室", "presiding": "吴海",
          "members_present": ["member1", "member2", "member3"], "members_excused": ["member4"], "members_absent": [],
          "leaders_present": ["孙立（副县长）"], "units_present": ["fgw"], "dept_people": [], "experts_present": [],
          "speakers": ["member1", "member3"], "minutes": "会议听取了情况通报，委员发言讨论。",
          "consensus": "一致认为应加快冷链设施建设，降低物流成本。"}
DRAFT = {"outcome_title": "关于加快县域冷链物流发展的建议", "outcome_summary": "一、建设产地冷库；二、培育物流主体；三、落实用地用电政策。",
         "raised_by_members": ["member1", "member3"], "raised_by_groups": []}


def load_year(session: Session, year: int | None = None) -> bool:
    """Run the demonstration year once (False when the database already has work in it): this year from October on,
    else last year, so that every step it takes is in the past."""
    if session.scalar(select(func.count()).select_from(Instance)):
        return False
    today = clock.now()
    year = year or (today.year if today.month >= 10 else today.year - 1)
    try:
        _run(session, year, today)
    finally:
        clock.reset()
    return True


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=clock.TZ)


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _do(session: Session, username: str, instance: Instance, step: str, data: dict) -> None:
    task = session.scalar(select(OpenTask.id).where(OpenTask.instance_id == instance.id, OpenTask.bpmn_id == step)
                          .order_by(OpenTask.created_at).limit(1))
    runtime.complete_task(session, _user(session, username), task, data)
    session.flush()


def _run(session: Session, year: int, today: dt.datetime) -> None:
    proposals = []
    for n, (who, title, category, content, suggestion) in enumerate(SUBMITS):
        clock.set_now(_at(year, 1, 8 + n))
        proposals.append(runtime.start_instance(session, _user(session, who), "proposal", {
            "title": title, "category": category, "content": content, "suggestion": suggestion}))
    finished_public, finished_private, replied, overdue, handling, not_admitted, waiting = proposals
    clock.set_now(_at(year, 1, 20))
    _do(session, "tiwei", not_admitted, "review", {"decision": "不立案", "reason": "属于个人诉求，建议通过信访渠道反映。"})
    for number, instance in enumerate((finished_public, finished_private, replied, overdue, handling)):
        leaders = {"lead_leader": "lingdao", "oversight_leader": "zhuxi"} if number == 0 else {}
        _do(session, "tiwei", instance, "review", {"decision": "立案", "is_key": number == 0, **leaders})
    clock.set_now(_at(year, 1, 26))
    for instance, unit in ((finished_public, "czj"), (finished_private, "jyj"), (replied, "wjw"), (overdue, "nmj"),
                           (handling, "fgw")):
        _do(session, "office1", instance, "assign", {"lead_unit": unit, "co_units": []})
    clock.set_now(_at(year, 1, 28))
    for instance, unit in ((finished_public, "czj"), (finished_private, "jyj"), (replied, "wjw"), (overdue, "nmj"),
                           (handling, "fgw")):
        _do(session, f"{unit}_clerk", instance, "accept", {"accept_decision": "签收"})
    clock.set_now(_at(year, 2, 10))  # the key proposal's 领办（面商）会
    _do(session, "lingdao", finished_public, "lead_meeting", {
        "lead_meeting_date": f"{year}-02-10", "lead_meeting_units": ["czj"], "lead_meeting_proposer": True,
        "lead_meeting_note": "明确改造资金由县财政统筹，分两批实施。"})
    clock.set_now(_at(year, 4, 20))
    for instance, unit in ((finished_public, "czj"), (finished_private, "jyj"), (replied, "wjw")):
        _do(session, f"{unit}_clerk", instance, "handle", REPLY)
        _do(session, f"{unit}_leader", instance, "sign_off", {"sign_decision": "签发"})
    _do(session, "zhuxi", finished_public, "oversight_review", {"oversight_decision": "同意"})
    clock.set_now(_at(year, 4, 25))
    _do(session, "member1", finished_public, "satisfaction", {"satisfaction_work": "满意", "satisfaction": "满意"})
    _do(session, "member2", finished_private, "satisfaction", {"satisfaction_work": "满意", "satisfaction": "基本满意"})
    clock.set_now(_at(year, 5, 6))
    _do(session, "office1", finished_public, "archive", {"publish_proposal": True, "publish_reply": True,
                                                          "archive_note": "同意公开"})
    _do(session, "office1", finished_private, "archive", {"publish_proposal": False, "publish_reply": False,
                                                           "archive_note": "涉及个人信息，不公开"})
    _forum(session, year)
    clock.set_now(min(today, _at(year, 12, 31, 23)))
    schedule.tick(session)  # the overdue replies' reminders and timers, as at the real date


def _forum(session: Session, year: int) -> None:
    clock.set_now(_at(year, 2, 2))
    office = _user(session, "office1")
    forum = runtime.start_instance(session, office, "quarterly_forum", FORUM)
    _do(session, "office1", forum, "notice", NOTICE)
    _do(session, "jjw_clerk", forum, "research", RESEARCH)
    clock.set_now(_at(year, 3, 20))
    _do(session, "office1", forum, "record", RECORD)
    _do(session, "office1", forum, "draft", DRAFT)
    _do(session, "zhuxi", forum, "approve", {"approval": "同意报送"})
    clock.set_now(_at(year, 3, 25))
    _do(session, "office1", forum, "send", {"doc_no": f"开政协〔{year}〕5号", "sent_on": f"{year}-03-25",
                                            "send_county": True, "send_gov": False, "send_units": []})
    _do(session, "xwb_clerk", forum, "county_receive", {"county_received_on": f"{year}-03-26",
                                                        "county_submitted_to": "钱进副书记"})
    _do(session, "xwlingdao", forum, "county_read", {"county_read_on": f"{year}-03-27", "county_leader": "钱进",
                                                     "county_instructed": False})
    _do(session, "office1", forum, "feedback", {"feedback_on": f"{year}-03-30", "feedback_method": "书面",
                                                "feedback_content": "县委领导已阅，成果供有关部门参考。"})
    clock.set_now(_at(year, 9, 1))
    runtime.start_instance(session, office, "topical_meeting", {**FORUM, "title": "关于提升县域营商环境的专题议政",
                                                                 "planned_date": f"{year}-10-20"})
