"""Typed domain records that reports and lists read, kept in step with the workflows by projections.

One module per area; every module in this package is imported here so that its tables join the metadata.
"""
from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

from .proposal import Proposal, ProposalCosigner  # noqa: E402

__all__ = ["Proposal", "ProposalCosigner"]
