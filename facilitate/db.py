"""Declarative base, column types and the engine set-up shared by every domain."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import inspect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session

from .extensions import db

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest id a row can have (a signed 64-bit integer); SQLite cannot even look up a
#: larger one, so ids past it are refused before any lookup.
ID_MAX = 2**63 - 1


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Holds(enum.StrEnum):
    """What a text column holds, so erasing a resident's words cannot miss a copy of them.

    Every String, Text and JSON column says which, in its ``info`` (``holds(...)``);
    ``tests/test_db.py`` fails on one that does not. Purge and erase clear exactly the
    ``resident_words`` columns (``resident_words()``), so a new column is cleared the
    day it is marked.
    """

    #: What residents said, and every copy staff made of it (a translation, a hidden
    #: reason that may quote it, a note from a conversation): purge and erase clear it.
    resident_words = "resident_words"
    #: Who a resident is (a name, a token's hash): purge replaces it, erase keeps it.
    resident_identity = "resident_identity"
    #: Written by staff for the dialogue (titles, prompts, the action list), or a
    #: staff member's own account: kept.
    staff = "staff"
    #: Proposals: put to the room and voted on, the record the action list answers to.
    #: Kept; purge cuts the link to the resident who wrote one.
    room = "room"
    #: Codes, language tags, hashes, counts and stored acks: no one's words.
    machine = "machine"


HOLDS = "holds"


def holds(what: Holds) -> dict[str, Holds]:
    """A column's ``info``: what it holds (see ``Holds``)."""
    return {HOLDS: what}


def resident_words(model: type[Base]) -> dict[str, str]:
    """The attributes of ``model`` that hold residents' words, each with its erased value."""
    mapper = sa.inspect(model)
    return {
        attr.key: ""
        for attr in mapper.column_attrs
        if any(column.info.get(HOLDS) is Holds.resident_words for column in attr.columns)
    }


def word_models() -> list[type[Base]]:
    """Every mapped model with a column that holds residents' words, by table name."""
    found = [mapper.class_ for mapper in Base.registry.mappers if resident_words(mapper.class_)]
    return sorted(found, key=lambda model: str(model.__table__.name))


def value_enum(e: type[enum.StrEnum]) -> sa.Enum:
    """An enum column stored by value ("16-19", "not_agreed"): what clients and exports use."""
    return sa.Enum(
        e,
        native_enum=False,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC on every backend.

    SQLite has no time zones: values go in as naive UTC and come back aware, so
    code never compares naive with aware datetimes.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"a datetime column held {type(value).__name__}, not a datetime")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged write survives a power cut, not only a process crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Erased words are overwritten with zeros, not left in the page's free space or on a
    # free page where a copy of the file could still show them (docs/reliability.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(
    idle: float, dialect: sa.Dialect, dbapi_connection: Any, record: Any, _proxy: Any
) -> None:
    """Ping a connection that sat in the pool, as ``pool_pre_ping`` would, but only then.

    A restart or a network cut while the pool was idle is found here, so the request that
    gets the connection does not fail on it. A connection lent again within ``idle``
    seconds (every one in a vote storm, where a ping was one round trip in six) is not
    pinged: if the server went away meanwhile, the statement fails, SQLAlchemy sees the
    disconnect and renews the whole pool, and the write is refused as unavailable and sent
    again by the phone (docs/reliability.md).
    """
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < idle:
        return
    try:
        # The dialect's own ping, as pool_pre_ping's: psycopg's pings in autocommit, so
        # the connection is lent with no transaction open (``autocommit_connection``
        # could not switch it to autocommit otherwise).
        dialect.do_ping(dbapi_connection)
    except Exception as error:
        # The pool drops this connection and lends a fresh one (SQLAlchemy's recipe).
        raise sa.exc.DisconnectionError() from error


