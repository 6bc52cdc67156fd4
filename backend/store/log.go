package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/parley-lan/parley/backend/chat"
)

// Log is one room's message history. It is a cheap handle: get one with
// Store.Log whenever needed. Like the Store, it is safe for concurrent use.
type Log struct {
	s    *Store
	room string
}

// Log returns the message log of the room with the given ID. The log
// exists once something is appended; reading an empty one returns
// nothing. An empty ID is reported by the Log's methods.
func (s *Store) Log(roomID string) *Log { return &Log{s: s, room: roomID} }

// Append records entries in one transaction. Their Seqs must be strictly
// increasing and greater than LastSeq, else nothing is written and the
// error wraps ErrInvalid. When there is no space the error wraps ErrFull
// and nothing is written; the Store stays usable. Once Append returns nil
// the entries survive a crash of the process (see the package doc for
// power loss). Appending nothing does nothing.
func (l *Log) Append(entries []chat.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := l.checkAppend(entries); err != nil {
		return fmt.Errorf("append to room %s: %w", l.room, err)
	}
	if err := l.s.acquire(); err != nil {
		return err
	}
	defer l.s.done()
	key, rows, err := l.s.appendTx(context.Background(), l.room, entries)
	if err != nil {
		if errors.Is(err, ErrFull) {
			l.s.logger.Warn("database full: messages not stored", "room", l.room, "messages", len(entries), "err", err)
		}
		return fmt.Errorf("append %d messages to room %s: %w", len(entries), l.room, err)
	}
	if l.s.needsPrune(rows) {
		l.s.prune(context.Background(), l.room, key, rows)
	}
	return nil
}

// checkAppend validates what can be checked without the database.
func (l *Log) checkAppend(entries []chat.Entry) error {
	if l.room == "" {
		return fmt.Errorf("%w: empty room ID", ErrInvalid)
	}
	var prev uint64
	for _, e := range entries {
		if e.Seq <= prev || e.Seq > math.MaxInt64 {
			return fmt.Errorf("%w: seq %d after seq %d: seqs must increase", ErrInvalid, e.Seq, prev)
		}
		prev = e.Seq
	}
	return nil
}

// appendTx writes entries and returns the log's key and how many rows it
// now has.
func (s *Store) appendTx(ctx context.Context, room string, entries []chat.Entry) (key, rows int64, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, classify(err)
	}
	defer tx.Rollback() //nolint:errcheck // No-op after Commit; SQLite may have rolled back already.
	_, last, err := lastSeq(ctx, tx.StmtContext(ctx, s.stmts.lastSeq), room)
	if err != nil {
		return 0, 0, classify(err)
	}
	if first := entries[0].Seq; first <= last {
		return 0, 0, fmt.Errorf("%w: seq %d is not after the log's last seq %d", ErrInvalid, first, last)
	}
	newLast := int64(entries[len(entries)-1].Seq)
	err = tx.StmtContext(ctx, s.stmts.upsertLog).QueryRowContext(ctx, room, newLast, len(entries)).Scan(&key, &rows)
	if err != nil {
		return 0, 0, classify(err)
	}
	insert := tx.StmtContext(ctx, s.stmts.insertMsg)
	for _, e := range entries {
		if _, err := insert.ExecContext(ctx, key, int64(e.Seq), e.ID, e.ClientID, e.From, e.Text, e.TS); err != nil {
			return 0, 0, classify(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, classify(err)
	}
	return key, rows, nil
}

// LastSeq returns the highest seq ever appended to the log, 0 for an empty
// log. Pruning old messages does not lower it.
func (l *Log) LastSeq() (uint64, error) {
	if l.room == "" {
		return 0, fmt.Errorf("last seq: %w: empty room ID", ErrInvalid)
	}
	if err := l.s.acquire(); err != nil {
		return 0, err
	}
	defer l.s.done()
	_, seq, err := lastSeq(context.Background(), l.s.stmts.lastSeq, l.room)
	if err != nil {
		return 0, fmt.Errorf("last seq of room %s: %w", l.room, classify(err))
	}
	return seq, nil
}

// lastSeq returns the log's key and last seq; 0, 0 if it has none yet.
func lastSeq(ctx context.Context, stmt *sql.Stmt, room string) (key int64, seq uint64, err error) {
	var last int64
	err = stmt.QueryRowContext(ctx, room).Scan(&key, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return key, uint64(last), err
}
