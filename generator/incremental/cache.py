"""The incremental build cache in SITE_DIR/.clinicpress-cache/: parsed posts, rendered Markdown,
and what the last build wrote. Anything unreadable or from another version is thrown away, never trusted."""
from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from generator.incremental.identity import code_identity

CACHE_DIR = ".clinicpress-cache"
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (path TEXT PRIMARY KEY, key TEXT NOT NULL, stat TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS post_values (path TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS summaries (key TEXT PRIMARY KEY, words INTEGER NOT NULL, excerpt TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, signature TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS spare (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lint (key TEXT PRIMARY KEY, findings BLOB NOT NULL, environment TEXT NOT NULL,
                                 looked_up BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS page_descriptions (signature TEXT PRIMARY KEY, description TEXT NOT NULL,
                                              width INTEGER NOT NULL);
"""


def remembers_findings(site_dir: Path) -> bool:
    """Whether the site's cache keeps post findings that this code can use (none: a first check reads
    every post). Read only: nothing is created, so a mistyped folder stays as it was."""
    path = site_dir / CACHE_DIR / "build.sqlite"
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)  # site_dir may be relative
        try:
            version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            return version == (code_identity(),) and db.execute("SELECT 1 FROM lint LIMIT 1").fetchone() is not None
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return False


class BuildCache:
    """One SQLite database; a damaged one is deleted and started again."""

    def __init__(self, site_dir: Path, enabled: bool = True):
        # Disabled (--no-cache): a fresh database in a temporary folder, still used to hold
        # rendered bodies outside memory during the build, and thrown away afterwards.
        self._temporary = None if enabled else Path(tempfile.mkdtemp(prefix="clinicpress-"))
        self.path = (self._temporary or site_dir / CACHE_DIR) / "build.sqlite"
        self.templates_dir = None if self._temporary else site_dir / CACHE_DIR / "templates"  # compiled Jinja
        self.db: sqlite3.Connection | None = None
        self._tables_read: dict[str, dict[str, tuple]] = {}  # as read in this build, to store only changes
        self._owner = self._pid = os.getpid()  # the process that writes; _pid: whose connection db is
        self.db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        version = code_identity()  # tables and values written by other code are not read
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, isolation_level=None)
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                if row is None or row[0] != version:  # tables of another version may have other columns
                    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                    db.executescript("".join(f'DROP TABLE "{name}";' for name in tables) + "VACUUM;")
                    db.executescript(_TABLES)
                    db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
                return db
            except (sqlite3.DatabaseError, OSError):
                self.path.unlink(missing_ok=True)  # corrupted: start again from nothing
        return None

    def _loads(self, blob: bytes) -> Any:
        try:
            return pickle.loads(blob)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever unpickling raised
            return None

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        if self.db is not None and os.getpid() != self._pid:
            # A forked worker must not share the parent's connection: open its own, read-only.
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._pid = os.getpid()
        if self.db is None:
            return []
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError:
            self._start_again()
            return []

    # parsed posts, keyed by file digest and configuration ------------------------------
    def post_keys(self) -> dict[str, tuple[str, str]]:
        """path -> (key of the file's content, key of its size and times)."""
        return {path: (key, stat) for path, key, stat in self._query("SELECT path, key, stat FROM posts")}

    def _select_in(self, table: str, key_column: str, columns: str, keys: list[str]) -> Iterator[tuple]:
        """Rows whose key is one of keys, a few hundred keys per query (SQLite's limit on parameters).
        Yielded query by query, so that the pickled values of a large site are never all in memory
        at once beside what they unpickle to (80 MB at 10,000 posts)."""
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._query(f"SELECT {key_column}, {columns} FROM {table} WHERE {key_column} IN ({marks})",
                                   tuple(chunk))

    def _unpickled(self, rows: Iterable[tuple]) -> dict[str, Any]:
        """key -> value for (key, pickled value) rows; damaged entries are left out."""
        found = {}
        for key, blob in rows:
            value = self._loads(blob)
            if value is not None:
                found[key] = value
        return found

    def load_posts(self, paths: list[str]) -> dict[str, Any]:
        return self._unpickled(self._select_in("post_values", "path", "value", paths))

    def store_posts(self, rows: Iterable[tuple[str, tuple[str, str], Any]]) -> None:
        """(path, (content key, stat key), parsed post); a post of None keeps the stored one."""
        rows = list(rows)
        self._store(("INSERT OR REPLACE INTO posts VALUES (?, ?, ?)",
                     [(path, key, stat) for path, (key, stat), _ in rows]),
                    ("INSERT OR REPLACE INTO post_values VALUES (?, ?)",
                     [(path, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) for path, _, value in rows
                      if value is not None]))

    def forget_posts_except(self, keep: set[str]) -> None:
        """Forget files that are gone."""
        self._forget_except(("posts", "post_values"), "path", keep)

    # rendered Markdown, keyed by body and settings -----------------------------------------
    def summaries(self, keys: list[str]) -> dict[str, tuple[int, str]]:
        # The table holds little beyond the current posts' bodies: reading it whole beats thousands of lookups.
        wanted = set(keys)
        return {key: (words, excerpt) for key, words, excerpt in self._query("SELECT key, words, excerpt FROM summaries")
                if key in wanted}

    def bodies(self, keys: list[str]) -> dict[str, Any]:
        return self._unpickled(self._select_in("bodies", "key", "value", keys))

    def store_bodies(self, items: dict[str, Any]) -> None:
        self._store(("INSERT OR REPLACE INTO summaries VALUES (?, ?, ?)",
                     [(key, value.body.word_count, value.body.text) for key, value in items.items()]),
                    ("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                     [(key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) for key, value in items.items()]))

    def forget_bodies_except(self, keep: set[str]) -> None:
        """Drop bodies that no post has any more."""
        self._forget_except(("summaries", "bodies"), "key", keep)

    # per-post lint findings, keyed by post and everything the rules look at -------------------
    def lint_findings(self, keys: list[str]) -> dict[str, tuple[list, str]]:
        """key -> (findings, the site's environment they were found in). What each post looked up is
        read only for the posts whose environment changed (lint_lookups): most rebuilds need none of it,
        and at 10,000 posts it is most of the table."""
        found = {}
        for key, blob, environment in self._select_in("lint", "key", "findings, environment", keys):
            findings = self._loads(blob)
            if findings is not None:
                found[key] = (findings, environment)
        return found

    def lint_lookups(self, keys: list[str]) -> dict[str, list]:
        return self._unpickled(self._select_in("lint", "key", "looked_up", keys))

    def store_lint_findings(self, items: dict[str, tuple[list, list, str]], keep: set[str] | None) -> None:
        """Store new (findings, looked up, environment); with keep, forget those no current post has."""
        dump = pickle.dumps
        self._store(("INSERT OR REPLACE INTO lint VALUES (?, ?, ?, ?)",
                     [(key, dump(found, pickle.HIGHEST_PROTOCOL), environment, dump(looked_up, pickle.HIGHEST_PROTOCOL))
                      for key, (found, looked_up, environment) in items.items()]))
        if keep is not None:
            self._forget_except(("lint",), "key", keep)

    # meta descriptions of the pages that list posts, keyed by what their renderer receives -----
    def page_descriptions(self) -> dict[str, tuple[str, int]]:
        """signature -> (description, display width); the table holds the current pages only: read it whole."""
        return {signature: (text, width) for signature, text, width
                in self._query("SELECT signature, description, width FROM page_descriptions")}

    def store_page_descriptions(self, items: dict[str, tuple[str, int]], keep: set[str]) -> None:
        self._store(("INSERT OR REPLACE INTO page_descriptions VALUES (?, ?, ?)",
                     [(signature, text, width) for signature, (text, width) in items.items()]))
        self._forget_except(("page_descriptions",), "signature", keep)

    def _forget_except(self, tables: tuple[str, ...], column: str, keep: set[str]) -> None:
        """Delete the rows not in keep. The first table holds every kept row, so counting first spares
        reading all keys when nothing is gone, as on most rebuilds."""
        rows = self._query(f"SELECT count(*) FROM {tables[0]}")
        if rows and rows[0][0] > len(keep):
            gone = [(key,) for key in {row[0] for row in self._query(f"SELECT {column} FROM {tables[0]}")} - keep]
            self._store(*((f"DELETE FROM {table} WHERE {column} = ?", gone) for table in tables))

    # what the last build wrote ----------------------------------------------------------------
    def _meta(self, key: str, output_dir: Path) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        prefix = str(output_dir.resolve()) + "\n"
        return rows[0][0][len(prefix):] if rows and rows[0][0].startswith(prefix) else None

    def marker(self, output_dir: Path) -> str | None:
        """The marker the last build left in output_dir; the outputs table is valid only if it is still there."""
        return self._meta("output", output_dir)

    def spare_marker(self, output_dir: Path) -> str | None:
        return self._meta("spare", output_dir)

    def outputs(self) -> dict[str, tuple[str, str]]:
        self._tables_read["outputs"] = {path: (signature, digest) for path, signature, digest in
                                        self._query("SELECT path, signature, digest FROM outputs")}
        return dict(self._tables_read["outputs"])

    def spare(self) -> dict[str, str]:
        self._tables_read["spare"] = {path: (digest,) for path, digest in self._query("SELECT path, digest FROM spare")}
        return {path: digest for path, (digest,) in self._tables_read["spare"].items()}

    def _replace_rows(self, table: str, rows: dict[str, tuple], width: int) -> list[tuple[str, list[tuple] | None]]:
        """Statements that make table (of width columns) hold rows: only the difference when the table
        was read in this build."""
        marks = ", ".join("?" * width)
        known = self._tables_read.get(table)
        if known is None:
            return [(f"DELETE FROM {table}", None),
                    (f"INSERT INTO {table} VALUES ({marks})", [(key, *value) for key, value in rows.items()])]
        return [(f"DELETE FROM {table} WHERE path = ?", [(key,) for key in known.keys() - rows.keys()]),
                (f"INSERT OR REPLACE INTO {table} VALUES ({marks})",
                 [(key, *value) for key, value in rows.items() if known.get(key) != value])]

    def store_outputs(self, output_dir: Path, rows: dict[str, tuple[str, str]], marker: str,
                      spare: dict[str, str], spare_marker: str | None) -> None:
        """Record this build's files, and the previous build's, now kept as the spare folder."""
        where = str(output_dir.resolve())
        self._store(*self._replace_rows("outputs", rows, 3),
                    *self._replace_rows("spare", {path: (digest,) for path, digest in spare.items()}, 2),
                    ("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                     [("output", f"{where}\n{marker}"), ("spare", f"{where}\n{spare_marker or ''}")]))

    def _store(self, *statements: tuple[str, list[tuple] | None]) -> None:
        """Run statements (SQL, rows; None: run once without parameters) in one transaction."""
        for attempt in range(2):
            if self.db is None:
                return
            try:
                self.db.execute("BEGIN")
                for sql, rows in statements:
                    if rows is None:
                        self.db.execute(sql)
                    else:
                        self.db.executemany(sql, rows)
                self.db.execute("COMMIT")
                return
            except sqlite3.DatabaseError:
                self._start_again()

    def _start_again(self) -> None:
        """The database is damaged: delete it and go on with an empty one (the main process only;
        a worker just stops reading)."""
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        self.db = None
        self._tables_read = {}
        if os.getpid() == self._owner:
            self.path.unlink(missing_ok=True)
            self.db = self._open()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._temporary is not None and os.getpid() == self._owner:
            shutil.rmtree(self._temporary, ignore_errors=True)
