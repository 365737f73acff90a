"""The procedures with records of their own: importing this package registers each one with the core
(engine/registry.py). A procedure a process owner adds in the modeler alone needs nothing here."""
from __future__ import annotations

from engine import registry
from engine.procedures.consultation import (outcomes as _outcomes, projection as _consultation, starters as _starters,
                                            steps as _steps)
from engine.procedures.duty import assessment as _assessment
from engine.procedures.proposal import core as _proposal_core, projection as _proposal
from engine.procedures.supervision import (appraisal as _appraisal, division_task as _division_task,
                                           inspection as _inspection, sheqing as _sheqing)
from engine.procedures.yearly import events as _events, groups as _groups, projection as _yearly

for _module in (_proposal, _consultation, _steps, _outcomes, _sheqing, _appraisal, _inspection, _division_task,
                _assessment, _yearly, _events):
    registry.add_projection(_module)
_proposal_core.register()
_groups.register()
_starters.register()
registry.mark_installed()
