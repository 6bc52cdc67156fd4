// Package store is Parley's embedded database: one SQLite file (pure Go,
// modernc.org/sqlite, no cgo) per user, by default at DefaultPath.
//
// # What is stored
//
// The host keeps every room it hosts, with the room's identity (ID, name,
// host nickname, last port) and its message log, so that a host that
// exits or crashes comes back as the same room with the same history and
// sequence numbers, and members who resume get exactly what they missed.
// The desktop app keeps small bits of state (its outbox of unsent
// messages, the last session) as opaque values under keys of its choice.
//
// # Schema
//
// Version 2 (PRAGMA user_version = 2, PRAGMA application_id = "PRLY"):
//
//	rooms    (id PK, name, name_key, host, port, last_used)
//	         name_key is the name case-folded for FindRoom; last_used is
//	         Unix milliseconds; indexed by (name_key, last_used) and last_used.
//	logs     (id INTEGER PK, room_id UNIQUE, last_seq, rows)
//	         one row per room log: a small integer key for messages, the
//	         highest seq ever appended (so pruning never lowers LastSeq) and
//	         the number of rows kept (so retention needs no count(*)).
//	messages (log → logs.id, seq, id, client_id, sender, text, ts)
//	         PRIMARY KEY (log, seq) WITHOUT ROWID, so a room's messages are
//	         stored in seq order; indexed by (log, client_id, seq) for
//	         Lookup, which reads the sender's entries in the room. (Version
//	         1 indexed (log, client_id, id, seq): message ids are random, so
//	         every append wrote to random places of that index; the new one
//	         makes batched appends about 2.5 times faster.)
//	state    (key PK, value BLOB) WITHOUT ROWID
//
// A room's log and its rooms row are independent: a log exists once
// something is appended to it. Newer schemas are added as migrations, each
// in one transaction with its user_version; a file from a newer Parley is
// refused with ErrNewer rather than misread.
//
// # Durability
//
// The database runs in write-ahead-log mode with synchronous=NORMAL. Each
// Append is one transaction; when it returns nil the messages are in the
// write-ahead log in the operating system's hands, so they survive the
// process crashing or being killed (kill -9) at any point, which the tests
// check. They are not necessarily on the disk itself: in this mode SQLite
// syncs the log only when it checkpoints it into the main file (every
// 1000 pages, about 4 MiB of changes, and at Close), so a power cut or
// kernel crash can roll back the transactions committed since the last
// checkpoint, messages already acknowledged among them, though it never
// corrupts the database. Parley trades that for speed (an fsync per
// message would cost milliseconds on many disks); chat history is not a
// bank ledger.
//
// When the disk (or Options.MaxPageCount) is full, a write fails with an
// error wrapping ErrFull, writes nothing and leaves the Store usable.
//
// # Locking
//
// Only one Store may have a file open. SQLite's own locks allow many
// connections in WAL mode, so Open also takes an exclusive advisory lock
// on "<path>.lock" for the Store's lifetime and writes its PID there: a
// second Open, from another process or this one, fails at once with an
// error wrapping ErrLocked that names the path and the holder's PID. On
// Unix the lock is flock(2), which the kernel drops when the process
// exits or is killed, so a crash never leaves a stale lock; the file
// itself stays behind, empty or with an old PID, and is harmless. On
// Windows the lock file is opened without write sharing, which Windows
// likewise releases when the process dies. Network file systems are not
// supported: SQLite's WAL mode needs shared memory that NFS and SMB do not
// provide, and flock over NFS is emulated with byte-range locks of varying
// reliability.
//
// # Retention
//
// Each room keeps its newest Options.KeepMessages messages (default
// DefaultKeepMessages). The oldest beyond that are deleted in batches after
// an Append, once the log is 1% (at least 1, at most 1000 rows) over the
// limit, so deletes stay rare and cheap. LastSeq is unaffected.
//
// # Corruption
//
// Open checks the file header before SQLite reads it (magic, page size,
// truncation), that the file is Parley's (application_id, user_version,
// tables), and, for files up to 64 MiB, PRAGMA quick_check. A file that
// fails is reported with an error wrapping ErrCorrupt that tells the user
// to move it aside; Open never repairs or replaces a file itself.
//
// # Concurrency
//
// A Store and its Logs are safe for concurrent use. Writes are serialised
// in the process; reads run concurrently with each other and with the
// writer (up to four connections). Close waits for calls in flight; calls
// after Close fail with ErrClosed.
package store
