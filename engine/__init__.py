"""xieshang engine: BPMN procedures on SpiffWorkflow, persisted with SQLAlchemy. Never imports Flask."""
