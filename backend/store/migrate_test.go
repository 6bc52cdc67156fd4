package store

import (
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// TestMigrateFromVersion1: a database written with schema version 1 opens
// under the current schema with everything in it, and lookups work.
func TestMigrateFromVersion1(t *testing.T) {
	path := tempDB(t)
	foreignDB(t, path,
		"PRAGMA application_id = 1347570777", // "PRLY"
		migrations[0],
		"PRAGMA user_version = 1",
		"INSERT INTO logs (room_id, last_seq, rows) VALUES ('r', 2, 2)",
		"INSERT INTO messages VALUES ((SELECT id FROM logs WHERE room_id = 'r'), 1, 'm1', 'c1', 'ann', 'one', 10)",
		"INSERT INTO messages VALUES ((SELECT id FROM logs WHERE room_id = 'r'), 2, 'm2', 'c1', 'ann', 'two', 11)",
	)
	s := openAt(t, path, Options{})
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != schemaVersion {
		t.Fatalf("user_version = %d, %v; want %d", v, err, schemaVersion)
	}
	l := s.Log("r")
	if last, err := l.LastSeq(); err != nil || last != 2 {
		t.Errorf("LastSeq = %d, %v; want 2", last, err)
	}
	m, found, err := l.Lookup("c1", "m2")
	if err != nil || !found || m.Text != "two" {
		t.Errorf("Lookup(c1, m2) = %+v, %v, %v", m, found, err)
	}
	if err := l.Append([]chat.Entry{{Message: chat.Message{Seq: 3, ID: "m3", From: "ann", Text: "three", TS: 12}, ClientID: "c1"}}); err != nil {
		t.Errorf("Append after migrating: %v", err)
	}
}
