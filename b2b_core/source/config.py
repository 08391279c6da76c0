"""Where the panel comes from when it is not the workspace: the ``[source]`` settings.

In ``.streamlit/secrets.toml``::

    [source]
    connection = "sc://spark.example.com:15002"   # or local[2], postgres://…, clickhouse://…, bigquery://…
    table = "ops.account_quarters"                 # a table of the connection, or instead:
    # parquet = "s3a://lake/accounts/*.parquet"    # Parquet files the engine reads
    timeout_seconds = 300                          # the longest a view's query may run
    refresh_minutes = 60                           # how long computed views are kept before asking again

    [source.mapping]                               # source column = contract column, as in an upload's mapping
    merchant_no = "account_id"
    stat_quarter = "quarter"

or, for scripts, the environment: ``B2B_SOURCE`` (the connection), ``B2B_SOURCE_TABLE`` or
``B2B_SOURCE_PARQUET``, ``B2B_SOURCE_MAPPING`` (JSON), ``B2B_SOURCE_TIMEOUT``,
``B2B_SOURCE_REFRESH_MINUTES``. Columns the mapping leaves out are matched by their names as an
upload's are (``ingest.headers``). A connection may hold credentials: they are never shown
(``SourceConfig.name``, ``redact``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from b2b_core import contract
from b2b_core.i18n import N_, _
from b2b_core.ingest.mapping import CUSTOM, IGNORE
from b2b_core.source import spark
from b2b_core.source.words import Later, Text, english, words

DEFAULT_TIMEOUT = 300.0  # seconds a view's query may run on the engine
DEFAULT_REFRESH = 60.0  # minutes a computed view is kept before the engine is asked again
_KEYS = {"connection", "table", "parquet", "mapping", "timeout_seconds", "refresh_minutes"}
_ENV = {
    "connection": "B2B_SOURCE",
    "table": "B2B_SOURCE_TABLE",
    "parquet": "B2B_SOURCE_PARQUET",
    "mapping": "B2B_SOURCE_MAPPING",
    "timeout_seconds": "B2B_SOURCE_TIMEOUT",
    "refresh_minutes": "B2B_SOURCE_REFRESH_MINUTES",
}
_SECRET_PARAMS = re.compile(r"(?i)\b(password|passwd|pwd|token|secret|key|credentials?|auth)=([^&\s;]+)")
_USER_INFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


class SourceError(RuntimeError):
    """What keeps the app from reading the source, as a message a page shows as it is (never a
    credential), in the language of whoever reads it (``str``: the error is kept for every
    session, ``words``); its ``args`` hold it in English."""

    def __init__(self, message: Text | str):
        self.message = message
        super().__init__(english(message))

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class SourceConfig:
    """The settings of a source (see the module's docstring)."""

    connection: str
    table: str | None = None
    parquet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = DEFAULT_TIMEOUT
    refresh_minutes: float = DEFAULT_REFRESH

    @property
    def is_spark(self) -> bool:
        return spark.is_spark(self.connection)

    @property
    def engine(self) -> str:
        """The engine's name: ``Spark`` or the connection's scheme (``postgres``, ``duckdb`` …)."""
        return "Spark" if self.is_spark else urlsplit(self.connection).scheme or self.connection.split(":")[0]

    @property
    def name(self) -> str:
        """The source in words, without credentials: ``Spark (local[2]) · Parquet /data/a.parquet``,
        ``postgres db.example.com:5432/analytics · table ops.accounts``."""
        if self.connection.startswith("local"):
            where = f"Spark ({self.connection})"
        else:
            parts = urlsplit(self.connection)
            place = f"{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}".rstrip("/")
            where = f"{'Spark Connect' if self.is_spark else parts.scheme} {place}".strip()
        what = f"Parquet {self.parquet}" if self.parquet else _("table {table}").format(table=self.table)
        return redact(f"{where} · {what}", self)

    def named(self) -> Later:
        """``name`` written when it is read: for a message kept for every session (``words``)."""
        return Later(lambda: self.name)

    @property
    def key(self) -> str:
        """What identifies the source's data for caches (credentials included, never shown)."""
        return json.dumps([self.connection, self.table, self.parquet, sorted(self.mapping.items())])


def redact(text: str, config: SourceConfig | None = None) -> str:
    """``text`` without the credentials a connection string may carry: the user and password of a
    URL, ``password=``/``token=``-like parameters, and the connection itself when it is in the text."""
    if config is not None and config.connection and config.connection in text:
        text = text.replace(config.connection, _USER_INFO.sub(r"\1***@", config.connection.split("?")[0]))
    if config is not None:
        secret = urlsplit(config.connection).password if "://" in config.connection else None
        if secret:
            text = text.replace(secret, "***")
    return _SECRET_PARAMS.sub(r"\1=***", _USER_INFO.sub(r"\1***@", text))


def from_settings(settings: Mapping) -> SourceConfig:
    """The ``[source]`` section (a mapping, e.g. ``st.secrets["source"]``) as a SourceConfig.
    Raises ``SourceError`` saying which setting is wrong and how to write it."""
    unknown = sorted(set(settings) - _KEYS)
    if unknown:
        raise SourceError(
            words(
                N_("[source] has settings the app does not know: {unknown}. It reads {known}."),
                unknown=", ".join(unknown),
                known=", ".join(sorted(_KEYS)),
            )
        )
    connection = str(settings.get("connection") or "").strip()
    if not connection:
        raise SourceError(
            words(
                N_(
                    '[source] needs a connection: connection = "local[2]" (Spark on this machine), "sc://host:15002" '
                    '(a Spark cluster through Spark Connect) or an Ibis URL such as "postgres://user@host/db".'
                )
            )
        )
    table, parquet = (str(settings.get(k) or "").strip() or None for k in ("table", "parquet"))
    if (table is None) == (parquet is None):
        raise SourceError(
            words(
                N_('[source] needs either table = "schema.table" or parquet = "path/*.parquet", not both.')
                if table
                else N_('[source] needs either table = "schema.table" or parquet = "path/*.parquet", not neither.')
            )
        )
    return SourceConfig(
        connection=connection,
        table=table,
        parquet=parquet,
        mapping=_mapping(settings.get("mapping") or {}),
        timeout_seconds=_positive(settings, "timeout_seconds", DEFAULT_TIMEOUT),
        refresh_minutes=_positive(settings, "refresh_minutes", DEFAULT_REFRESH),
    )


def from_env(environ: Mapping[str, str]) -> SourceConfig | None:
    """The source the environment names (``B2B_SOURCE`` …), None when ``B2B_SOURCE`` is not set."""
    if not environ.get(_ENV["connection"]):
        return None
    settings: dict[str, object] = {key: environ[name] for key, name in _ENV.items() if environ.get(name)}
    if "mapping" in settings:
        try:
            settings["mapping"] = json.loads(str(settings["mapping"]))
        except json.JSONDecodeError as exc:
            raise SourceError(
                words(
                    N_(
                        '{setting} is not JSON ({reason} at character {position}): write it as {{"source column": '
                        '"contract column", …}}.'
                    ),
                    setting=_ENV["mapping"],
                    reason=exc.msg,
                    position=exc.pos,
                )
            ) from None
    return from_settings(settings)


def _mapping(given: object) -> dict[str, str]:
    if not isinstance(given, Mapping):
        raise SourceError(words(N_('[source.mapping] is a table of source column = "contract column" lines.')))
    allowed = (*contract.NAMES, CUSTOM, IGNORE)
    mapping = {}
    for column, target in given.items():
        if target not in allowed:
            raise SourceError(
                words(
                    N_(
                        '[source.mapping] maps "{column}" to "{target}", which is not a contract column. '
                        "Map it to one of {allowed}."
                    ),
                    column=column,
                    target=target,
                    allowed=", ".join(allowed),
                )
            )
        mapping[str(column)] = str(target)
    return mapping


def _positive(settings: Mapping, key: str, default: float) -> float:
    value = settings.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number < 1e6:
        raise SourceError(
            words(
                N_("[source] {key} = {value} is not a positive number: write e.g. {key} = {default}."),
                key=key,
                value=repr(value),
                default=f"{default:g}",
            )
        )
    return number
