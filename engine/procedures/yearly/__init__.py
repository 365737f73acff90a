"""The yearly sub-plans (界别年度活动计划, 年度视察工作计划) whose items start on their dates like the annual plan's, and
the county's own duties towards the CPPCC recorded as events (知情明政, 政协工作会议, 听取党组汇报)."""
