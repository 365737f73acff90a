"""One clock for the whole engine, movable in tests and demos.

SpiffWorkflow's timer definitions call ``datetime.now(timezone.utc)`` on their module-level ``datetime`` name; we
route that name through this clock so that due dates, timers and ``xieshang tick`` all agree on what "now" is.
"""
from __future__ import annotations

import datetime as _dt
import threading
from contextlib import contextmanager
from typing import Iterator
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
_offset = _dt.timedelta(0)
_frozen: _dt.datetime | None = None
_firing = threading.local()


def now() -> _dt.datetime:
    if _frozen is not None:
        return _frozen
    return _dt.datetime.now(TZ) + _offset


def set_now(moment: _dt.datetime) -> None:
    global _frozen
    _frozen = moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def advance(delta: _dt.timedelta) -> None:
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


def reset() -> None:
    global _offset, _frozen
    _offset, _frozen = _dt.timedelta(0), None


@contextmanager
def firing() -> Iterator[None]:
    """While a tick fires timers: SpiffWorkflow fires a timer only strictly after its date, and a timer due at this
    very instant is due — so in this thread the timers see a moment one microsecond on."""
    _firing.on = True
    try:
        yield
    finally:
        _firing.on = False


class _ClockDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: D102 - same contract as datetime.now
        current = now()
        if getattr(_firing, "on", False):
            current += _dt.timedelta(microseconds=1)
        return current.astimezone(tz) if tz else current.replace(tzinfo=None)


def _install() -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime


_install()
