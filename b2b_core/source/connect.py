"""Opening a source's table on its engine, and every failure of the engine as a message.

A failure says what went wrong in the user's terms (the engine cannot be reached, the table or
path does not exist, access is refused, a package is missing, a query took too long), which
setting to look at, and nothing of the connection's credentials (``config.redact``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from b2b_core.i18n import N_
from b2b_core.source import spark
from b2b_core.source.config import SourceConfig, SourceError, redact
from b2b_core.source.words import words

# (words in an engine's error, what they mean for the user and what to do); the first match speaks
_CAUSES = (
    (
        (
            "connection refused",
            "could not connect",
            "unavailable",
            "failed to connect",
            "name or service not known",
            "no route to host",
            "network is unreachable",
            "connect timed out",
            "timed out connecting",
        ),
        N_(
            "The source {name} cannot be reached ({error}). Check that the engine is running and that this machine "
            "can reach its host and port."
        ),
    ),
    (
        (
            "permission denied",
            "access denied",
            "not authorized",
            "unauthorized",
            "forbidden",
            "insufficient privilege",
            "authentication failed",
            "permission_denied",
        ),
        N_("The source {name} refused access ({error}). Check the connection's user and what it may read."),
    ),
    (
        (
            "path_not_found",
            "path does not exist",
            "no such file",
            "table_or_view_not_found",
            "table not found",
            "does not exist",
            "not found",
            "unknown table",
            "no files found",
            "schema_not_found",
            "cannot be found",
            "tablenotfound",
        ),
        N_(
            "The source {name} has no such table or path ({error}). Check [source] table or parquet: the name, its "
            "schema, and that the files are there."
        ),
    ),
)


def open_table(config: SourceConfig) -> ir.Table:
    """The source's table on its engine, as the engine has it (columns not yet mapped). Raises
    ``SourceError`` when the engine cannot be reached or has no such table or path."""
    try:
        con = _backend(config)
        if config.parquet:
            return con.read_parquet(config.parquet)
        *database, name = config.table.split(".")
        return con.table(name, database=tuple(database) if len(database) > 1 else (database[0] if database else None))
    except SourceError:
        raise
    except Exception as exc:
        raise explain(exc, config, "could not be opened") from None


def _backend(config: SourceConfig) -> ibis.BaseBackend:
    if config.is_spark:
        try:
            session = spark.session(config.connection)
        except ImportError:
            raise _missing(
                words(N_("the Python package pyspark")), "pip install -r requirements-spark.txt", config
            ) from None
        return ibis.pyspark.connect(session)
    try:
        return ibis.connect(config.connection)
    except ImportError as exc:
        driver = (
            words(N_("the driver of {engine} (the Python package {package})"), engine=config.engine, package=exc.name)
            if exc.name
            else words(N_("the driver of {engine}"), engine=config.engine)
        )
        raise _missing(driver, f"pip install 'ibis-framework[{config.engine}]'", config) from None


def _missing(package, install: str, config: SourceConfig) -> SourceError:
    return SourceError(
        words(
            N_("The source {name} needs {package}, which is not installed here: {install}, then restart the app."),
            name=config.named(),
            package=package,
            install=install,
        )
    )


# What the engine was doing when it failed (``explain``'s ``doing``) → the message saying so
_DOING = {
    "could not be opened": N_(
        "The source {name} could not be opened: {error}. Check the [source] settings and the engine's log."
    ),
    "could not be read": N_(
        "The source {name} could not be read: {error}. Check the [source] settings and the engine's log."
    ),
    "could not be checked": N_(
        "The source {name} could not be checked: {error}. Check the [source] settings and the engine's log."
    ),
    "failed to compute a view": N_(
        "The source {name} failed to compute a view: {error}. Check the [source] settings and the engine's log."
    ),
}


def explain(exc: BaseException, config: SourceConfig, doing: str) -> SourceError:
    """``exc``, raised by the engine while ``doing`` (a key of ``_DOING``: "could not be opened"),
    as a SourceError in the user's words: the cause where it is known, else the engine's own first
    line."""
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if isinstance(exc, PermissionError):
        lowered += " permission denied"
    first = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, config)
    for found, meaning in _CAUSES:
        if any(word in lowered for word in found):
            return SourceError(words(meaning, name=config.named(), error=_short(first)))
    return SourceError(words(_DOING[doing], name=config.named(), error=_short(first)))


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
