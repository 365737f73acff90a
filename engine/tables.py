"""Every table of the schema: importing this module puts each typed record next to the core models in the metadata
(the schema, its migrations and the tests all build from it)."""
from __future__ import annotations

from engine import models  # noqa: F401 - definitions, instances, the inbox projection, audit, people and units
from engine.board import thresholds as _board  # noqa: F401
from engine.calendar import records as _calendar  # noqa: F401
from engine.cases import records as _cases  # noqa: F401
from engine.definitions import records as _definitions  # noqa: F401
from engine import integrity as _integrity  # noqa: F401
from engine.people import records as _people  # noqa: F401
from engine.people import bodies as _bodies  # noqa: F401 - 集体提案单位 and their contact persons
from engine.people import sessions as _sessions  # noqa: F401 - 会议届次 (plenary sessions)
from engine.procedures.consultation import records as _consultation  # noqa: F401
from engine.procedures.proposal import records as _proposal  # noqa: F401
from engine.procedures.supervision import records as _supervision  # noqa: F401
from engine.procedures.yearly import records as _yearly  # noqa: F401
from engine.worklist import records as _worklist  # noqa: F401
