"""Procedures as diagrams: parse, check and deploy immutable versions with their forms; the restricted expression
language; the modeler's working copies; comparing and restoring versions; moving running instances to a new one."""
