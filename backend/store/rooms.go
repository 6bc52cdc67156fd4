package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/parley-lan/parley/backend/chat"
)

// HostedRoom is a room this machine hosts, as remembered across restarts
// so that it comes back with the same identity and history.
type HostedRoom struct {
	chat.Room // ID, Name and Host (the host's nickname); Addrs is not stored.
	// Port is the TCP port the room last listened on, reused when free so
	// that members find it again; 0 if none.
	Port int
	// LastUsed is when the room was last hosted, stored to the
	// millisecond. SaveRoom records the current time when it is zero.
	LastUsed time.Time
}

const roomColumns = `id, name, host, port, last_used`

// FindRoom returns the hosted room with the given name, ignoring case
// (Unicode simple case folding: "CAFÉ" finds "café"). When several rooms
// share the name, the most recently used wins.
func (s *Store) FindRoom(name string) (HostedRoom, bool, error) {
	if name == "" {
		return HostedRoom{}, false, nil
	}
	if err := s.acquire(); err != nil {
		return HostedRoom{}, false, err
	}
	defer s.done()
	row := s.db.QueryRowContext(context.Background(), `SELECT `+roomColumns+` FROM rooms
		WHERE name_key = ? ORDER BY last_used DESC LIMIT 1`, foldKey(name))
	r, err := scanRoom(row)
	if errors.Is(err, sql.ErrNoRows) {
		return HostedRoom{}, false, nil
	}
	if err != nil {
		return HostedRoom{}, false, fmt.Errorf("find room %q: %w", name, classify(err))
	}
	return r, true, nil
}

// SaveRoom inserts the room, or updates the one with the same ID.
func (s *Store) SaveRoom(r HostedRoom) error {
	if err := r.validate(); err != nil {
		return fmt.Errorf("save room: %w", err)
	}
	if r.LastUsed.IsZero() {
		r.LastUsed = time.Now()
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.done()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.db.ExecContext(context.Background(), `INSERT INTO rooms
		(id, name, name_key, host, port, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (id) DO UPDATE SET name = ?2, name_key = ?3, host = ?4, port = ?5, last_used = ?6`,
		r.ID, r.Name, foldKey(r.Name), r.Host, r.Port, r.LastUsed.UnixMilli())
	if err != nil {
		return fmt.Errorf("save room %s: %w", r.ID, classify(err))
	}
	return nil
}

// Rooms returns every hosted room, most recently used first.
func (s *Store) Rooms() ([]HostedRoom, error) {
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.done()
	rows, err := s.db.QueryContext(context.Background(),
		`SELECT `+roomColumns+` FROM rooms ORDER BY last_used DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list rooms: %w", classify(err))
	}
	defer rows.Close()
	var rooms []HostedRoom
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, fmt.Errorf("list rooms: %w", classify(err))
		}
		rooms = append(rooms, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rooms: %w", classify(err))
	}
	return rooms, nil
}

func (r HostedRoom) validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("%w: empty room ID", ErrInvalid)
	case r.Name == "":
		return fmt.Errorf("%w: room %s has no name", ErrInvalid, r.ID)
	case r.Port < 0 || r.Port > 65535:
		return fmt.Errorf("%w: room %s has port %d", ErrInvalid, r.ID, r.Port)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dst ...any) error }

func scanRoom(sc scanner) (HostedRoom, error) {
	var r HostedRoom
	var ms int64
	if err := sc.Scan(&r.ID, &r.Name, &r.Host, &r.Port, &ms); err != nil {
		return HostedRoom{}, err
	}
	r.LastUsed = time.UnixMilli(ms)
	return r, nil
}

// foldKey maps s to a key that two strings share exactly when
// strings.EqualFold reports them equal: each rune becomes the smallest
// rune of its simple case-folding orbit. (SQLite's NOCASE and lower() only
// know ASCII.) Full folding, such as "ß" to "ss", is not done.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
