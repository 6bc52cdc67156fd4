package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	// sqliteMagic starts every SQLite database file.
	sqliteMagic = "SQLite format 3\x00"
	// quickCheckMax is the largest file (database plus write-ahead log)
	// that Open runs PRAGMA quick_check on; it reads every page, about a
	// second per few hundred MiB, so bigger files get only the cheap checks.
	quickCheckMax = 64 << 20
)

// prepareFile creates the database file (mode 0600) when it is missing, so
// that SQLite, which gives its -wal and -shm files the same mode, does not
// create it world-readable. For an existing file it checks the header
// before SQLite sees it and returns the size of the file and its
// write-ahead log. No SQLite connection is open yet, so closing this
// descriptor cannot drop SQLite's POSIX locks.
func prepareFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return 0, err
	}
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, corruptError(path, fmt.Sprintf("the file is only %d bytes long", st.Size()), err)
		}
		return 0, err
	}
	wal := fileSize(path + "-wal")
	if reason := checkHeader(h[:], st.Size(), wal); reason != "" {
		return 0, corruptError(path, reason, nil)
	}
	return st.Size() + wal, nil
}

// checkHeader returns why a SQLite file header is unusable, or "". size
// is the file's size, wal that of its write-ahead log.
func checkHeader(h []byte, size, wal int64) string {
	if string(h[:16]) != sqliteMagic {
		return "the file is not a SQLite database"
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return "the file's header is damaged"
	}
	// The page count in the header is valid when the version-valid-for
	// number matches the change counter. A write-ahead log may hold pages
	// beyond the end of the file, so only a file without one is checked.
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	valid := binary.BigEndian.Uint32(h[24:28]) == binary.BigEndian.Uint32(h[92:96])
	if valid && wal == 0 && pages*pageSize > size {
		return fmt.Sprintf("the file is truncated: %d of %d bytes", size, pages*pageSize)
	}
	return ""
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// checkSchema returns the database's schema version: 0 for a new, empty
// file. A database of another program is ErrCorrupt; one from a newer
// Parley is ErrNewer.
func (s *Store) checkSchema(ctx context.Context) (int, error) {
	var appID, version, objects int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema)`).Scan(&appID, &version, &objects)
	switch {
	case err != nil:
		return 0, s.openErr("read schema", err)
	case appID == 0 && version == 0 && objects == 0:
		return 0, nil
	case appID != applicationID || version == 0:
		return 0, corruptError(s.path, "it belongs to another program", nil)
	case version > schemaVersion:
		return 0, &kindError{kind: ErrNewer, msg: fmt.Sprintf(
			"database %s was written by a newer Parley (schema %d, this one knows %d); update Parley",
			s.path, version, schemaVersion)}
	}
	return version, nil
}

// quickCheck runs PRAGMA quick_check on an existing file that is small
// enough to check quickly.
func (s *Store) quickCheck(ctx context.Context, size int64) error {
	if size == 0 || size > quickCheckMax {
		return nil
	}
	var result string
	if err := s.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&result); err != nil {
		return s.openErr("check integrity", err)
	}
	if result != "ok" {
		return corruptError(s.path, "integrity check: "+oneLine(result), nil)
	}
	return nil
}

// oneLine turns a quick_check report ("*** in database main ***\nPage 7:
// ...") into one line.
func oneLine(report string) string {
	var lines []string
	for _, l := range strings.Split(report, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "***") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// checkTables makes sure the tables this code uses exist, which a file
// with our application id and version should guarantee.
func (s *Store) checkTables(ctx context.Context) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'table' AND name IN ('rooms', 'logs', 'chunks', 'senders', 'state')`).Scan(&n)
	if err != nil {
		return s.openErr("read schema", err)
	}
	if n != 5 {
		return corruptError(s.path, "tables are missing", nil)
	}
	return nil
}
