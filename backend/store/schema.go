package store

import (
	"context"
	"database/sql"
	"fmt"
)

// applicationID marks a SQLite file as Parley's (PRAGMA application_id):
// "PRLY" in ASCII.
const applicationID = 0x50524c59

// schemaVersion is the PRAGMA user_version this code writes and reads,
// len(migrations).
const schemaVersion = 3

// migration is one step of the schema: SQL, then, when there is one, a Go
// function for what SQL cannot do, such as encoding chunk bodies.
type migration struct {
	sql string
	run func(ctx context.Context, tx *sql.Tx) error
}

// migrations[i] brings a database from user_version i to i+1. Each runs in
// the same transaction that sets the new user_version, so a crash leaves
// the database at one version or the next, never between. The SQL of a
// released version never changes: files written with it exist.
var migrations = []migration{
	// Version 1.
	{sql: `
CREATE TABLE rooms (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	name_key  TEXT NOT NULL,   -- name, case-folded, for FindRoom
	host      TEXT NOT NULL,
	port      INTEGER NOT NULL,
	last_used INTEGER NOT NULL -- Unix milliseconds
);
CREATE INDEX rooms_by_name ON rooms (name_key, last_used);
CREATE INDEX rooms_by_use ON rooms (last_used);

CREATE TABLE logs (
	id       INTEGER PRIMARY KEY, -- the log's key in messages
	room_id  TEXT NOT NULL UNIQUE,
	last_seq INTEGER NOT NULL,    -- highest seq ever appended; survives pruning
	rows     INTEGER NOT NULL     -- rows in messages, for retention
);

CREATE TABLE messages (
	log       INTEGER NOT NULL REFERENCES logs (id),
	seq       INTEGER NOT NULL,
	id        TEXT NOT NULL,
	client_id TEXT NOT NULL,
	sender    TEXT NOT NULL,
	text      TEXT NOT NULL,
	ts        INTEGER NOT NULL, -- Unix milliseconds, the host's clock
	PRIMARY KEY (log, seq)
) WITHOUT ROWID;
CREATE INDEX messages_by_sender ON messages (log, client_id, id, seq);

CREATE TABLE state (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
`},
	// Version 2: find a sender's messages by client and seq, not by client
	// and message id. A client's messages then go into the index in order,
	// next to each other, instead of at random places (ids are random),
	// which made every append touch pages all over the index; a lookup
	// reads that one client's entries in the room, which is short work
	// for the rare message resent after it left the host's memory.
	{sql: `
DROP INDEX messages_by_sender;
CREATE INDEX messages_by_client ON messages (log, client_id, seq);
`},
	// Version 3: a log is stored as chunks, one row per Append holding its
	// messages encoded in one blob (see chunk.go), instead of a row and
	// an index entry per message; moveToChunks converts the messages and
	// drops their table. senders lists, per segment of 4096 seqs, the
	// clients with a message in it, for Lookup (see senders.go).
	{sql: `
CREATE TABLE chunks (
	log       INTEGER NOT NULL REFERENCES logs (id),
	first_seq INTEGER NOT NULL,
	last_seq  INTEGER NOT NULL,
	count     INTEGER NOT NULL, -- messages in body
	body      BLOB NOT NULL     -- the messages, encoded
);
CREATE UNIQUE INDEX chunks_by_seq ON chunks (log, last_seq);

CREATE TABLE senders (
	log       INTEGER NOT NULL,
	seg       INTEGER NOT NULL, -- last_seq >> 12 of a chunk with a message from client_id
	client_id TEXT NOT NULL,
	PRIMARY KEY (log, seg, client_id)
) WITHOUT ROWID;
`, run: moveToChunks},
}

// migrate brings the database up to schemaVersion, one version per
// transaction. from is the current user_version.
func migrate(ctx context.Context, db *sql.DB, from int) error {
	for v := from; v < schemaVersion; v++ {
		if err := migrateOne(ctx, db, v); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, classify(err))
		}
	}
	return nil
}

func migrateOne(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // No-op after Commit.
	m := migrations[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.run != nil {
		if err := m.run(ctx, tx); err != nil {
			return err
		}
	}
	pragmas := fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, v+1)
	if _, err := tx.ExecContext(ctx, pragmas); err != nil {
		return err
	}
	return tx.Commit()
}
