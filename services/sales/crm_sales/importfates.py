"""What became of each row of an import, decided in SQL over the whole file at once.

Every valid row is already a pool lead of the job (``importstage``); fates, the first that applies
deciding:
1. invalid — a field failed its checks (reported while staging);
2. skipped — already a customer or an opportunity: its name matches an account (not merged), its
   phone, fax or e-mail one of the accounts' contacts, or any key a converted (or converting) lead;
3. duplicate of a lead that existed before this import (any key: name, phone or fax against either,
   e-mail);
4. duplicate of an earlier row of this file — of row N, N being the earliest valid row that shares
   any key with it, whatever became of row N (a row that repeats a duplicate or a customer is not
   created either): "Duplicate of row N";
5. created: its staged lead stays.
When several customers or leads match, the one matched on the earliest key (name, phone, fax,
e-mail) is named, ties going to the lowest id; ``matched_on`` lists every key of the row that matched
the one named. A row duplicate's ``duplicate_of`` holds row N, the lead N created (if it did) and
N's fate as its status.

A few set-based statements do it: one finds each staged lead's matches — its keys joined against the
leads from before, the account view and the contacts' keys, and grouped with the file's other keys
for in-file duplicates — and keeps the first of each row; every row that created nothing then gets
its line of the report and its staged lead is deleted. A created row's line of the report is read
from its lead (``imports.rows``).

The statistics of leads do not count this transaction's rows, so the planner misjudges every join
with them: a nested loop planned for "one row" that meets a hundred thousand is quadratic. So joins
hash (``enable_nestloop`` off on PostgreSQL), except the lookups in existing data when it is large
against the file (then one index probe per key beats hashing the whole table, ``HASH_BELOW``); the
one join left there is with the keys the stager saw twice, a hashed ``IN``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from crm_contracts.chassis.types import UtcDateTime
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from .models import Lead

CANDIDATES_TABLE = "import_candidates"
FATES_TABLE = "import_fates"
OWNERS_TABLE = "import_owners"
TABLES = (CANDIDATES_TABLE, FATES_TABLE, OWNERS_TABLE)
KEYS = ("name", "phone", "fax", "email")  # the order matches are named and listed in
HASH_BELOW = 5  # leads from before at most this many times the rows staged: hash them, not probe them
PROBE_KNOWN_BELOW = 1000  # fewer leads than this before the job: look each of their keys up among the staged

# Each staged lead's keys, by how they match (1-4, ``KEYS``): the column, and the kind of value it is
# (phone and fax are both phone numbers, compared against either).
_KEYED = ((1, "name", "name_key"), (2, "phone", "phone"), (3, "phone", "fax"), (4, "email", "email"))
_PRESENT = {"name_key": "m.name_key <> ''", "phone": "m.phone IS NOT NULL", "fax": "m.fax IS NOT NULL",
            "email": "m.email IS NOT NULL"}

# Matches: category 0 an account, 1 a converted lead (both "already a customer"), 2 a lead from
# before this import, 3 an earlier row of this file: the first row holding the same key, among the
# keys the stager saw more than once (``import_candidates``; every key when it kept no list). One
# branch per column matched, so each can use its index.
_ACCOUNT_HITS = [f"""
    SELECT m.row_no, 1 AS how, 0 AS cat, a.account_id AS target, CAST(NULL AS integer) AS target_row,
           CAST(NULL AS text) AS status, CAST(NULL AS text) AS opp
      FROM mine m JOIN account_view a ON a.name_key = m.name_key
     WHERE {_PRESENT["name_key"]} AND a.status <> 'merged'"""] + [f"""
    SELECT m.row_no, {how}, 0, k.account_id, NULL, NULL, NULL
      FROM mine m JOIN party_keys k ON k.kind = '{kind}' AND k.key = m.{column}"""
                                                                    for how, kind, column in _KEYED[1:]]
# A lead from before this job (``{0}``), and what a match with it yields after the row and the key:
# category 1 if it is converted (or converting), else 2, then the lead, its status and opportunity.
_BEFORE = "({0}.import_id IS NULL OR {0}.import_id <> :import_id)"
_LEAD_TARGET = ("CASE WHEN {0}.status IN ('converting', 'converted') THEN 1 ELSE 2 END, {0}.id, NULL, {0}.status, "
                "{0}.opportunity_id")
_LEAD_HITS = [f"""
    SELECT m.row_no, {how}, {_LEAD_TARGET.format("l")}
      FROM mine m JOIN leads l ON l.{theirs} = m.{column}
     WHERE {_PRESENT[column]} AND {_BEFORE.format("l")}"""
              for how, kind, column in _KEYED
              for theirs in ((column,) if kind != "phone" else ("phone", "fax"))]
# When the leads from before are few (PostgreSQL), their keys are read once (``known``) and hashed:
# first to find the staged keys among them (a hash semi-join, as for the in-file candidates; OFFSET 0
# keeps it a step of its own), then to join the few found with them. Joined directly, the planner —
# guessing the staged rows few — hashed all their keys: once per key, 0.1 s of 0.23 s for 100,000
# rows against a single lead.
_KNOWN = f"""
known AS (SELECT l.id, l.status, l.opportunity_id, k.kind, k.value
            FROM leads l CROSS JOIN LATERAL (VALUES ('name', NULLIF(l.name_key, '')), ('phone', l.phone),
                                                    ('phone', l.fax), ('email', l.email)) AS k (kind, value)
           WHERE {_BEFORE.format("l")} AND k.value IS NOT NULL),"""
_KNOWN_HITS = f"""
    SELECT s.row_no, s.how, {_LEAD_TARGET.format("k")}
      FROM (SELECT row_no, how, kind, value FROM ({{keyed}}) keyed
             WHERE value IN (SELECT value FROM known OFFSET 0) OFFSET 0) s
      JOIN known k ON k.kind = s.kind AND k.value = s.value"""

# When they are very few (fewer than ``PROBE_KNOWN_BELOW`` before the job), each of their keys is looked
# up in the index of its column, and the staged leads among what it finds kept: no staged row is read
# at all. OFFSET 0 keeps each lookup a subquery of its own, so it takes that index whatever the planner
# guesses, and keeps the job's filter out of it (the index of import and row would scan every staged row).
_PROBES = " UNION ALL ".join(
    f"SELECT m.import_id, m.import_row, {how} AS how FROM leads m WHERE k.kind = '{kind}' AND m.{column} = k.value"
    for how, kind, column in _KEYED)
_KNOWN_PROBES = f"""
    SELECT s.import_row, s.how, {_LEAD_TARGET.format("k")}
      FROM known k CROSS JOIN LATERAL ({_PROBES} OFFSET 0) s
     WHERE s.import_id = :import_id"""
BY_PROBING_STAGED, BY_HASHING_KNOWN, BY_PROBING_KNOWN = "probing staged", "hashing known", "probing known"


def _keyed(among: str = "") -> str:
    """Every key of every staged row as (row, how, kind, value); ``among`` filters each column's keys."""
    return " UNION ALL ".join(f"SELECT m.row_no, {how} AS how, '{kind}' AS kind, m.{column} AS value FROM mine m "
                              f"WHERE {_PRESENT[column]}{among.format(column)}" for how, kind, column in _KEYED)


