package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GetState returns the value stored under key, and whether there is one.
// Keys are the app's to choose (for example "outbox" or "session").
func (s *Store) GetState(key string) ([]byte, bool, error) {
	if key == "" {
		return nil, false, fmt.Errorf("get state: %w: empty key", ErrInvalid)
	}
	if err := s.acquire(); err != nil {
		return nil, false, err
	}
	defer s.done()
	var value []byte
	err := s.db.QueryRowContext(context.Background(), `SELECT value FROM state WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get state %q: %w", key, classify(err))
	}
	if value == nil {
		value = []byte{}
	}
	return value, true, nil
}

// PutState stores value under key, replacing any previous value, in its
// own transaction. A nil value deletes the key; an empty non-nil one is
// stored as empty.
func (s *Store) PutState(key string, value []byte) error {
	if key == "" {
		return fmt.Errorf("put state: %w: empty key", ErrInvalid)
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.done()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var err error
	if value == nil {
		_, err = s.db.ExecContext(context.Background(), `DELETE FROM state WHERE key = ?`, key)
	} else {
		_, err = s.db.ExecContext(context.Background(),
			`INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2`, key, value)
	}
	if err != nil {
		return fmt.Errorf("put state %q: %w", key, classify(err))
	}
	return nil
}
