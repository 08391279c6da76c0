"""A panel read where it lives (Spark, a warehouse) instead of the workspace: its settings, the
engine's connection, the mapping to the data contract and its checks, all run by that engine."""

from b2b_core.source.config import SourceConfig, SourceError, from_env, from_settings, redact
from b2b_core.source.external import ExternalSource, SourceFailsChecks
from b2b_core.source.mapped import REPORT_COLUMNS, SourceReport

__all__ = [
    "REPORT_COLUMNS",
    "ExternalSource",
    "SourceConfig",
    "SourceError",
    "SourceFailsChecks",
    "SourceReport",
    "from_env",
    "from_settings",
    "redact",
]
