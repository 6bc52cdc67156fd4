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
// Version 3 (PRAGMA user_version = 3, PRAGMA application_id = "PRLY"):
//
//	rooms   (id PK, name, name_key, host, port, last_used)
//	        name_key is the name case-folded for FindRoom; last_used is
//	        Unix milliseconds; indexed by (name_key, last_used) and last_used.
//	logs    (id INTEGER PK, room_id UNIQUE, last_seq, rows)
//	        one row per room log: a small integer key for its chunks, the
//	        highest seq ever appended (so pruning never lowers LastSeq) and
//	        the number of messages kept (so retention needs no count(*)).
//	chunks  (log → logs.id, first_seq, last_seq, count, body)
//	        the messages of one Append (up to 256; a bigger Append is split)
//	        in one row, encoded in body (see chunk.go: seqs and times as
//	        varint deltas, each string with its length); a rowid table,
//	        as bodies are kilobytes, with a unique index on (log, last_seq).
//	        Reads decode whole chunks, checking each body against its
//	        columns: a damaged one is reported as ErrCorrupt.
//	senders (log, seg, client_id) PRIMARY KEY WITHOUT ROWID
//	        the clients with a message in each segment of 4096 seqs (the
//	        chunks whose last_seq >> 12 is seg), so that Lookup decodes only
//	        the segments where the client wrote (see senders.go).
//	state   (key PK, value BLOB) WITHOUT ROWID
//
// Version 2 stored a row per message in a messages table, with an index
// by (log, client_id, seq) for Lookup. (Version 1 indexed (log,
// client_id, id, seq): message ids are random, so every append wrote to
// random places of that index; version 2 made batched appends about 2.5
// times faster.) At saturation the host still spent about half its CPU in
// SQLite: an Append of 64 messages wrote about 23 pages to the write-ahead
// log, a row and an index entry per message, and the prune (every other
// Append at the benchmark's retention) was a transaction of its own. A
// chunk is one row and one index entry per Append; with the senders row
// written only for a client's first message in a segment, an Append of 64
// writes about 6 pages (8 with pruning, which now runs in the Append's
// transaction). Measured
// with the benchmarks, version 2 against 3 in turns on one machine (two
// CPUs, three runs each): an Append of 64 messages took 550-770 µs and
// takes 100-125 µs; with pruning, 815-1060 µs and now 125-140 µs; of 256
// messages, 1.7-2.1 ms and now 230-265 µs; of one message, 64-79 µs and
// now 46-53 µs (mostly the commit). After, a page of 200, went from
// 245-275 to 77-86 µs. Lookup decodes whole segments: in BenchmarkLookup,
// where each of eight clients has a message in every chunk, it went from
// 1.2-1.5 ms to 1.4-1.6 ms.
//
// A room's log and its rooms row are independent: a log exists once
// something is appended to it. Newer schemas are added as migrations, each
// in one transaction with its user_version (version 3's converts every
// message of a version-2 file into chunks, in Go, within that
// transaction); a file from a newer Parley is refused with ErrNewer rather
// than misread.
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
// Each room keeps at least its newest Options.KeepMessages messages
// (default DefaultKeepMessages) and deletes older ones in whole chunks,
// oldest first. Once a log is 1% (at least 1, at most 1000 messages) over
// the limit, an Append deletes, in its own transaction and before it
// writes, the oldest chunks that hold only messages beyond the newest
// KeepMessages. A log so holds fewer than KeepMessages plus the larger of
// that slack and its oldest chunk (at most 256 messages), or, right after
// an Append bigger than KeepMessages, that Append. Should the delete fail,
// the Append is written without it and the next one tries again. LastSeq
// is unaffected.
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
// writer (four connections, one of them kept for Appends). Close waits
// for calls in flight; calls after Close fail with ErrClosed.
package store