def configure_engine(engine: Engine, idle_ping: float) -> None:
    """Attach the per-connection settings a backend needs."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        sa.event.listen(engine, "checkin", _note_checkin)
        sa.event.listen(
            engine, "checkout", functools.partial(_ping_if_idle, idle_ping, engine.dialect)
        )


#: libpq's settings for how long a dead PostgreSQL may hold a request or a socket write
#: before it is refused as unavailable (docs/reliability.md, "Bad days").
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    # A host that does not answer would otherwise hold a connection attempt for the
    # kernel's SYN retries, about two minutes.
    "connect_timeout": 5,
    # A statement sent to a peer that vanished would otherwise be retransmitted for
    # about fifteen minutes before the send fails.
    "tcp_user_timeout": 10_000,
    # Waiting for an answer from a vanished peer ends after about a minute, not two hours;
    # a slow query on a live server is unaffected (its kernel answers the probes).
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


#: Connections a pool lends beyond ``DATABASE_POOL_SIZE``: none. A storm's events beyond
#: the pool wait their turn for a kept connection, each busy for a millisecond or two; a
#: connection lent beyond it was opened for one event and closed when returned, which on
#: PostgreSQL cost the server and the database a connection's start-up (a backend forked)
#: per event (docs/performance.md).
POOL_OVERFLOW = 0


def engine_options(
    url: str, pool_size: int | None = None, pool_wait: int | None = None
) -> dict[str, Any]:
    # A failed statement's values stay out of its error, and so out of the log, where no
    # erasure reaches: they can be a resident's words or a token's hash (docs/reliability.md).
    options: dict[str, Any] = {"url": url, "hide_parameters": True}
    if pool_size is not None and ":memory:" not in url and url.rstrip("/") != "sqlite:":
        # A storm's events hold a connection each while they run, dozens at once under
        # gevent. SQLAlchemy's default of 5 kept opened and closed one per event beyond
        # them (a PostgreSQL connection's start-up each time, in the server and in the
        # database); the pool keeps enough now (docs/performance.md).
        options["pool_size"] = pool_size
        options["max_overflow"] = POOL_OVERFLOW
        if pool_wait is not None:
            options["pool_timeout"] = pool_wait
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 5}
    else:
        # No ``pool_pre_ping``: configure_engine pings only a connection that sat idle.
        if url.startswith("postgresql"):
            options["connect_args"] = dict(POSTGRES_CONNECT_ARGS)
    return options


SCRUB = "facilitate.scrub_tables"


def scrub_after_commit(*tables: str, full: bool = False) -> None:
    """Once this transaction commits, push the erased words of ``tables`` off the disk.

    An operation that erases residents' words calls it; it never commits, so the work
    waits for whoever does (a request's end, a socket write, a CLI command) and is
    dropped with a rollback. ``full``: rewrite the tables on PostgreSQL (``VACUUM FULL``,
    which locks them while it runs), for the purge; else a plain ``VACUUM``.
    """
    pending: dict[str, bool] = session().info.setdefault(SCRUB, {})
    for table in tables:
        pending[table] = pending.get(table, False) or full


@sa.event.listens_for(Session, "after_commit")
def _scrub_after_commit(db_session: Session) -> None:
    tables: dict[str, bool] | None = db_session.info.pop(SCRUB, None)
    if tables:
        bind = db_session.get_bind()
        scrub(bind if isinstance(bind, Engine) else bind.engine, tables)


@sa.event.listens_for(Session, "after_rollback")
def _no_scrub_after_rollback(db_session: Session) -> None:
    db_session.info.pop(SCRUB, None)


def scrub(engine: Engine, tables: dict[str, bool]) -> None:
    """Make committed erasures unreadable in the files: ``tables`` maps a table to
    whether it is rewritten whole (``full``).

    SQLite: secure_delete already zeroed the old rows in the pages; the checkpoint moves
    those pages into the database file and empties the WAL, which still held the words.
    PostgreSQL keeps an updated row's old version until VACUUM removes it; VACUUM FULL
    also rewrites the file, since a plain VACUUM leaves the removed bytes in the page's
    free space until a new row lands there.

    The words are already gone from every query, so a failure here is logged, not
    raised: the caller's answer stays true, and the next scrub or autovacuum catches up.
    """
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
                if busy:
                    log.warning("WAL checkpoint after an erasure was blocked by a reader")
        elif engine.dialect.name == "postgresql":
            # VACUUM cannot run inside a transaction block.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                # A busy table (autovacuum, a long transaction) is left to autovacuum rather
                # than holding this request, or everyone queued behind a VACUUM FULL.
                connection.exec_driver_sql("SET lock_timeout = '5s'")
                try:
                    for table, full in sorted(tables.items()):
                        name = connection.dialect.identifier_preparer.quote(table)
                        connection.exec_driver_sql(f"VACUUM {'FULL ' if full else ''}{name}")
                finally:
                    # The connection goes back to the pool: later writes wait for locks as before.
                    connection.exec_driver_sql("RESET lock_timeout")
    except sa.exc.DBAPIError:
        log.warning("scrubbing %s after an erasure failed", ", ".join(tables), exc_info=True)


def session() -> Session:
    """The request's (or socket event's) session."""
    unit: Unit | None = g.get(UNIT)
    if unit is not None:
        # Its connection would be a second one from the pool while the unit holds one: a
        # storm of such events could hold the whole pool and wait on itself.
        if not unit.reads_only:
            raise RuntimeError("this event writes in a Core unit (facilitate.db.Unit)")
        unit.end()  # it read, and has nothing to commit: the Session takes over
    s: Session = db.session
    return s


_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

UNIT = "facilitate.unit"

#: Called with a unit's ``info`` once it has committed (facilitate.events sends its events).
UNIT_COMMITTED: list[Callable[[dict[str, Any]], None]] = []


class Unit:
    """A hot socket event's work on one Core connection, without an ORM ``Session``.

    The vote storm's every vote is a few Core statements; the ``Session`` around them (made,
    begun with its snapshot, committed, closed) cost about as much CPU as the statements
    did (docs/performance.md). A unit borrows a pooled connection for the event alone
    (in autocommit on PostgreSQL, as ``autocommit_connection`` says why), keeps in
    ``info`` what a session's ``info`` would (the events waiting for the commit), and
    ends with ``commit`` or ``end``. While a unit that writes is open, nothing may use the
    event's ``Session`` (``session`` refuses); a unit that ``reads_only`` (a phone's
    connect) steps aside for it: the event's first use of the Session ends the unit, so
    the event holds one connection at a time.
    """

    def __init__(self, *, reads_only: bool = False) -> None:
        self.reads_only = reads_only
        self.connection: sa.Connection | None = None
        self.info: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<Unit open={self.connection is not None} info={sorted(self.info)}>"

    def connect(self) -> sa.Connection:
        if self.connection is None:
            connection = db.engine.connect()
            if connection.dialect.name == "postgresql":
                connection.execution_options(**_AUTOCOMMIT)
            self.connection = connection
        return self.connection

    def commit(self) -> None:
        """Commit, end the unit, then send what waited for the commit."""
        info = dict(self.info)
        if self.connection is not None:
            self.connection.commit()
        self.end()
        for committed in UNIT_COMMITTED:
            committed(info)

    def end(self) -> None:
        """End the unit, rolling back what it did not commit; the connection goes back."""
        self.info.clear()
        if g.get(UNIT) is self:
            g.pop(UNIT)
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.close()


def begin_unit(*, reads_only: bool = False) -> Unit:
    """Open this event's ``Unit``; the caller ends it, whatever happens."""
    if g.get(UNIT) is not None:
        raise RuntimeError("a Core unit is open already")
    unit = Unit(reads_only=reads_only)
    setattr(g, UNIT, unit)
    return unit


