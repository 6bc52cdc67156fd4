package store

import (
	"context"
	"fmt"
)

// pruneSlack is how far past KeepMessages a log may grow before it is
// pruned back: 1% of the retention, at least 1 and at most 1000 rows, so
// the delete runs once per that many appended messages rather than on
// every Append.
func (s *Store) pruneSlack() int64 {
	return int64(min(max(s.keep/100, 1), 1000))
}

// needsPrune reports whether a log with this many rows should be pruned.
func (s *Store) needsPrune(rows int64) bool {
	return rows >= int64(s.keep)+s.pruneSlack()
}

// prune deletes the oldest messages of room beyond KeepMessages. It runs
// after an Append has committed, so a failure here is logged, not
// returned: the messages are stored and the next Append tries again.
func (s *Store) prune(ctx context.Context, room string, key, rows int64) {
	n, err := s.pruneTx(ctx, key, rows-int64(s.keep))
	if err != nil {
		s.logger.Warn("prune room log", "room", room, "err", err)
		return
	}
	s.logger.Debug("pruned room log", "room", room, "deleted", n, "keep", s.keep)
}

// pruneTx deletes the oldest excess rows of the log with the given key.
// Counting from the oldest end keeps the cost proportional to what is
// deleted rather than to what is kept.
func (s *Store) pruneTx(ctx context.Context, key, excess int64) (int64, error) {
	if excess <= 0 {
		return 0, nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, classify(err)
	}
	defer tx.Rollback() //nolint:errcheck // No-op after Commit.
	res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE log = ?1 AND seq <=
		(SELECT seq FROM messages WHERE log = ?1 ORDER BY seq LIMIT 1 OFFSET ?2)`,
		key, excess-1)
	if err != nil {
		return 0, classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE logs SET rows = rows - ? WHERE id = ?`, n, key); err != nil {
		return 0, classify(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", classify(err))
	}
	return n, nil
}
