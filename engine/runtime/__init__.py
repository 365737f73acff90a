"""Running instances: start, complete (guards, optimistic lock), engine steps, timers, messages, the saved state, the
inbox rows of ready steps, deadlines, the audit chain, and the registry of projectors procedures add."""