def unit_info() -> dict[str, Any]:
    """Where what waits for the commit is kept: the open unit's, or the session's."""
    unit: Unit | None = g.get(UNIT)
    return unit.info if unit is not None else session().info


def event_connection() -> sa.Connection:
    """The connection for a Core statement: the open unit's, else the session's."""
    unit: Unit | None = g.get(UNIT)
    return unit.connect() if unit is not None else session().connection()


def autocommit_connection() -> sa.Connection:
    """The socket event's connection, each statement its own transaction on PostgreSQL.

    For the hottest events (a phone's connect, a vote), whose every statement either only
    reads or writes all it changes at once: on PostgreSQL, where each statement is a round
    trip, this saves the BEGIN and the COMMIT (a vote went from five round trips to two).
    At READ COMMITTED, the isolation every request has, a transaction gives its reads no
    common snapshot anyway. Only an event's first use of the session gets it (a session
    in a transaction keeps it); the connection goes back to the pool at the event's end
    with its usual isolation. On SQLite, where a statement costs no round trip, it is the
    session's usual connection.
    """
    unit: Unit | None = g.get(UNIT)
    if unit is not None:
        return unit.connect()
    s = session()
    if s.in_transaction() or s.get_bind().dialect.name != "postgresql":
        return s.connection()  # (a caller that read already keeps its transaction)
    return s.connection(execution_options=_AUTOCOMMIT)


