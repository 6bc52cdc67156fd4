package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// errBusy is returned by the platform's openLocked when another process
// holds the lock.
var errBusy = errors.New("lock is held")

// held is the set of lock files this process holds, keyed by their
// resolved absolute path. flock already conflicts between two descriptors
// of one process on local file systems, but not everywhere (NFS emulates
// it with per-process POSIX locks), so the process keeps its own list.
var held = struct {
	sync.Mutex
	paths map[string]bool
}{paths: make(map[string]bool)}

// fileLock is an exclusive advisory lock on "<db>.lock", holding the PID
// of its owner. The operating system drops it when the process dies.
type fileLock struct {
	key string   // entry in held
	f   *os.File // the open, locked file
}

// lockDB takes the lock for the database at dbPath (absolute), or returns
// an error wrapping ErrLocked that names the holder's PID when known.
func lockDB(dbPath string) (*fileLock, error) {
	key := lockKey(dbPath)
	held.Lock()
	defer held.Unlock()
	if held.paths[key] {
		return nil, lockedError(dbPath, os.Getpid(), "is already open in this process")
	}
	f, err := openLocked(key)
	if errors.Is(err, errBusy) {
		return nil, lockedError(dbPath, readPID(key), "is in use by another Parley")
	}
	if err != nil {
		return nil, fmt.Errorf("lock database %s: %w", dbPath, classify(err))
	}
	if err := writePID(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock database %s: %w", dbPath, classify(err))
	}
	held.paths[key] = true
	return &fileLock{key: key, f: f}, nil
}

// release clears the PID and drops the lock. The file itself stays:
// deleting a lock file races with a process that has just opened it.
func (l *fileLock) release() error {
	held.Lock()
	defer held.Unlock()
	_ = l.f.Truncate(0) // Best effort: a stale PID is only ever shown while the lock is held.
	err := l.f.Close()
	delete(held.paths, l.key)
	return err
}

// lockKey returns the lock file's path for the database with symbolic
// links resolved (those of the directory when the file does not exist
// yet), so that two spellings of one database share one lock.
func lockKey(dbPath string) string {
	if real, err := filepath.EvalSymlinks(dbPath); err == nil {
		return real + ".lock"
	}
	dir, base := filepath.Split(dbPath)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Join(dir, base+".lock")
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// readPID returns the PID written in the lock file, or 0 when it cannot
// be read (the holder may not have written it yet).
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

func lockedError(dbPath string, pid int, what string) error {
	msg := fmt.Sprintf("database %s %s", dbPath, what)
	if pid > 0 {
		msg += fmt.Sprintf(" (pid %d)", pid)
	}
	return &kindError{msg: msg, kind: ErrLocked}
}
