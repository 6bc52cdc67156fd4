package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"

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
	var msgs []chat.Message
	err = l.eachChunk(l.s.reads.after, []any{l.room, int64(seq)}, func(c chunk) (bool, error) {
		err := c.window(seq+1, math.MaxUint64, limit-len(msgs), false, func(e rawEntry) {
			msgs = append(msgs, e.message())
		})
		return len(msgs) < limit, err
	})
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
	seq = min(seq, math.MaxInt64)
	msgs, err := newestFirst(l, l.s.reads.before, []any{l.room, int64(seq)}, seq-1, limit, rawEntry.message)
	if err != nil {
		return nil, fmt.Errorf("read room %s before seq %d: %w", l.room, seq, err)
	}
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
	es, err := newestFirst(l, l.s.reads.recent, []any{l.room}, math.MaxUint64, n, rawEntry.entry)
	if err != nil {
		return nil, fmt.Errorf("read recent messages of room %s: %w", l.room, err)
	}
	return es, nil
}

// newestFirst reads the newest limit entries with seq up to hi from a
// query whose chunks come newest first, and returns them oldest first,
// made by conv.
func newestFirst[T any](l *Log, stmt *sql.Stmt, args []any, hi uint64, limit int, conv func(rawEntry) T) ([]T, error) {
	var parts [][]T // per chunk, newest chunk first
	total := 0
	err := l.eachChunk(stmt, args, func(c chunk) (bool, error) {
		var part []T
		err := c.window(0, hi, limit-total, true, func(e rawEntry) {
			part = append(part, conv(e))
		})
		parts, total = append(parts, part), total+len(part)
		return total < limit, err
	})
	if err != nil || total == 0 {
		return nil, err
	}
	out := make([]T, 0, total)
	for i := len(parts) - 1; i >= 0; i-- {
		out = append(out, parts[i]...)
	}
	return out, nil
}

// Lookup reports whether the log holds a message that the client with
// clientID sent with the id msgID, and returns it: a resend after a
// reconnect or a host restart is answered with the stored message rather
// than stored twice. If the client used the id more than once, it returns
// the oldest such message. Empty IDs are never found.
func (l *Log) Lookup(clientID, msgID string) (chat.Message, bool, error) {
	if l.room == "" {
		return chat.Message{}, false, fmt.Errorf("look up message: %w: empty room ID", ErrInvalid)
	}
	if clientID == "" || msgID == "" {
		return chat.Message{}, false, nil
	}
	// The chunks come by segment, oldest first, in no order within one:
	// the oldest match is the oldest in the first segment with any.
	var m chat.Message
	found, seg := false, int64(0)
	err := l.eachChunk(l.s.reads.lookup, []any{l.room, clientID, segBits}, func(c chunk) (bool, error) {
		if found && segOf(c.last) != seg {
			return false, nil
		}
		r := c.reader()
		for e, ok := r.next(); ok; e, ok = r.next() {
			if found && e.seq > m.Seq {
				return true, nil
			}
			if string(e.msgID()) == msgID && string(e.clientID()) == clientID {
				m, found, seg = e.message(), true, segOf(c.last)
				return true, nil
			}
		}
		return true, r.err
	})
	if err != nil {
		return chat.Message{}, false, fmt.Errorf("look up message %s of room %s: %w", msgID, l.room, err)
	}
	return m, found, nil
}

// checkRead validates the room ID and clamps limit to [0, MaxLimit].
func (l *Log) checkRead(limit int) (int, error) {
	if l.room == "" {
		return 0, fmt.Errorf("read messages: %w: empty room ID", ErrInvalid)
	}
	return max(0, min(limit, MaxLimit)), nil
}

// eachChunk runs a prepared query whose rows are chunkColumns and calls
// fn with each chunk, until fn returns false or an error. The chunk's
// body is valid only during the call. The query is one statement, so it
// sees one state of the log however long it runs.
func (l *Log) eachChunk(stmt *sql.Stmt, args []any, fn func(chunk) (bool, error)) error {
	if err := l.s.acquire(); err != nil {
		return err
	}
	defer l.s.done()
	rows, err := stmt.QueryContext(context.Background(), args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChunk(rows)
		if err != nil {
			return classify(err)
		}
		if more, err := fn(c); err != nil || !more {
			return err
		}
	}
	return classify(rows.Err())
}

// scanChunk reads a row of chunkColumns. The body is the driver's until
// the next call of rows.Next.
func scanChunk(rows *sql.Rows) (chunk, error) {
	var first, last, count int64
	var body sql.RawBytes
	if err := rows.Scan(&first, &last, &count, &body); err != nil {
		return chunk{}, err
	}
	// Negative columns become huge seqs or counts, which the reader rejects.
	return chunk{first: uint64(first), last: uint64(last), count: int(min(count, math.MaxInt32)), body: body}, nil
}