def _hits(way: str) -> str:
    leads = {BY_PROBING_STAGED: _LEAD_HITS, BY_HASHING_KNOWN: [_KNOWN_HITS.format(keyed=_keyed())],
             BY_PROBING_KNOWN: [_KNOWN_PROBES]}[way]
    return " UNION ALL".join([*_ACCOUNT_HITS, """
    SELECT row_no, how, 3, NULL, first_row, NULL, NULL FROM infile WHERE first_row < row_no""", *leads])


def _infile(candidates: bool, postgres: bool) -> str:
    # OFFSET 0 keeps the candidates a subquery of their own; ``decide`` keeps PostgreSQL from making
    # them unique first, which led it to hash the staged rows (guessed few: the statistics do not
    # count this transaction's rows) instead of the candidates.
    fence = " OFFSET 0" if postgres else ""
    among = " AND m.{0} IN (SELECT value FROM " + CANDIDATES_TABLE + fence + ")" if candidates else ""
    return f"""
    SELECT row_no, how, min(row_no) OVER (PARTITION BY kind, value) AS first_row FROM ({_keyed(among)}) keyed"""


_FLAGS = ", ".join(f"max(CASE WHEN how = {i} THEN 1 ELSE 0 END) AS on_{key}" for i, key in enumerate(KEYS, 1))
_FATE_OF = "CASE WHEN {0}.cat < 2 THEN 'skipped' WHEN {0}.cat IS NOT NULL THEN 'duplicate' ELSE 'created' END"


