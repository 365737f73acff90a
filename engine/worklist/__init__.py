"""Who sees and acts on which open task: the inbox rows, the worklist's views and queries, claims and delegation,
saved views, notifications and mail."""
