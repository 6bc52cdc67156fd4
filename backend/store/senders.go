package store

// The senders table is how Lookup finds a client's messages without
// reading the whole log: a row (log, seg, client_id) says that the client
// has a message in a chunk of segment seg, the chunks whose last_seq >>
// segBits is seg. Lookup decodes those segments only.
//
// A row per segment rather than per chunk keeps the cost off the hot
// path: a client's first message in a segment writes a row, the others
// nothing, and the rows of the newest segment sit together at the end of
// the table (it is ordered by segment first), so an Append that writes
// some touches one page. Rows per chunk ordered by client, tried first,
// put each client's row on its own page: with eight clients that was
// seven of the thirteen pages an Append of 64 wrote. A segment is emptied
// by pruning as a whole, with a range delete.

// segBits sets the segment size, 1<<segBits seqs; Lookup passes it to
// lookupSQL.
const segBits = 12

// segOf is the segment of a chunk whose last seq is seq.
func segOf(seq uint64) int64 { return int64(seq >> segBits) }

// senderRow is a row of senders.
type senderRow struct {
	log, seg int64
	client   string
}

// senderCache holds, for each log, the clients known to have a committed
// senders row in the log's newest segment, so that an Append writes rows
// only for the others. It only ever saves writes: a client missing from
// it gets an INSERT OR IGNORE. It learns rows once their transaction has
// committed, so a rollback cannot leave it claiming a row that is not
// there; pruning never deletes the newest segment's rows.
type senderCache map[int64]*segClients

type segClients struct {
	seg     int64
	clients map[string]struct{}
}

func (c senderCache) has(r senderRow) bool {
	sc := c[r.log]
	if sc == nil || sc.seg != r.seg {
		return false
	}
	_, ok := sc.clients[r.client]
	return ok
}

// add records committed rows. Rows of an older segment than the log's
// newest known one are not kept.
func (c senderCache) add(rows []senderRow) {
	for _, r := range rows {
		sc := c[r.log]
		switch {
		case sc == nil:
			sc = &segClients{seg: r.seg, clients: make(map[string]struct{})}
			c[r.log] = sc
		case r.seg < sc.seg:
			continue
		case r.seg > sc.seg:
			sc.seg = r.seg
			clear(sc.clients)
		}
		sc.clients[r.client] = struct{}{}
	}
}