def _fates_sql(candidates: bool, postgres: bool, way: str) -> str:
    """The rows that match something — the ones not to create — each with its first match: by
    category, the earliest row, the earliest key, the lowest id."""
    return f"""
WITH mine AS (SELECT import_row AS row_no, name_key, phone, fax, email FROM leads WHERE import_id = :import_id),{
    _KNOWN if way != BY_PROBING_STAGED else ""}
infile AS ({_infile(candidates, postgres)}),
hits AS ({_hits(way)}),
targets AS (
    SELECT row_no, cat, target, target_row, min(how) AS first_how, max(status) AS status, max(opp) AS opp, {_FLAGS}
      FROM hits GROUP BY row_no, cat, target, target_row)
SELECT row_no, cat, {_FATE_OF.format("ranked")} AS fate,
       CASE cat WHEN 0 THEN 'account' WHEN 3 THEN 'row' ELSE 'lead' END AS kind,
       target, target_row, status, opp, {", ".join(f"on_{key}" for key in KEYS)}
  FROM (SELECT targets.*, row_number() OVER (PARTITION BY row_no ORDER BY cat, target_row, first_how, target)
                          AS place
          FROM targets) ranked
 WHERE place = 1"""


# The keys a row matched on, as "name, phone"; every skipped or duplicate row has one at least.
_MATCHED = "substr(" + " || ".join(f"CASE WHEN f.on_{key} = 1 THEN ', {key}' ELSE '' END" for key in KEYS) + ", 3)"
_MATCHED_JSON = f"""'["' || replace({_MATCHED}, ', ', '", "') || '"]'"""


def _report_sql(json_object: str, as_json: str, postgres: bool) -> str:
    """The line of the report of each row not created: its company from its staged lead; a row
    duplicate names the lead row N created, if it did, and N's fate. On PostgreSQL the staged leads
    are deleted in the same statement, which hands over their companies; elsewhere they are looked up
    one by one (index on import and row) and deleted after (``_DELETE_SQLITE``)."""
    staged = "(SELECT {0}.{1} FROM leads {0} WHERE {0}.import_id = :import_id AND {0}.import_row = f.{2})"
    gone = f"""
WITH gone AS (DELETE FROM leads
               WHERE import_id = :import_id AND import_row = ANY(ARRAY(SELECT row_no FROM {FATES_TABLE}))
              RETURNING import_row, company)""" if postgres else ""
    company, joined = ("g.company", "JOIN gone g ON g.import_row = f.row_no ") if postgres else (
        staged.format("m", "company", "row_no"), "")
    return f"""{gone}
INSERT INTO lead_import_rows (import_id, "row", fate, company, lead_id, reason, duplicate_of, matched_on, errors)
SELECT :import_id, f.row_no, f.fate, {company}, NULL,
       CASE WHEN f.fate = 'skipped' THEN 'Already ' || CASE WHEN f.opp IS NULL THEN 'a customer'
                 ELSE 'an opportunity' END || ' (matched on ' || {_MATCHED} || ').'
            ELSE 'Duplicate of ' || CASE WHEN f.kind = 'row' THEN 'row ' || f.target_row ELSE 'lead ' || f.target END
                 || ' (matched on ' || {_MATCHED} || ').' END,
       {json_object}('kind', f.kind,
                     'id', CASE WHEN f.kind <> 'row' THEN f.target
                                WHEN n.row_no IS NULL THEN {staged.format("t", "id", "target_row")} END,
                     'row', f.target_row,
                     'status', CASE WHEN f.kind = 'row' THEN {_FATE_OF.format("n")} ELSE f.status END),
       {as_json.format(_MATCHED_JSON)}, {as_json.format("'{}'")}
  FROM {FATES_TABLE} f {joined}LEFT JOIN {FATES_TABLE} n ON n.row_no = f.target_row"""


