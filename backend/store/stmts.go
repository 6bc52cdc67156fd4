package store

import (
	"context"
	"database/sql"
	"errors"
)

// statements are prepared once at Open for the hot paths: the host runs
// Append (and, every so often, a prune within it) for every batch of
// messages and After for every member that resumes.
type statements struct {
	lastSeq      *sql.Stmt // room → log key, last_seq
	upsertLog    *sql.Stmt // room, first and last seq, added messages → log key, rows
	insertChunk  *sql.Stmt // log key, first_seq, last_seq, count, body
	insertSender *sql.Stmt // log key, segment, client ID
	after        *sql.Stmt // room, seq → chunks ascending
	before       *sql.Stmt // room, seq → chunks descending
	recent       *sql.Stmt // room → chunks descending
	lookup       *sql.Stmt // room, client → the client's chunks ascending
	oldest       *sql.Stmt // log key → last_seq, count ascending
	dropChunks   *sql.Stmt // log key, last_seq: delete chunks up to it
	dropSenders  *sql.Stmt // log key, segment: delete senders below it
	shrinkLog    *sql.Stmt // deleted messages, log key
}

// chunkColumns are the columns a chunk is read with (see eachChunk).
const chunkColumns = `first_seq, last_seq, count, body`

// logOf is the log key of the room given as the first parameter.
const logOf = `(SELECT id FROM logs WHERE room_id = ?1)`

// The prepared queries.
const (
	lastSeqSQL = `SELECT id, last_seq FROM logs WHERE room_id = ?`
	// upsertLogSQL records an Append of messages ?2..?3, ?4 of them, and
	// returns no row when ?2 is not after the log's last seq.
	upsertLogSQL = `INSERT INTO logs (room_id, last_seq, rows) VALUES (?1, ?3, ?4)
		ON CONFLICT (room_id) DO UPDATE SET last_seq = ?3, rows = rows + ?4 WHERE last_seq < ?2
		RETURNING id, rows`
	insertChunkSQL = `INSERT INTO chunks (log, first_seq, last_seq, count, body)
		VALUES (?, ?, ?, ?, ?)`
	insertSenderSQL = `INSERT OR IGNORE INTO senders (log, seg, client_id) VALUES (?, ?, ?)`
	afterSQL        = `SELECT ` + chunkColumns + ` FROM chunks
		WHERE log = ` + logOf + ` AND last_seq > ?2 ORDER BY last_seq`
	// beforeSQL reads the chunks with messages below ?2, newest first:
	// those up to the one that holds ?2 or, failing that, the next one
	// after it, so that the index bounds the search.
	beforeSQL = `SELECT ` + chunkColumns + ` FROM chunks
		WHERE log = ` + logOf + ` AND last_seq <= coalesce(
			(SELECT min(last_seq) FROM chunks WHERE log = ` + logOf + ` AND last_seq >= ?2), ?2)
		AND first_seq < ?2 ORDER BY last_seq DESC`
	recentSQL = `SELECT ` + chunkColumns + ` FROM chunks
		WHERE log = ` + logOf + ` ORDER BY last_seq DESC`
	// lookupSQL reads the chunks of the segments that hold a message from
	// the client ?2 (12 is segBits), oldest segment first. Ordering the
	// chunks within a segment too would sort each segment's bodies.
	lookupSQL = `SELECT c.first_seq, c.last_seq, c.count, c.body
		FROM senders s JOIN chunks c ON c.log = s.log
			AND c.last_seq >= s.seg << 12 AND c.last_seq < (s.seg + 1) << 12
		WHERE s.log = ` + logOf + ` AND s.client_id = ?2 ORDER BY s.seg`
	oldestSQL      = `SELECT last_seq, count FROM chunks WHERE log = ? ORDER BY last_seq`
	dropChunksSQL  = `DELETE FROM chunks WHERE log = ? AND last_seq <= ?`
	dropSendersSQL = `DELETE FROM senders WHERE log = ? AND seg < ?`
	shrinkLogSQL   = `UPDATE logs SET rows = rows - ? WHERE id = ?`
)

func prepare(ctx context.Context, db *sql.DB) (*statements, error) {
	st := &statements{}
	for _, q := range st.queries() {
		stmt, err := db.PrepareContext(ctx, q.sql)
		if err != nil {
			st.close()
			return nil, err
		}
		*q.dst = stmt
	}
	return st, nil
}

func (st *statements) queries() []struct {
	dst **sql.Stmt
	sql string
} {
	return []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.lastSeq, lastSeqSQL},
		{&st.upsertLog, upsertLogSQL},
		{&st.insertChunk, insertChunkSQL},
		{&st.insertSender, insertSenderSQL},
		{&st.after, afterSQL},
		{&st.before, beforeSQL},
		{&st.recent, recentSQL},
		{&st.lookup, lookupSQL},
		{&st.oldest, oldestSQL},
		{&st.dropChunks, dropChunksSQL},
		{&st.dropSenders, dropSendersSQL},
		{&st.shrinkLog, shrinkLogSQL},
	}
}

func (st *statements) close() error {
	var errs []error
	for _, q := range st.queries() {
		if *q.dst != nil {
			errs = append(errs, (*q.dst).Close())
		}
	}
	return errors.Join(errs...)
}
