"""Members' duty (五个一) records and the yearly duty assessment."""