# The staged leads not to create, by index on import and row (PostgreSQL deletes them as it reports them).
_DELETE_SQLITE = f"DELETE FROM leads WHERE import_id = :import_id AND import_row IN (SELECT row_no FROM {FATES_TABLE})"
_OWN = f"""
UPDATE leads SET owner_id = o.owner_id, team = o.team, region = o.region, status = 'assigned', assigned_at = :now
  FROM {OWNERS_TABLE} o WHERE leads.import_id = :import_id AND leads.import_row = o.row_no"""
_OWN_SQLITE = f"""
UPDATE leads SET (owner_id, team, region, status, assigned_at) =
       (SELECT o.owner_id, o.team, o.region, 'assigned', :now FROM {OWNERS_TABLE} o WHERE o.row_no = leads.import_row)
 WHERE import_id = :import_id AND import_row IN (SELECT row_no FROM {OWNERS_TABLE})"""


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _create(session: Session, table: str, query: str, import_id: str) -> None:
    """A temporary table from ``query``: dropped at commit on PostgreSQL; SQLite keeps them for the
    connection's life, so any left by an earlier job on it goes first."""
    if _postgres(session):
        session.execute(text(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {query}"), {"import_id": import_id})
    else:
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))
        session.execute(text(f"CREATE TEMPORARY TABLE {table} AS {query}"), {"import_id": import_id})


def leads_before(session: Session) -> int:
    """How many leads there are, counted up to ``PROBE_KNOWN_BELOW``: call it before staging."""
    return session.scalar(text("SELECT count(*) FROM (SELECT 1 FROM leads LIMIT :cap) few"),
                          {"cap": PROBE_KNOWN_BELOW})


def decide(session: Session, import_id: str, staged: int, candidates: Iterable[str] | None,
           before: int) -> dict[str, int]:
    """Decide which staged leads of the job are not to be created; returns how many are duplicates
    and how many skipped. ``candidates``: the keys that may repeat within the file (None: any may);
    ``before``: the leads there were before staging (``leads_before``)."""
    postgres = _postgres(session)
    if candidates is not None:
        _store_candidates(session, postgres, candidates)
    way = BY_PROBING_STAGED
    if postgres:
        # The leads from before: very few have their keys looked up among the staged ones; a small
        # database is hashed whole; a big one is probed through its indexes, one lookup per staged key.
        existing = session.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'leads'::regclass")).scalar()
        way = (BY_PROBING_KNOWN if before < PROBE_KNOWN_BELOW else
               BY_HASHING_KNOWN if existing < HASH_BELOW * staged else BY_PROBING_STAGED)
        if way != BY_PROBING_STAGED:
            session.execute(text("SET LOCAL enable_nestloop = off"))
        # Without hash aggregation the candidates are not first made unique and joined with the staged
        # rows (hashing all of those, which the planner guesses few): they are hashed themselves, once
        # per key, and probed (a hash semi-join). For 100,000 rows that took a fifth off this statement
        # on a small database and two fifths where the leads from before are probed.
        session.execute(text("SET LOCAL enable_hashagg = off"))
    _create(session, FATES_TABLE, _fates_sql(candidates is not None, postgres, way), import_id)
    if postgres:
        session.execute(text("SET LOCAL enable_hashagg = on"))
        session.execute(text("SET LOCAL enable_nestloop = off"))  # see the module's docstring
    counts = dict.fromkeys(("duplicate", "skipped"), 0)
    counts.update(dict(session.execute(text(f"SELECT fate, count(*) FROM {FATES_TABLE} GROUP BY fate")).all()))
    return counts