def begin_explicitly(connection: sa.Connection) -> None:
    """Open a transaction on an ``autocommit_connection`` (a no-op on any other): for the
    rare turn of a hot event that writes in several statements. The session's commit or
    rollback ends it, as psycopg sends COMMIT or ROLLBACK whenever the server holds a
    transaction, autocommit or not."""
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN")


def unavailable_reason(error: Exception) -> object:
    """What to log of a database that could not be reached: the driver's own error, or for
    a pool that stayed busy (which has none) the pool's."""
    return getattr(error, "orig", None) or error


class HotStatement:
    """A Core statement on the hottest paths (a vote, a phone's connect), run on the
    driver's own cursor.

    SQLAlchemy's execution of a cached statement (its execution context, its result
    object, its row) cost 14 to 21 µs on SQLite, where the same statement on the cursor
    takes 4 to 5 (docs/performance.md), and a vote storm's every vote ran three. This compiles the
    statement once per dialect, with SQLAlchemy, and keeps what SQLAlchemy would do to the
    values: each bind value and each result column goes through its type's own processor
    (an enum, a UTC datetime, JSON, a boolean on SQLite), so the rows are as
    ``Connection.execute`` gives them. An error is SQLAlchemy's, handled as it handles its
    own (``IntegrityError``; a lost connection invalidates the pool).

    What it gives up: no ``before_cursor_execute`` events and no echo. An INSERT names
    every column it writes (``columns``), those with a Python-side default too, which it
    does not apply; a statement leaving one out, or whose bind names need quoting or
    expand to lists, is refused when first run.
    """

    def __init__(self, statement: sa.Executable, *, columns: tuple[str, ...] = ()) -> None:
        self.statement = statement
        #: An INSERT's columns, as ``Connection.execute`` would take them from the values.
        self.columns = columns
        self._prepared: dict[str, _Prepared] = {}

    def __repr__(self) -> str:
        return f"<HotStatement {str(self.statement).split()[0]} {sorted(self._prepared)}>"

    def _prepare(self, dialect: Dialect) -> _Prepared:
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            prepared = self._prepared[dialect.name] = _Prepared.of(
                self.statement, self.columns, dialect
            )
        return prepared

    def first(self, connection: sa.Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or ``None``."""
        rows = self._run(connection, params, fetch=1)
        return rows[0] if rows else None

    def all(self, connection: sa.Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self._run(connection, params, fetch=None)

    def run(self, connection: sa.Connection, params: dict[str, Any]) -> None:
        """A statement that returns no rows."""
        self._run(connection, params, fetch=0)

    def _run(
        self, connection: sa.Connection, params: dict[str, Any], *, fetch: int | None
    ) -> list[tuple[Any, ...]]:
        prepared = self._prepare(connection.dialect)
        values = prepared.values(params)
        if not connection.in_transaction():
            # SQLAlchemy's own account of the transaction, as its execute would begin it:
            # without it the unit's commit would find nothing to commit, and the driver's
            # transaction would be rolled back when the connection goes back to the pool.
            connection.begin()
        driver = connection.connection.dbapi_connection
        cursor = None
        try:
            cursor = driver.cursor()  # type: ignore[union-attr]
            cursor.execute(prepared.sql, values)
            rows = [] if fetch == 0 else cursor.fetchmany(fetch) if fetch else cursor.fetchall()
        except BaseException as error:
            # SQLAlchemy's own handling, as for its execute: the error wrapped
            # (IntegrityError, OperationalError), the cursor closed, and on a lost
            # connection the pool invalidated. A private method, so sqlalchemy is pinned
            # (==2.1.9) and tests/test_db.py and test_db_postgres.py hold each of these.
            connection._handle_dbapi_exception(error, prepared.sql, values, cursor, None)
        cursor.close()
        return prepared.rows(rows)


@dataclass(frozen=True)
class _Prepared:
    """A ``HotStatement`` compiled for one dialect, with its values' processors."""

    sql: str
    #: The bind names, in the driver's order, each with its type's processor.
    pairs: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    positional: bool
    #: Each result column's processor.
    results: tuple[Callable[[Any], Any] | None, ...]
    #: The values the statement holds itself (a literal), unless given.
    fixed: dict[str, Any]

    @classmethod
    def of(cls, statement: sa.Executable, columns: tuple[str, ...], dialect: Dialect) -> _Prepared:
        compiled = statement.compile(  # type: ignore[attr-defined]
            dialect=dialect, column_keys=list(columns) or None
        )
        if compiled.escaped_bind_names or any(b.expanding for b in compiled.binds.values()):
            raise ValueError("a hot statement's bind names must be plain and not expand")
        defaulted = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if defaulted:
            # SQLAlchemy's execution would call the Python-side default; this does not.
            raise ValueError(f"a hot statement is given every column: {defaulted} missing")
        positional = bool(dialect.positional)
        names = tuple(compiled.positiontup if positional else compiled.binds)
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        selected = getattr(statement, "selected_columns", ())
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected
        )
        fixed = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and name in names
        }
        return cls(
            compiled.string, tuple(zip(names, binds, strict=True)), positional, results, fixed
        )

    def values(self, params: dict[str, Any]) -> list[Any] | dict[str, Any]:
        """The driver's parameters: a list for a positional style (SQLite's ``?``), else a
        mapping by name (psycopg's ``%(name)s``)."""
        if self.fixed:
            params = {**self.fixed, **params}
        try:
            processed = [
                params[name] if process is None else process(params[name])
                for name, process in self.pairs
            ]
        except KeyError as missing:
            raise KeyError(f"a hot statement needs every value; {missing} is missing") from None
        if self.positional:
            return processed
        return dict(zip((name for name, _ in self.pairs), processed, strict=True))

    def rows(self, rows: Sequence[Any]) -> list[tuple[Any, ...]]:
        if not any(self.results):
            return [tuple(row) for row in rows]
        results = self.results
        return [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row, results, strict=True)
            )
            for row in rows
        ]


