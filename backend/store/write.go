package store

import (
	"context"
	"database/sql"

	"github.com/parley-lan/parley/backend/chat"
)

// chunkWriter inserts entries as chunks, with the senders rows they need,
// using the statements of one transaction.
type chunkWriter struct {
	insertChunk, insertSender *sql.Stmt
	known                     senderCache // committed rows; not changed here
	scratch                   *writeScratch
}

// writeScratch is memory reused from one write to the next.
type writeScratch struct {
	body  []byte              // a chunk's body, being encoded
	seen  map[string]struct{} // the clients seen in the chunk
	added []senderRow         // senders rows this transaction wrote
}

// maxScratchBody is the largest body buffer kept for the next write; a
// rare bigger chunk gets its own.
const maxScratchBody = 1 << 20

// write inserts entries, whose seqs increase, into the log with the given
// key, as chunks of up to maxChunkEntries. The senders rows it writes are
// appended to scratch.added.
func (w chunkWriter) write(ctx context.Context, key int64, entries []chat.Entry) error {
	for len(entries) > 0 {
		n := min(len(entries), maxChunkEntries)
		if err := w.writeChunk(ctx, key, entries[:n]); err != nil {
			return err
		}
		entries = entries[n:]
	}
	return nil
}

func (w chunkWriter) writeChunk(ctx context.Context, key int64, entries []chat.Entry) error {
	sc := w.scratch
	c := newChunk(sc.body, entries)
	if cap(c.body) <= maxScratchBody {
		sc.body = c.body
	}
	_, err := w.insertChunk.ExecContext(ctx, key, int64(c.first), int64(c.last), c.count, c.body)
	if err != nil {
		return err
	}
	if sc.seen == nil {
		sc.seen = make(map[string]struct{})
	}
	defer clear(sc.seen)
	seg := segOf(c.last)
	for i := range entries {
		r := senderRow{log: key, seg: seg, client: entries[i].ClientID}
		if _, seen := sc.seen[r.client]; seen || r.client == "" || w.known.has(r) {
			continue // An empty client ID is never looked up.
		}
		sc.seen[r.client] = struct{}{}
		if _, err := w.insertSender.ExecContext(ctx, r.log, r.seg, r.client); err != nil {
			return err
		}
		sc.added = append(sc.added, r)
	}
	return nil
}
