package store

import (
	"errors"
	"fmt"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parley-lan/parley/backend/chat"
)

// Sentinel errors, matched with errors.Is. Errors returned by the Store
// wrap them; their own messages say what happened and where.
var (
	// ErrLocked means another process, or another Store in this process,
	// has the database open.
	ErrLocked = errors.New("database is in use")
	// ErrCorrupt means the file is not a usable Parley database: garbage,
	// truncated, damaged, or a SQLite database of some other program.
	ErrCorrupt = errors.New("database is damaged")
	// ErrNewer means the database was written by a newer Parley whose
	// schema this one does not know. The file is probably fine; the
	// program is too old for it.
	ErrNewer = errors.New("database is from a newer version")
	// ErrFull means the disk, or Options.MaxPageCount, is full. The
	// operation that failed wrote nothing. It wraps chat.ErrNoSpace, so
	// the host can tell members why their message was refused.
	ErrFull = fmt.Errorf("disk is full: %w", chat.ErrNoSpace)
	// ErrInvalid means an argument was rejected before anything was
	// written: an empty room ID or key, or sequence numbers out of order.
	ErrInvalid = errors.New("invalid argument")
	// ErrClosed means the Store was used after Close.
	ErrClosed = errors.New("store is closed")
)

// kindError is an error with its own message that matches a sentinel
// (kind) and, when there is one, the lower-level cause.
type kindError struct {
	msg    string
	kind   error
	cause  error
	advice bool // msg names the file and says what to do about it
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// classify maps low-level errors onto the sentinels: SQLITE_FULL and
// ENOSPC to ErrFull, SQLITE_CORRUPT and SQLITE_NOTADB to ErrCorrupt.
// Any other error is returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case sqliteCode(err) == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC):
		return &kindError{msg: "disk is full: " + err.Error(), kind: ErrFull, cause: err}
	case isDamage(err):
		return &kindError{msg: "database is damaged: " + err.Error(), kind: ErrCorrupt, cause: err}
	}
	return err
}

// isDamage reports whether SQLite found the file damaged or not a database.
func isDamage(err error) bool {
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}
