package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-lan/parley/backend/chat"
)

// TestMigrateFromVersion1: a database written with schema version 1 opens
// under the current schema with everything in it, and lookups work.
func TestMigrateFromVersion1(t *testing.T) {
	path := tempDB(t)
	foreignDB(t, path,
		"PRAGMA application_id = 1347570777", // "PRLY"
		migrations[0].sql,
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

// v2Room is a room's log as a version-2 database held it.
type v2Room struct {
	id      string
	entries []chat.Entry
}

// v2Rooms are two rooms with a few thousand messages: one pruned (it
// starts at seq 201), with a gap, crossing segments, with a client that
// reused a message id and messages without a client ID.
func v2Rooms() []v2Room {
	var a, b []chat.Entry
	clients := []string{"c0", "c1", "c2", "reuser", ""}
	for seq := uint64(201); seq <= 5300; seq++ {
		if seq > 3000 && seq <= 3100 {
			continue // a gap
		}
		e := entry(seq)
		e.ClientID = clients[seq%uint64(len(clients))]
		e.Text = fmt.Sprintf("%d: %s", seq, benchText[:seq%97])
		e.TS = 1_700_000_000_000 + int64(seq/10)*1000
		if e.ClientID == "reuser" && (seq == 213 || seq == 4098) {
			e.ID = "dup"
		}
		a = append(a, e)
	}
	for seq := uint64(1); seq <= 1500; seq++ {
		e := entry(seq)
		e.ClientID = clients[seq%2]
		b = append(b, e)
	}
	return []v2Room{{"room-a", a}, {"room-b", b}}
}

// writeV2 creates a version-2 database at path, with the SQL of versions 1
// and 2, holding rooms.
func writeV2(t *testing.T, path string, rooms []v2Room) {
	t.Helper()
	foreignDB(t, path, "PRAGMA application_id = 1347570777", migrations[0].sql, migrations[1].sql, "PRAGMA user_version = 2")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	insert, err := tx.Prepare(`INSERT INTO messages (log, seq, id, client_id, sender, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer insert.Close()
	for _, r := range rooms {
		last := r.entries[len(r.entries)-1].Seq
		var key int64
		err := tx.QueryRow(`INSERT INTO logs (room_id, last_seq, rows) VALUES (?, ?, ?) RETURNING id`, r.id, last, len(r.entries)).Scan(&key)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.entries {
			if _, err := insert.Exec(key, e.Seq, e.ID, e.ClientID, e.From, e.Text, e.TS); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// readings are the answers of a log's reads, as compared before and after
// migrating.
type readings map[string]any

// Version 2's read queries, as its statements ran them.
const (
	v2Cols   = `seq, id, sender, text, ts`
	v2Log    = `(SELECT id FROM logs WHERE room_id = ?1)`
	v2After  = `SELECT ` + v2Cols + ` FROM messages WHERE log = ` + v2Log + ` AND seq > ?2 ORDER BY seq LIMIT ?3`
	v2Before = `SELECT ` + v2Cols + ` FROM messages WHERE log = ` + v2Log + ` AND seq < ?2 ORDER BY seq DESC LIMIT ?3`
	v2Recent = `SELECT ` + v2Cols + `, client_id FROM messages WHERE log = ` + v2Log + ` ORDER BY seq DESC LIMIT ?2`
	v2Lookup = `SELECT ` + v2Cols + ` FROM messages INDEXED BY messages_by_client
		WHERE log = ` + v2Log + ` AND client_id = ?2 AND id = ?3 ORDER BY seq LIMIT 1`
)

// The reads compared.
var (
	afterSeqs  = []uint64{0, 200, 201, 2999, 3050, 4095, 5299, 5300, math.MaxUint64}
	beforeSeqs = []uint64{1, 2, 202, 3101, 4097, 5301, math.MaxUint64}
	limits     = []int{7, 256, MaxLimit}
	recentNs   = []int{1, 300, 5000, MaxRecent}
)

// lookups returns the (client, id) pairs to look up in room: a sample of
// its messages, the reused id, and some that are not there.
func lookups(r v2Room) [][2]string {
	pairs := [][2]string{{"reuser", "dup"}, {"c0", "dup"}, {"nobody", "m300"}, {"", "m300"}, {"c1", ""}}
	for i := 0; i < len(r.entries); i += 151 {
		pairs = append(pairs, [2]string{r.entries[i].ClientID, r.entries[i].ID})
	}
	return pairs
}

// readV2 answers the reads with version 2's queries on its file.
func readV2(t *testing.T, path string, r v2Room) readings {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := readings{}
	var last uint64
	if err := db.QueryRow(`SELECT last_seq FROM logs WHERE room_id = ?`, r.id).Scan(&last); err != nil {
		t.Fatal(err)
	}
	got["LastSeq"] = last
	for _, limit := range limits {
		for _, seq := range afterSeqs {
			var msgs []chat.Message
			if seq < math.MaxInt64 {
				msgs = v2Messages(t, db, v2After, r.id, int64(seq), min(limit, MaxLimit))
			}
			got[fmt.Sprintf("After(%d, %d)", seq, limit)] = msgs
		}
		for _, seq := range beforeSeqs {
			var msgs []chat.Message
			if seq > 1 {
				msgs = v2Messages(t, db, v2Before, r.id, int64(min(seq, math.MaxInt64)), min(limit, MaxLimit))
				slices.Reverse(msgs)
			}
			got[fmt.Sprintf("Before(%d, %d)", seq, limit)] = msgs
		}
	}
	for _, n := range recentNs {
		got[fmt.Sprintf("Recent(%d)", n)] = v2Entries(t, db, r.id, n)
	}
	for _, p := range lookups(r) {
		var m chat.Message
		if p[0] != "" && p[1] != "" {
			if msgs := v2Messages(t, db, v2Lookup, r.id, p[0], p[1]); len(msgs) == 1 {
				m = msgs[0]
			}
		}
		got[fmt.Sprintf("Lookup(%q, %q)", p[0], p[1])] = m
	}
	return got
}

func v2Messages(t *testing.T, db *sql.DB, query string, args ...any) []chat.Message {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var msgs []chat.Message
	for rows.Next() {
		var m chat.Message
		if err := rows.Scan(&m.Seq, &m.ID, &m.From, &m.Text, &m.TS); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func v2Entries(t *testing.T, db *sql.DB, room string, n int) []chat.Entry {
	t.Helper()
	rows, err := db.Query(v2Recent, room, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var es []chat.Entry
	for rows.Next() {
		var e chat.Entry
		if err := rows.Scan(&e.Seq, &e.ID, &e.From, &e.Text, &e.TS, &e.ClientID); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

// readStore answers the reads with the Store.
func readStore(t *testing.T, s *Store, r v2Room) readings {
	t.Helper()
	l := s.Log(r.id)
	got := readings{"LastSeq": lastSeqOf(t, l)}
	for _, limit := range limits {
		for _, seq := range afterSeqs {
			msgs, err := l.After(seq, limit)
			if err != nil {
				t.Fatalf("After(%d, %d): %v", seq, limit, err)
			}
			got[fmt.Sprintf("After(%d, %d)", seq, limit)] = msgs
		}
		for _, seq := range beforeSeqs {
			msgs, err := l.Before(seq, limit)
			if err != nil {
				t.Fatalf("Before(%d, %d): %v", seq, limit, err)
			}
			got[fmt.Sprintf("Before(%d, %d)", seq, limit)] = msgs
		}
	}
	for _, n := range recentNs {
		es, err := l.Recent(n)
		if err != nil {
			t.Fatalf("Recent(%d): %v", n, err)
		}
		got[fmt.Sprintf("Recent(%d)", n)] = es
	}
	for _, p := range lookups(r) {
		m, _, err := l.Lookup(p[0], p[1])
		if err != nil {
			t.Fatalf("Lookup(%q, %q): %v", p[0], p[1], err)
		}
		got[fmt.Sprintf("Lookup(%q, %q)", p[0], p[1])] = m
	}
	return got
}

// TestMigrateFromVersion2: the reads of a version-2 database answer the
// same after it is converted to chunks, and the conversion leaves the
// schema and bookkeeping of version 3.
func TestMigrateFromVersion2(t *testing.T) {
	path := tempDB(t)
	rooms := v2Rooms()
	writeV2(t, path, rooms)
	var want []readings
	for _, r := range rooms {
		want = append(want, readV2(t, path, r))
	}
	if m := want[0][`Lookup("reuser", "dup")`].(chat.Message); m.Seq != 213 {
		t.Fatalf("version 2 looked up the reused id at seq %d, want the oldest, 213", m.Seq)
	}

	s := openAt(t, path, Options{})
	for i, r := range rooms {
		got := readStore(t, s, r)
		if diff := cmp.Diff(want[i], got, cmp.Comparer(func(a, b []chat.Message) bool { return slices.Equal(a, b) }),
			cmp.Comparer(func(a, b []chat.Entry) bool { return slices.Equal(a, b) })); diff != "" {
			t.Errorf("room %s: reads after migrating (-version 2 +version 3):\n%s", r.id, diff)
		}
	}
	checkV3Schema(t, s, rooms)

	// The log goes on from where it was.
	l := s.Log(rooms[1].id)
	mustAppend(t, l, entries(1501, 1502))
	if m, ok, err := l.Lookup("c1", "m1501"); err != nil || !ok || m.Seq != 1501 {
		t.Errorf("Lookup of a message appended after migrating: got %v, %v, %v", m.Seq, ok, err)
	}
}

// checkV3Schema checks what the migration left: version 3, no messages
// table, chunks of at most maxChunkEntries in seq order, logs.rows equal
// to the messages kept, and senders rows.
func checkV3Schema(t *testing.T, s *Store, rooms []v2Room) {
	t.Helper()
	var version, tables int
	err := s.db.QueryRow(`SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema WHERE name LIKE 'messages%')`).Scan(&version, &tables)
	if err != nil || version != 3 || tables != 0 {
		t.Errorf("user_version %d, messages tables and indexes %d, %v; want 3, 0", version, tables, err)
	}
	for _, r := range rooms {
		var rows, sum, chunks, biggest, senders int64
		err := s.db.QueryRow(`SELECT rows, (SELECT sum(count) FROM chunks WHERE log = logs.id),
			(SELECT count(*) FROM chunks WHERE log = logs.id), (SELECT max(count) FROM chunks WHERE log = logs.id),
			(SELECT count(*) FROM senders WHERE log = logs.id)
			FROM logs WHERE room_id = ?`, r.id).Scan(&rows, &sum, &chunks, &biggest, &senders)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(len(r.entries))
		if rows != n || sum != n || biggest != maxChunkEntries || chunks != (n+maxChunkEntries-1)/maxChunkEntries || senders == 0 {
			t.Errorf("room %s: rows %d, messages in chunks %d, %d chunks of up to %d, %d senders rows; want %d, %d, %d of up to %d, some",
				r.id, rows, sum, chunks, biggest, senders, n, n, (n+maxChunkEntries-1)/maxChunkEntries, maxChunkEntries)
		}
	}
}

// TestMigrateFailsWhole: a migration that fails half way (here on a
// message with an impossible seq) leaves the file as it was, at version 2,
// and Open reports the damage.
func TestMigrateFailsWhole(t *testing.T) {
	path := tempDB(t)
	writeV2(t, path, v2Rooms()[1:])
	foreignDB(t, path, `INSERT INTO messages (log, seq, id, client_id, sender, text, ts)
		VALUES ((SELECT id FROM logs WHERE room_id = 'room-b'), -5, 'x', 'c1', 'x', 'x', 0)`)
	before := v2Fingerprint(t, path)
	s, err := Open(path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open: got %v, want ErrCorrupt", err)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{path, "seq -5", "move it aside"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if after := v2Fingerprint(t, path); after != before {
		t.Errorf("after the failed migration: got %s, want the file as it was, %s", after, before)
	}
}

// v2Fingerprint sums up a version-2 file: its version, tables and
// messages.
func v2Fingerprint(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version, tables, n, seqs, bytes int64
	err = db.QueryRow(`SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema), count(*), sum(seq), sum(length(text))
		FROM messages`).Scan(&version, &tables, &n, &seqs, &bytes)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("version %d, %d schema objects, %d messages, seqs summing to %d, %d bytes of text", version, tables, n, seqs, bytes)
}
