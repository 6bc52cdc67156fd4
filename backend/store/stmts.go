package store

import (
	"context"
	"database/sql"
	"errors"
)

// statements are prepared once at Open for the hot paths: the host runs
// Append for every batch of messages and After for every member that
// resumes.
type statements struct {
	lastSeq   *sql.Stmt // room → log key, last_seq
	upsertLog *sql.Stmt // room, last_seq, added rows → log key, rows
	insertMsg *sql.Stmt // one message
	after     *sql.Stmt // room, seq, limit → messages ascending
	before    *sql.Stmt // room, seq, limit → messages descending
	recent    *sql.Stmt // room, limit → entries descending
	lookup    *sql.Stmt // room, client, id → message
}

const msgColumns = `seq, id, sender, text, ts`

// logOf is the log key of the room given as the first parameter.
const logOf = `(SELECT id FROM logs WHERE room_id = ?1)`

// The prepared queries.
const (
	lastSeqSQL   = `SELECT id, last_seq FROM logs WHERE room_id = ?`
	upsertLogSQL = `INSERT INTO logs (room_id, last_seq, rows) VALUES (?1, ?2, ?3)
		ON CONFLICT (room_id) DO UPDATE SET last_seq = ?2, rows = rows + ?3
		RETURNING id, rows`
	insertMsgSQL = `INSERT INTO messages (log, seq, id, client_id, sender, text, ts)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	afterSQL = `SELECT ` + msgColumns + ` FROM messages
		WHERE log = ` + logOf + ` AND seq > ?2 ORDER BY seq LIMIT ?3`
	beforeSQL = `SELECT ` + msgColumns + ` FROM messages
		WHERE log = ` + logOf + ` AND seq < ?2 ORDER BY seq DESC LIMIT ?3`
	recentSQL = `SELECT ` + msgColumns + `, client_id FROM messages
		WHERE log = ` + logOf + ` ORDER BY seq DESC LIMIT ?2`
	// lookupSQL finds a message by sender and id; the first one if a
	// client reused an id. It reads the sender's entries in the room.
	// Without statistics the planner would rather walk the primary key in
	// seq order, that is the whole log.
	lookupSQL = `SELECT ` + msgColumns + ` FROM messages INDEXED BY messages_by_client
		WHERE log = ` + logOf + ` AND client_id = ?2 AND id = ?3 ORDER BY seq LIMIT 1`
)

func prepare(ctx context.Context, db *sql.DB) (*statements, error) {
	st := &statements{}
	queries := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.lastSeq, lastSeqSQL},
		{&st.upsertLog, upsertLogSQL},
		{&st.insertMsg, insertMsgSQL},
		{&st.after, afterSQL},
		{&st.before, beforeSQL},
		{&st.recent, recentSQL},
		{&st.lookup, lookupSQL},
	}
	for _, q := range queries {
		stmt, err := db.PrepareContext(ctx, q.sql)
		if err != nil {
			st.close()
			return nil, err
		}
		*q.dst = stmt
	}
	return st, nil
}

func (st *statements) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{st.lastSeq, st.upsertLog, st.insertMsg, st.after, st.before, st.recent, st.lookup} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}
