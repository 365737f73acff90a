"""Working days: the office's 节假日安排 (entered, imported, read from the notice) and counting deadlines by it."""
