package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // The "sqlite" database/sql driver, pure Go.
)

// DefaultKeepMessages is the per-room retention when Options.KeepMessages
// is zero.
const DefaultKeepMessages = 100_000

// MaxLimit caps the limit of After and Before: pages for members.
const MaxLimit = 1000

// MaxRecent caps the n of Recent, which the host uses to warm its memory
// at start-up and which may therefore ask for many more than a page.
const MaxRecent = DefaultKeepMessages

// Options configure Open; zero values mean defaults.
type Options struct {
	// KeepMessages is how many messages each room keeps at least; older
	// ones are deleted by later Appends, in whole chunks (see Retention in
	// the package doc). Zero means DefaultKeepMessages.
	KeepMessages int
	// MaxPageCount caps the database at this many pages (PRAGMA
	// max_page_count; a page is 4 KiB). Zero means unlimited. Tests use
	// it to simulate a full disk.
	MaxPageCount int
	// Logger receives the store's diagnostics. Nil discards them.
	Logger *slog.Logger
}

// Store is Parley's embedded database: hosted rooms, their message logs
// and small bits of app state, in one SQLite file. It is safe for
// concurrent use by several goroutines. Open one with Open and Close it
// when done; only one Store, in one process, may have a file open.
type Store struct {
	path   string
	keep   int // resolved Options.KeepMessages
	logger *slog.Logger
	lock   *fileLock
	db     *sql.DB
	reads  *readStatements
	// wconn is the connection that Appends write on, with writes prepared
	// on it; whoever holds wmu uses them.
	wconn  *sql.Conn
	writes *writeStatements

	// wmu serialises write transactions, so that writers queue here
	// instead of spinning in SQLite's busy handler. It guards the
	// following.
	wmu     sync.Mutex
	scratch writeScratch
	senders senderCache

	// mu is held for reading by every operation and for writing by Close,
	// so Close waits for operations in flight. It guards closed.
	mu     sync.RWMutex
	closed bool
}

// Open opens the database at path, creating it (and its directory) when
// missing, and takes the exclusive lock on it. It fails with an error
// wrapping ErrLocked when another Store has the file open, ErrCorrupt when
// the file is not a usable Parley database, ErrNewer when a newer Parley
// wrote it and ErrFull when there is no space to create it.
func Open(path string, opts Options) (*Store, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("open database: %w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open database %s: %w", abs, classify(err))
	}
	lock, err := lockDB(abs)
	if err != nil {
		return nil, err
	}
	s := &Store{path: abs, keep: opts.keep(), logger: opts.logger(), lock: lock, senders: senderCache{}}
	if err := s.open(context.Background(), opts); err != nil {
		s.closeAll()
		return nil, err
	}
	return s, nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close waits for operations in flight, closes the database (checkpointing
// its write-ahead log) and releases the lock. Calling it again does
// nothing and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.closeAll(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// closeAll closes whatever open got as far as opening, lock last.
func (s *Store) closeAll() error {
	var errs []error
	if s.reads != nil {
		errs = append(errs, closeQueries(s.reads.queries()))
	}
	if s.writes != nil {
		errs = append(errs, closeQueries(s.writes.queries()))
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	errs = append(errs, s.lock.release())
	return errors.Join(errs...)
}

// acquire starts an operation: it fails with ErrClosed after Close and
// otherwise holds mu for reading until done is called.
func (s *Store) acquire() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) done() { s.mu.RUnlock() }

func (o Options) validate() error {
	switch {
	case o.KeepMessages < 0:
		return fmt.Errorf("open database: %w: KeepMessages %d is negative", ErrInvalid, o.KeepMessages)
	case o.MaxPageCount < 0:
		return fmt.Errorf("open database: %w: MaxPageCount %d is negative", ErrInvalid, o.MaxPageCount)
	}
	return nil
}

func (o Options) keep() int {
	if o.KeepMessages == 0 {
		return DefaultKeepMessages
	}
	return o.KeepMessages
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}
