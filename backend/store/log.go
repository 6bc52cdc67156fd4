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
	if err := l.s.append(context.Background(), l.room, entries); err != nil {
		if errors.Is(err, ErrFull) {
			l.s.logger.Warn("database full: messages not stored", "room", l.room, "messages", len(entries), "err", err)
		}
		return fmt.Errorf("append %d messages to room %s: %w", len(entries), l.room, err)
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

// append writes entries, pruning the log in the same transaction when it
// has grown past the retention. Should the prune fail, the entries are
// written without it, in a second transaction: a prune never costs the
// messages being appended.
func (s *Store) append(ctx context.Context, room string, entries []chat.Entry) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	pruned, err := s.appendTx(ctx, room, entries, true)
	var pe *pruneError
	if errors.As(err, &pe) {
		s.logger.Warn("prune room log", "room", room, "err", pe.err)
		_, err = s.appendTx(ctx, room, entries, false)
	}
	if err != nil {
		return err
	}
	if pruned > 0 {
		s.logger.Debug("pruned room log", "room", room, "deleted", pruned, "keep", s.keep)
	}
	return nil
}

// appendTx writes entries in one transaction and, when prune is set and
// the log has grown past the retention, deletes its oldest chunks first.
// It returns how many messages the prune deleted; an error of the prune
// is a *pruneError. Callers hold wmu.
func (s *Store) appendTx(ctx context.Context, room string, entries []chat.Entry, prune bool) (int64, error) {
	var pruned int64
	s.scratch.added = s.scratch.added[:0]
	err := s.inWriteTx(ctx, func(w *writeStatements) error {
		first, last := int64(entries[0].Seq), int64(entries[len(entries)-1].Seq)
		var key, rows int64
		err := w.upsertLog.QueryRowContext(ctx, room, first, last, len(entries)).Scan(&key, &rows)
		if errors.Is(err, sql.ErrNoRows) { // first is not after the last seq
			_, last, err := lastSeq(ctx, w.lastSeq, room)
			if err != nil {
				return classify(err)
			}
			return fmt.Errorf("%w: seq %d is not after the log's last seq %d", ErrInvalid, first, last)
		}
		if err != nil {
			return classify(err)
		}
		if prune && s.needsPrune(rows) {
			// Before the insert, so that it can reuse the pages freed.
			if pruned, err = s.pruneTx(ctx, key, rows-int64(s.keep)); err != nil {
				return &pruneError{classify(err)}
			}
		}
		cw := chunkWriter{insertChunk: w.insertChunk, insertSender: w.insertSender, known: s.senders, scratch: &s.scratch}
		return classify(cw.write(ctx, key, entries))
	})
	if err != nil {
		return 0, err
	}
	s.senders.add(s.scratch.added)
	return pruned, nil
}

// inWriteTx runs fn in a transaction on the write connection and commits
// if fn returns nil; otherwise, or if fn panics, it rolls back. Callers
// hold wmu. Doing this by hand on a connection of its own, rather than
// with database/sql's Tx, saves the goroutine and context that a Tx
// starts, about a tenth of an Append of 64 messages.
func (s *Store) inWriteTx(ctx context.Context, fn func(w *writeStatements) error) error {
	w := s.writes
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return classify(err)
	}
	committed := false
	defer func() {
		if !committed {
			w.rollback.ExecContext(ctx) //nolint:errcheck // SQLite may have rolled back already.
		}
	}()
	if err := fn(w); err != nil {
		return err
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		return classify(err)
	}
	committed = true
	return nil
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
	_, seq, err := lastSeq(context.Background(), l.s.reads.lastSeq, l.room)
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
