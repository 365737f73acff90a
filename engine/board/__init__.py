"""年度看板: the year's obligations of the 实施办法 and the 分工方案, measured over the procedures' records."""
