package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/parley-lan/parley/backend/chat"
)

// After returns up to limit messages with seq greater than the given one,
// oldest first: what a member who last saw seq has missed. A limit of zero
// or less returns nothing; one above MaxLimit means MaxLimit.
func (l *Log) After(seq uint64, limit int) ([]chat.Message, error) {
	limit, err := l.checkRead(limit)
	if limit == 0 || err != nil || seq >= math.MaxInt64 {
		return nil, err
	}
	msgs, err := l.queryMessages(l.s.stmts.after, l.room, int64(seq), limit)
	if err != nil {
		return nil, fmt.Errorf("read room %s after seq %d: %w", l.room, seq, err)
	}
	return msgs, nil
}

// Before returns the newest limit messages with seq less than the given
// one, oldest first: the page of history above what a reader already has.
// A limit of zero or less returns nothing; one above MaxLimit means
// MaxLimit.
func (l *Log) Before(seq uint64, limit int) ([]chat.Message, error) {
	limit, err := l.checkRead(limit)
	if limit == 0 || err != nil || seq <= 1 {
		return nil, err
	}
	msgs, err := l.queryMessages(l.s.stmts.before, l.room, int64(min(seq, math.MaxInt64)), limit)
	if err != nil {
		return nil, fmt.Errorf("read room %s before seq %d: %w", l.room, seq, err)
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// Recent returns the newest n entries, client IDs included, oldest first:
// the host warms its memory with these when it starts. An n of zero or
// less returns nothing; one above MaxRecent means MaxRecent.
func (l *Log) Recent(n int) ([]chat.Entry, error) {
	if l.room == "" {
		return nil, fmt.Errorf("read messages: %w: empty room ID", ErrInvalid)
	}
	n = max(0, min(n, MaxRecent))
	if n == 0 {
		return nil, nil
	}
	if err := l.s.acquire(); err != nil {
		return nil, err
	}
	defer l.s.done()
	rows, err := l.s.stmts.recent.QueryContext(context.Background(), l.room, n)
	if err != nil {
		return nil, fmt.Errorf("read recent messages of room %s: %w", l.room, classify(err))
	}
	defer rows.Close()
	var entries []chat.Entry
	for rows.Next() {
		var e chat.Entry
		var seq int64
		if err := rows.Scan(&seq, &e.ID, &e.From, &e.Text, &e.TS, &e.ClientID); err != nil {
			return nil, fmt.Errorf("read recent messages of room %s: %w", l.room, classify(err))
		}
		e.Seq = uint64(seq)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recent messages of room %s: %w", l.room, classify(err))
	}
	slices.Reverse(entries)
	return entries, nil
}

// Lookup reports whether the log holds a message that the client with
// clientID sent with the id msgID, and returns it: a resend after a
// reconnect or a host restart is answered with the stored message rather
// than stored twice. Empty IDs are never found.
func (l *Log) Lookup(clientID, msgID string) (chat.Message, bool, error) {
	if l.room == "" {
		return chat.Message{}, false, fmt.Errorf("look up message: %w: empty room ID", ErrInvalid)
	}
	if clientID == "" || msgID == "" {
		return chat.Message{}, false, nil
	}
	if err := l.s.acquire(); err != nil {
		return chat.Message{}, false, err
	}
	defer l.s.done()
	row := l.s.stmts.lookup.QueryRowContext(context.Background(), l.room, clientID, msgID)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Message{}, false, nil
	}
	if err != nil {
		return chat.Message{}, false, fmt.Errorf("look up message %s of room %s: %w", msgID, l.room, classify(err))
	}
	return m, true, nil
}

// checkRead validates the room ID and clamps limit to [0, MaxLimit].
func (l *Log) checkRead(limit int) (int, error) {
	if l.room == "" {
		return 0, fmt.Errorf("read messages: %w: empty room ID", ErrInvalid)
	}
	return max(0, min(limit, MaxLimit)), nil
}

// queryMessages runs a prepared query whose rows are msgColumns.
func (l *Log) queryMessages(stmt *sql.Stmt, args ...any) ([]chat.Message, error) {
	if err := l.s.acquire(); err != nil {
		return nil, err
	}
	defer l.s.done()
	rows, err := stmt.QueryContext(context.Background(), args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var msgs []chat.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, classify(err)
		}
		msgs = append(msgs, m)
	}
	return msgs, classify(rows.Err())
}

func scanMessage(sc scanner) (chat.Message, error) {
	var m chat.Message
	var seq int64 // Scanning into a uint64 would go through strconv.
	err := sc.Scan(&seq, &m.ID, &m.From, &m.Text, &m.TS)
	m.Seq = uint64(seq)
	return m, err
}
