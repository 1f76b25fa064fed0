//! The schema, as an ordered list of migrations. `PRAGMA user_version` holds
//! how many have been applied; a database from a newer linkrot is refused.

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, issues, urls, occurrences, checks.
    r"
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        started_at  INTEGER NOT NULL,            -- unix seconds
        finished_at INTEGER,
        state       TEXT NOT NULL DEFAULT 'running', -- running | finished
        inputs      TEXT NOT NULL,               -- JSON array of the inputs given
        summary     TEXT                         -- JSON counts per status
    );
    CREATE TABLE issues (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL UNIQUE,
        title       TEXT,
        date        TEXT,                        -- YYYY-MM-DD
        last_run    INTEGER NOT NULL REFERENCES runs(id)
    );
    CREATE TABLE urls (
        id             INTEGER PRIMARY KEY,
        url            TEXT NOT NULL UNIQUE,      -- as written in the issues
        first_seen     INTEGER NOT NULL,
        last_checked   INTEGER,
        last_status    TEXT,
        last_ok        INTEGER,                  -- last check that found it alive
        failing_since  INTEGER,                  -- first failure of the current streak
        strikes        INTEGER NOT NULL DEFAULT 0 -- consecutive failed checks
    );
    CREATE TABLE occurrences (
        issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        url_id      INTEGER NOT NULL REFERENCES urls(id),
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        line        INTEGER NOT NULL,
        col         INTEGER NOT NULL,
        span_start  INTEGER NOT NULL,
        span_end    INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        text        TEXT
    );
    CREATE INDEX occurrences_issue ON occurrences(issue_id);
    CREATE INDEX occurrences_url ON occurrences(url_id);
    CREATE INDEX occurrences_run ON occurrences(run_id);
    CREATE TABLE checks (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        url_id      INTEGER NOT NULL REFERENCES urls(id),
        checked_at  INTEGER NOT NULL,
        status      TEXT NOT NULL,
        http_status INTEGER,
        final_url   TEXT,
        redirects   TEXT NOT NULL DEFAULT '[]',  -- JSON [{url, status}]
        error       TEXT,
        requests    INTEGER NOT NULL,
        elapsed_ms  INTEGER NOT NULL
    );
    CREATE INDEX checks_url ON checks(url_id, checked_at);
    CREATE INDEX checks_run ON checks(run_id, url_id);
    ",
    // 2: which check stands for each URL in a run: one made in that run, or
    // an earlier one reused because it was fresh enough (or the request
    // budget was spent).
    r"
    CREATE TABLE run_urls (
        run_id    INTEGER NOT NULL REFERENCES runs(id),
        url_id    INTEGER NOT NULL REFERENCES urls(id),
        check_id  INTEGER NOT NULL REFERENCES checks(id),
        reused    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, url_id)
    );
    INSERT INTO run_urls (run_id, url_id, check_id, reused)
        SELECT run_id, url_id, max(id), 0 FROM checks GROUP BY run_id, url_id;
    ",
    // 3: archive lookups and saves; a hash of each issue as last read, so
    // `fix` can tell a file changed since it was checked.
    r"
    ALTER TABLE issues ADD COLUMN content_hash TEXT;
    CREATE TABLE archive_lookups (
        url_id        INTEGER NOT NULL REFERENCES urls(id),
        target        TEXT NOT NULL,      -- YYYY-MM-DD the capture should be closest to; '' for none
        capture_url   TEXT,               -- NULL: no archive has a good capture
        timestamp     TEXT,
        source        TEXT,
        verified      INTEGER NOT NULL DEFAULT 0,
        looked_up_at  INTEGER NOT NULL,
        PRIMARY KEY (url_id, target)
    );
    CREATE TABLE saves (
        url_id        INTEGER PRIMARY KEY REFERENCES urls(id),
        state         TEXT NOT NULL,      -- pending | success | error | retry | archived
        job_id        TEXT,
        status_ext    TEXT,
        message       TEXT,
        capture_url   TEXT,
        submitted_at  INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    ",
    // 4: pages of a crawled website as last read, so an unchanged page is
    // not extracted again (its links are its issue's occurrences).
    r"
    CREATE TABLE pages (
        url           TEXT PRIMARY KEY,   -- as requested
        path          TEXT NOT NULL,      -- the issue it is recorded as (its canonical URL)
        etag          TEXT,
        last_modified TEXT,
        content_hash  TEXT NOT NULL,
        internal      TEXT NOT NULL DEFAULT '[]', -- JSON: the site's pages it links to
        fetched_at    INTEGER NOT NULL
    );
    ",
    // 5: the settings each run was judged by (JSON: the dead-link
    // policy), so that later commands judge its links the same way.
    r"
    ALTER TABLE runs ADD COLUMN settings TEXT;
    ",
    // 6: whether the page has the anchor a spelling of a URL points at
    // (JSON: {"name", "found"}), per check.
    r"
    ALTER TABLE checks ADD COLUMN fragment TEXT;
    ",
    // 7: what lint found in each issue of a run (so `report` shows it
    // too), and the absolute URL a relative link resolved to (--base-url).
    r"
    CREATE TABLE findings (
        run_id   INTEGER NOT NULL REFERENCES runs(id),
        path     TEXT NOT NULL,                  -- the issue
        line     INTEGER NOT NULL,
        col      INTEGER NOT NULL,
        kind     TEXT NOT NULL,                  -- placeholder | empty-link | ... | insecure
        url      TEXT NOT NULL,                  -- as written
        message  TEXT NOT NULL,
        PRIMARY KEY (run_id, path, line, col, kind)
    );
    ALTER TABLE occurrences ADD COLUMN resolved TEXT;
    ",
    // 8: the URL a check requested when `--remap` rewrote the one written.
    r"
    ALTER TABLE checks ADD COLUMN remapped TEXT;
    ",
    // 9: a fingerprint of each issue's links as last stored, so that a run
    // reading the same links again moves them to itself instead of
    // writing them all again.
    r"
    ALTER TABLE issues ADD COLUMN links_hash TEXT;
    ",
    // 10: why a link only looks like one (`flaw`), so that lint can read
    // an issue's links back instead of a run keeping them all.
    r"
    ALTER TABLE occurrences ADD COLUMN flaw TEXT;
    ",
    // 11: the checks that made a request, by URL and time: the latest of
    // each URL is one step down it (planning a run, lint's `insecure`, a
    // link's history), where `checks_url` reads every check of the URL
    // to skip the excluded ones.
    r"
    CREATE INDEX checks_requested ON checks(url_id, checked_at)
        WHERE status NOT IN ('excluded', 'unsupported');
    ",
];
