package store

import "context"

// pruneSlack is how far past KeepMessages a log may grow before it is
// pruned back: 1% of the retention, at least 1 and at most 1000
// messages, so that the delete runs about once per that many appended
// messages rather than on every Append (unless Appends are bigger).
func (s *Store) pruneSlack() int64 {
	return int64(min(max(s.keep/100, 1), 1000))
}

// needsPrune reports whether a log holding this many messages should be
// pruned.
func (s *Store) needsPrune(rows int64) bool {
	return rows >= int64(s.keep)+s.pruneSlack()
}

// pruneError is a failure of the prune within an Append, which the Append
// survives.
type pruneError struct{ err error }

func (e *pruneError) Error() string { return "prune: " + e.err.Error() }
func (e *pruneError) Unwrap() error { return e.err }

// pruneTx deletes the oldest chunks of the log with the given key that
// hold only messages beyond the newest KeepMessages: whole chunks, oldest
// first, while together they hold at most excess messages, and the
// senders rows of the segments that emptied. It runs in the Append's
// transaction and returns how many messages it deleted. Counting from the
// oldest end keeps the cost proportional to what is deleted rather than to
// what is kept.
func (s *Store) pruneTx(ctx context.Context, key, excess int64) (int64, error) {
	upTo, n, err := s.prunable(ctx, key, excess)
	if err != nil || n == 0 {
		return 0, err
	}
	if _, err := s.writes.dropChunks.ExecContext(ctx, key, upTo); err != nil {
		return 0, err
	}
	// The segments below upTo's have no chunks left.
	if _, err := s.writes.dropSenders.ExecContext(ctx, key, segOf(uint64(upTo))); err != nil {
		return 0, err
	}
	if _, err := s.writes.shrinkLog.ExecContext(ctx, n, key); err != nil {
		return 0, err
	}
	return n, nil
}

// prunable finds the chunks to delete: those up to last_seq upTo, holding
// n messages.
func (s *Store) prunable(ctx context.Context, key, excess int64) (upTo, n int64, err error) {
	rows, err := s.writes.oldest.QueryContext(ctx, key)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var last, count int64
		if err := rows.Scan(&last, &count); err != nil {
			return 0, 0, err
		}
		if n+count > excess || count < 1 {
			break
		}
		upTo, n = last, n+count
	}
	return upTo, n, rows.Err()
}