def _store_candidates(session: Session, postgres: bool, candidates: Iterable[str]) -> None:
    if postgres:
        session.execute(text(f"CREATE TEMPORARY TABLE {CANDIDATES_TABLE} (value text) ON COMMIT DROP"))
        cursor = session.connection().connection.cursor()
        try:
            cursor.copy_expert(f"COPY {CANDIDATES_TABLE} (value) FROM STDIN WITH (FORMAT csv)",
                               io.StringIO("".join(_csv_line(value) for value in candidates)))
        finally:
            cursor.close()
        return
    session.execute(text(f"DROP TABLE IF EXISTS {CANDIDATES_TABLE}"))
    session.execute(text(f"CREATE TEMPORARY TABLE {CANDIDATES_TABLE} (value text)"))
    values = [{"value": value} for value in candidates]
    if values:
        session.execute(text(f"INSERT INTO {CANDIDATES_TABLE} (value) VALUES (:value)"), values)


def _csv_line(value: str) -> str:
    return '"' + value.replace('"', '""') + '"\n'


def settle(session: Session, import_id: str) -> None:
    """Report every staged lead that is not to be created, then delete it."""
    postgres = _postgres(session)
    report = _report_sql(*(("json_build_object", "CAST({} AS json)") if postgres else ("json_object", "{}")), postgres)
    session.execute(text(report), {"import_id": import_id})
    if not postgres:
        session.execute(text(_DELETE_SQLITE), {"import_id": import_id})


def created_leads(session: Session, import_id: str, block: int, *columns: str) -> Iterator[Sequence[Any]]:
    """``columns`` of the leads the import created, in file order, streamed (a server-side cursor on
    PostgreSQL, read ``block`` rows at a time)."""
    if _postgres(session):
        cursor = session.connection().connection.cursor(name="import_leads")
        cursor.itersize = block
        try:
            cursor.execute(f"SELECT {', '.join(columns)} FROM leads WHERE import_id = %s ORDER BY import_row",
                           (import_id,))
            yield from cursor
        finally:
            cursor.close()
        return
    stmt = select(*(getattr(Lead, c) for c in columns)).where(Lead.import_id == import_id).order_by(Lead.import_row)
    yield from session.execute(stmt)


def create_owners_table(session: Session) -> None:
    postgres = _postgres(session)
    if not postgres:
        session.execute(text(f"DROP TABLE IF EXISTS {OWNERS_TABLE}"))
    session.execute(text(f"CREATE TEMPORARY TABLE {OWNERS_TABLE} (row_no integer PRIMARY KEY, owner_id text, "
                         f"team text, region text){' ON COMMIT DROP' if postgres else ''}"))


def store_owners(session: Session, owners: list[tuple[int, str, str | None, str | None]]) -> None:
    """(row, owner_id, team, region) of created rows that got an owner."""
    if owners:
        session.execute(text(f"INSERT INTO {OWNERS_TABLE} (row_no, owner_id, team, region) "
                             "VALUES (:row_no, :owner_id, :team, :region)"),
                        [dict(zip(("row_no", "owner_id", "team", "region"), owner, strict=True)) for owner in owners])


def own(session: Session, import_id: str, now: datetime) -> None:
    """Hand the created leads that got an owner to it."""
    sql = _OWN if _postgres(session) else _OWN_SQLITE
    session.execute(text(sql).bindparams(bindparam("now", type_=UtcDateTime())), {"now": now, "import_id": import_id})


def drop(session: Session) -> None:
    """SQLite keeps temporary tables for the connection's life; PostgreSQL dropped them at commit."""
    if not _postgres(session):
        for table in TABLES:
            session.execute(text(f"DROP TABLE IF EXISTS {table}"))
