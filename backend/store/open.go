package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Connection settings.
const (
	maxConns      = 4    // one kept for Appends (see Store.wconn), the rest for reads and other writes
	busyTimeoutMS = 5000 // only a checkpoint or a foreign reader can make us wait
)

// open connects to the file at s.path, checks that it is a Parley
// database and brings its schema up to date. On error the caller closes
// whatever was opened.
func (s *Store) open(ctx context.Context, opts Options) error {
	size, err := prepareFile(s.path)
	if err != nil {
		return s.openErr("check file", err)
	}
	db, err := sql.Open("sqlite", dsn(s.path, opts))
	if err != nil {
		return s.openErr("connect", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s.db = db
	version, err := s.checkSchema(ctx)
	if err != nil {
		return err
	}
	if err := s.quickCheck(ctx, size); err != nil {
		return err
	}
	if err := s.enableWAL(ctx); err != nil {
		return s.openErr("enable write-ahead log", err)
	}
	if err := migrate(ctx, db, version); err != nil {
		return s.openErr("migrate", err)
	}
	if err := s.checkTables(ctx); err != nil {
		return err
	}
	if err := s.prepare(ctx); err != nil {
		return s.openErr("prepare statements", err)
	}
	s.logger.Info("database open", "path", s.path, "schema", schemaVersion, "bytes", size, "keep", s.keep)
	return nil
}

// prepare prepares the reads on the pool, and takes the write connection
// and prepares the writes on it.
func (s *Store) prepare(ctx context.Context) error {
	reads := &readStatements{}
	if err := prepareQueries(ctx, s.db, reads.queries()); err != nil {
		return err
	}
	s.reads = reads
	wconn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	s.wconn = wconn
	writes := &writeStatements{}
	if err := prepareQueries(ctx, wconn, writes.queries()); err != nil {
		return err
	}
	s.writes = writes
	return nil
}

// dsn returns the driver's data source name for path: a file: URI (so any
// character may appear in the path) with the per-connection PRAGMAs.
func dsn(path string, opts Options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if opts.MaxPageCount > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", opts.MaxPageCount))
	}
	q.Set("_txlock", "immediate")
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// enableWAL switches the database to write-ahead logging, which persists
// in the file. A file system that cannot do WAL keeps the old mode, which
// is slower but as safe against a crash; that is logged, not fatal.
func (s *Store) enableWAL(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		s.logger.Warn("database cannot use a write-ahead log", "path", s.path, "mode", mode)
	}
	return nil
}

// openErr wraps an error that happened while opening. Damage becomes an
// ErrCorrupt error that tells the user what to do.
func (s *Store) openErr(step string, err error) error {
	if ke := (*kindError)(nil); errors.As(err, &ke) && ke.advice {
		return err // Already says where and what to do.
	}
	if errors.Is(err, ErrCorrupt) || isDamage(err) {
		return corruptError(s.path, err.Error(), err)
	}
	return fmt.Errorf("open database %s: %s: %w", s.path, step, classify(err))
}

// corruptError says that the file at path is unusable, why, and what to do.
func corruptError(path, reason string, cause error) error {
	msg := fmt.Sprintf("database %s is damaged or is not a Parley database (%s); "+
		"move it aside (rename or delete it) and start Parley again to begin a new one", path, reason)
	return &kindError{msg: msg, kind: ErrCorrupt, cause: cause, advice: true}
}