def init_app(app: Flask) -> None:
    """Bind the database and commit once per request.

    A request commits when its response is a success or a redirect and nothing
    asked for a rollback; any error status rolls back, so a failed request never
    leaves half its writes behind.
    """
    app.config["SQLALCHEMY_ENGINES"] = {
        "default": engine_options(
            app.config["DATABASE_URL"],
            app.config["DATABASE_POOL_SIZE"],
            app.config["DATABASE_POOL_WAIT"],
        )
    }
    db.init_app(app)
    # Only sync sessions are used. The extension also registers an async teardown, which
    # Flask runs through asgiref on every request; under gevent, concurrent requests share
    # one OS thread, asgiref finds another request's event loop running and the request
    # fails with a 500. Dropping the no-op keeps parallel requests (a page's assets) whole.
    app.teardown_appcontext_funcs[:] = [
        func for func in app.teardown_appcontext_funcs if not inspect.iscoroutinefunction(func)
    ]
    with app.app_context():
        configure_engine(db.engine, app.config["DATABASE_IDLE_PING"])

    @app.after_request
    def _commit(response: Response) -> Response:
        if not g.get("_sqlalchemy_sessions"):
            # Flask-SQLAlchemy-Lite opens sessions lazily; nothing was touched.
            return response
        if response.status_code < 400 and not g.get("_rollback"):
            db.session.commit()
        else:
            db.session.rollback()
        return response


def rollback() -> None:
    """Drop this request's pending writes now, and commit nothing at its end."""
    g._rollback = True
    db.session.rollback()
