package store

import (
	"context"
	"database/sql"
	"errors"
)

// readStatements are prepared once at Open, on the pool, for the reads
// the host makes often: After for every member that resumes, LastSeq and
// Lookup for resends.
type readStatements struct {
	lastSeq *sql.Stmt // room → log key, last_seq
	after   *sql.Stmt // room, seq → chunks ascending
	before  *sql.Stmt // room, seq → chunks descending
	recent  *sql.Stmt // room → chunks descending
	lookup  *sql.Stmt // room, client → the client's chunks, by segment
}

// writeStatements are prepared once at Open on the write connection, for
// Append (and the prune within it), which the host runs for every batch
// of messages, and the transaction around it.
type writeStatements struct {
	begin, commit, rollback *sql.Stmt

	lastSeq      *sql.Stmt // room → log key, last_seq
	upsertLog    *sql.Stmt // room, first and last seq, added messages → log key, rows
	insertChunk  *sql.Stmt // log key, first_seq, last_seq, count, body
	insertSender *sql.Stmt // log key, segment, client ID
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
	// the client ?2 (?3 is segBits), oldest segment first. Ordering the
	// chunks within a segment too would sort each segment's bodies.
	lookupSQL = `SELECT c.first_seq, c.last_seq, c.count, c.body
		FROM senders s JOIN chunks c ON c.log = s.log
			AND c.last_seq >= s.seg << ?3 AND c.last_seq < (s.seg + 1) << ?3
		WHERE s.log = ` + logOf + ` AND s.client_id = ?2 ORDER BY s.seg`
	oldestSQL      = `SELECT last_seq, count FROM chunks WHERE log = ? ORDER BY last_seq`
	dropChunksSQL  = `DELETE FROM chunks WHERE log = ? AND last_seq <= ?`
	dropSendersSQL = `DELETE FROM senders WHERE log = ? AND seg < ?`
	shrinkLogSQL   = `UPDATE logs SET rows = rows - ? WHERE id = ?`
)

// query is a statement to prepare and where to put it.
type query struct {
	dst **sql.Stmt
	sql string
}

func (st *readStatements) queries() []query {
	return []query{
		{&st.lastSeq, lastSeqSQL},
		{&st.after, afterSQL},
		{&st.before, beforeSQL},
		{&st.recent, recentSQL},
		{&st.lookup, lookupSQL},
	}
}

func (st *writeStatements) queries() []query {
	return []query{
		{&st.begin, `BEGIN IMMEDIATE`},
		{&st.commit, `COMMIT`},
		{&st.rollback, `ROLLBACK`},
		{&st.lastSeq, lastSeqSQL},
		{&st.upsertLog, upsertLogSQL},
		{&st.insertChunk, insertChunkSQL},
		{&st.insertSender, insertSenderSQL},
		{&st.oldest, oldestSQL},
		{&st.dropChunks, dropChunksSQL},
		{&st.dropSenders, dropSendersSQL},
		{&st.shrinkLog, shrinkLogSQL},
	}
}

// preparer is a *sql.DB or a *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// prepareQueries prepares qs on p; on error it closes those it prepared.
func prepareQueries(ctx context.Context, p preparer, qs []query) error {
	for _, q := range qs {
		stmt, err := p.PrepareContext(ctx, q.sql)
		if err != nil {
			closeQueries(qs)
			return err
		}
		*q.dst = stmt
	}
	return nil
}

// closeQueries closes the statements of qs that were prepared.
func closeQueries(qs []query) error {
	var errs []error
	for _, q := range qs {
		if *q.dst != nil {
			errs = append(errs, (*q.dst).Close())
		}
	}
	return errors.Join(errs...)
}
