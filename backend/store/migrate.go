package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/parley-lan/parley/backend/chat"
)

// moveToChunks is the Go half of migration 3. It moves every message of
// version 2's messages table, in seq order per log, into chunks of up to
// maxChunkEntries, with their senders rows, then drops the table (and its
// index) and recounts
// logs.rows, the messages each log holds, from the chunks.
func moveToChunks(ctx context.Context, tx *sql.Tx) error {
	keys, err := logKeys(ctx, tx)
	if err != nil {
		return err
	}
	page, err := tx.PrepareContext(ctx, `SELECT seq, id, client_id, sender, text, ts
		FROM messages WHERE log = ? AND seq > ? ORDER BY seq LIMIT `+fmt.Sprint(maxChunkEntries))
	if err != nil {
		return err
	}
	defer page.Close()
	w, err := prepareWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	for _, key := range keys {
		if err := moveLog(ctx, page, w, key); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE messages;
		UPDATE logs SET rows = (SELECT coalesce(sum(count), 0) FROM chunks WHERE chunks.log = logs.id)`)
	return err
}

// moveLog moves the messages of one log, a chunk at a time.
func moveLog(ctx context.Context, page *sql.Stmt, w chunkWriter, key int64) error {
	var es []chat.Entry
	for after := int64(math.MinInt64); ; after = int64(es[len(es)-1].Seq) {
		var err error
		if es, err = readPage(ctx, page, key, after, es[:0]); err != nil || len(es) == 0 {
			return err
		}
		if err := w.write(ctx, key, es); err != nil {
			return err
		}
		// Rolled back with the rest if the migration fails.
		w.known.add(w.scratch.added)
		w.scratch.added = w.scratch.added[:0]
	}
}

// readPage appends to es the messages of a log after seq after.
func readPage(ctx context.Context, page *sql.Stmt, key, after int64, es []chat.Entry) ([]chat.Entry, error) {
	rows, err := page.QueryContext(ctx, key, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e chat.Entry
		var seq int64
		if err := rows.Scan(&seq, &e.ID, &e.ClientID, &e.From, &e.Text, &e.TS); err != nil {
			return nil, err
		}
		if seq < 1 {
			return nil, &kindError{kind: ErrCorrupt, msg: fmt.Sprintf("database is damaged: a message has seq %d", seq)}
		}
		e.Seq = uint64(seq)
		es = append(es, e)
	}
	return es, rows.Err()
}

func logKeys(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM logs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var key int64
		if err := rows.Scan(&key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, rows.Err()
}

// prepareWriter prepares a chunkWriter's statements in tx.
func prepareWriter(ctx context.Context, tx *sql.Tx) (chunkWriter, error) {
	insertChunk, err := tx.PrepareContext(ctx, insertChunkSQL)
	if err != nil {
		return chunkWriter{}, err
	}
	insertSender, err := tx.PrepareContext(ctx, insertSenderSQL)
	if err != nil {
		insertChunk.Close()
		return chunkWriter{}, err
	}
	return chunkWriter{insertChunk: insertChunk, insertSender: insertSender, known: senderCache{}, scratch: &writeScratch{}}, nil
}

func (w chunkWriter) close() error {
	return errors.Join(w.insertChunk.Close(), w.insertSender.Close())
}
