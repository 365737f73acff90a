"""提案办理 (P8): the proposal record, its projection from the diagram, and what the core asks of proposals."""
