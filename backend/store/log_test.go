package store

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// logWith returns a log holding seqs 1..n (appended in batches of 7).
func logWith(t *testing.T, n uint64) *Log {
	t.Helper()
	l := openTemp(t).Log("room")
	for from := uint64(1); from <= n; from += 7 {
		mustAppend(t, l, entries(from, min(from+6, n)))
	}
	return l
}

func TestAfter(t *testing.T) {
	l := logWith(t, 30)
	tests := []struct {
		seq   uint64
		limit int
		want  []uint64
	}{
		{0, 5, seqRange(1, 5)},
		{0, 100, seqRange(1, 30)},
		{10, 3, seqRange(11, 13)},
		{27, 10, seqRange(28, 30)},
		{30, 10, seqRange(1, 0)},
		{31, 10, seqRange(1, 0)},
		{math.MaxUint64, 10, seqRange(1, 0)},
		{0, 0, seqRange(1, 0)},
		{0, -1, seqRange(1, 0)},
	}
	for _, tt := range tests {
		msgs, err := l.After(tt.seq, tt.limit)
		if err != nil {
			t.Fatalf("After(%d, %d): %v", tt.seq, tt.limit, err)
		}
		if got, want := fmt.Sprint(msgSeqs(msgs)), fmt.Sprint(tt.want); got != want {
			t.Errorf("After(%d, %d): got %v, want %v", tt.seq, tt.limit, got, want)
		}
	}
}

func TestBefore(t *testing.T) {
	l := logWith(t, 30)
	tests := []struct {
		seq   uint64
		limit int
		want  []uint64
	}{
		{31, 5, seqRange(26, 30)},
		{math.MaxUint64, 3, seqRange(28, 30)},
		{11, 3, seqRange(8, 10)},
		{4, 10, seqRange(1, 3)},
		{2, 10, seqRange(1, 1)},
		{1, 10, seqRange(1, 0)},
		{0, 10, seqRange(1, 0)},
		{20, 0, seqRange(1, 0)},
		{20, -5, seqRange(1, 0)},
	}
	for _, tt := range tests {
		msgs, err := l.Before(tt.seq, tt.limit)
		if err != nil {
			t.Fatalf("Before(%d, %d): %v", tt.seq, tt.limit, err)
		}
		if got, want := fmt.Sprint(msgSeqs(msgs)), fmt.Sprint(tt.want); got != want {
			t.Errorf("Before(%d, %d): got %v, want %v", tt.seq, tt.limit, got, want)
		}
	}
}

func TestRecent(t *testing.T) {
	l := logWith(t, 30)
	tests := []struct {
		n    int
		want []uint64
	}{
		{1, seqRange(30, 30)},
		{5, seqRange(26, 30)},
		{30, seqRange(1, 30)},
		{1000, seqRange(1, 30)},
		{0, seqRange(1, 0)},
		{-1, seqRange(1, 0)},
	}
	for _, tt := range tests {
		es, err := l.Recent(tt.n)
		if err != nil {
			t.Fatalf("Recent(%d): %v", tt.n, err)
		}
		if got, want := fmt.Sprint(entrySeqs(es)), fmt.Sprint(tt.want); got != want {
			t.Errorf("Recent(%d): got %v, want %v", tt.n, got, want)
		}
		for _, e := range es {
			if e != entry(e.Seq) {
				t.Errorf("Recent(%d): entry %d: got %+v, want %+v", tt.n, e.Seq, e, entry(e.Seq))
			}
		}
	}
}

// TestMessagesRoundTrip checks every field, with text that SQLite or the
// driver might mangle.
func TestMessagesRoundTrip(t *testing.T) {
	l := openTemp(t).Log("r")
	texts := []string{"hello", "línea\nnueva\ttab", "🦊👩‍💻 emoji", "'); DROP TABLE messages; --", "nul\x00byte", string(make([]byte, chat.MaxTextBytes))}
	var es []chat.Entry
	for i, text := range texts {
		e := entry(uint64(i + 1))
		e.Text, e.From, e.ClientID, e.TS = text, "Zoë 🦊", fmt.Sprintf("client-%d", i), -int64(i)
		es = append(es, e)
	}
	mustAppend(t, l, es)
	msgs, err := l.After(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(es) {
		t.Fatalf("After: got %d messages, want %d", len(msgs), len(es))
	}
	for i, m := range msgs {
		if m != es[i].Message {
			t.Errorf("message %d: got %+v, want %+v", i, m, es[i].Message)
		}
	}
}

func TestAppendRejectsBadSeqs(t *testing.T) {
	tests := []struct {
		name  string
		batch []uint64
	}{
		{"not after last", []uint64{5}},
		{"below last", []uint64{3, 6}},
		{"zero", []uint64{0}},
		{"repeated", []uint64{6, 6}},
		{"decreasing", []uint64{7, 6}},
		{"too big for SQLite", []uint64{6, math.MaxInt64 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := logWith(t, 5)
			var batch []chat.Entry
			for _, seq := range tt.batch {
				batch = append(batch, entry(seq))
			}
			if err := l.Append(batch); !errors.Is(err, ErrInvalid) {
				t.Errorf("Append(%v): got %v, want ErrInvalid", tt.batch, err)
			}
			if got := lastSeqOf(t, l); got != 5 {
				t.Errorf("LastSeq after a rejected Append: got %v, want %v", got, 5)
			}
			msgs, _ := l.After(0, 100)
			if got, want := fmt.Sprint(msgSeqs(msgs)), fmt.Sprint(seqRange(1, 5)); got != want {
				t.Errorf("log after a rejected Append: got %v, want %v", got, want)
			}
		})
	}
}

func TestAppendGapsAndEmpty(t *testing.T) {
	l := openTemp(t).Log("r")
	if err := l.Append(nil); err != nil {
		t.Errorf("Append(nil): %v", err)
	}
	if got := lastSeqOf(t, l); got != 0 {
		t.Errorf("LastSeq of an empty log: got %v, want %v", got, 0)
	}
	mustAppend(t, l, []chat.Entry{entry(3), entry(10)})
	mustAppend(t, l, []chat.Entry{entry(11)})
	if got := lastSeqOf(t, l); got != 11 {
		t.Errorf("LastSeq: got %v, want %v", got, 11)
	}
}

func TestLookup(t *testing.T) {
	l := logWith(t, 10)
	other := entry(11)
	other.ClientID, other.ID = "c2", "m1" // same message id, another client
	mustAppend(t, l, []chat.Entry{other})
	tests := []struct {
		client, id string
		wantSeq    uint64 // 0 means not found
	}{
		{"c1", "m1", 1},
		{"c1", "m10", 10},
		{"c2", "m1", 11},
		{"c2", "m2", 0},
		{"c3", "m1", 0},
		{"", "m1", 0},
		{"c1", "", 0},
	}
	for _, tt := range tests {
		checkLookup(t, l, tt.client, tt.id, tt.wantSeq)
	}
	if m, _, _ := l.Lookup("c1", "m4"); m != entry(4).Message {
		t.Errorf("Lookup message: got %+v, want %+v", m, entry(4).Message)
	}
}

// TestQueryPlans makes sure the hot queries search an index rather than
// scan a room's whole log.
func TestQueryPlans(t *testing.T) {
	s := openTemp(t)
	mustAppend(t, s.Log("r"), entries(1, 100))
	tests := []struct {
		name, sql string
		args      []any
		want      string
	}{
		{"lastSeq", lastSeqSQL, []any{"r"}, "SEARCH logs USING INDEX sqlite_autoindex_logs_1 (room_id=?)"},
		{"after", afterSQL, []any{"r", 5}, "SEARCH chunks USING INDEX chunks_by_seq (log=? AND last_seq>?); SCALAR SUBQUERY 1; SEARCH logs USING COVERING INDEX sqlite_autoindex_logs_1 (room_id=?)"},
		{"before", beforeSQL, []any{"r", 50}, "SEARCH chunks USING INDEX chunks_by_seq (log=? AND last_seq<?); SCALAR SUBQUERY 1; SEARCH logs USING COVERING INDEX sqlite_autoindex_logs_1 (room_id=?); SCALAR SUBQUERY 3; SEARCH chunks USING COVERING INDEX chunks_by_seq (log=? AND last_seq>?); SCALAR SUBQUERY 2; SEARCH logs USING COVERING INDEX sqlite_autoindex_logs_1 (room_id=?)"},
		{"recent", recentSQL, []any{"r"}, "SEARCH chunks USING INDEX chunks_by_seq (log=?); SCALAR SUBQUERY 1; SEARCH logs USING COVERING INDEX sqlite_autoindex_logs_1 (room_id=?)"},
		{"lookup", lookupSQL, []any{"r", "c1", segBits}, "SEARCH s USING PRIMARY KEY (log=?); SCALAR SUBQUERY 1; SEARCH logs USING COVERING INDEX sqlite_autoindex_logs_1 (room_id=?); SEARCH c USING INDEX chunks_by_seq (log=? AND last_seq>? AND last_seq<?); REUSE SUBQUERY 1"},
		{"oldest", oldestSQL, []any{1}, "SEARCH chunks USING INDEX chunks_by_seq (log=?)"},
		{"dropChunks", dropChunksSQL, []any{1, 5}, "SEARCH chunks USING COVERING INDEX chunks_by_seq (log=? AND last_seq<?)"},
		{"dropSenders", dropSendersSQL, []any{1, 5}, "SEARCH senders USING PRIMARY KEY (log=? AND seg<?)"},
	}
	for _, tt := range tests {
		if got := queryPlan(t, s, tt.sql, tt.args...); got != tt.want {
			t.Errorf("plan of %s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "; ")
}

func TestLogsAreSeparate(t *testing.T) {
	s := openTemp(t)
	a, b := s.Log("a"), s.Log("b")
	mustAppend(t, a, entries(1, 5))
	mustAppend(t, b, entries(1, 2))
	if got := lastSeqOf(t, a); got != 5 {
		t.Errorf("LastSeq(a): got %v, want %v", got, 5)
	}
	if got := lastSeqOf(t, b); got != 2 {
		t.Errorf("LastSeq(b): got %v, want %v", got, 2)
	}
	if msgs, _ := b.After(0, 100); fmt.Sprint(msgSeqs(msgs)) != "[1 2]" {
		t.Errorf("After on b: got %v, want [1 2]", msgSeqs(msgs))
	}
	if _, ok, _ := s.Log("c").Lookup("c1", "m1"); ok {
		t.Errorf("Lookup found a message of another room")
	}
}

func TestLimitsAreCapped(t *testing.T) {
	l := logWith(t, MaxLimit+10)
	msgs, err := l.After(0, math.MaxInt)
	if err != nil || len(msgs) != MaxLimit {
		t.Errorf("After(0, MaxInt): got %d, %v, want %d", len(msgs), err, MaxLimit)
	}
	msgs, err = l.Before(math.MaxUint64, 1<<40)
	if err != nil || len(msgs) != MaxLimit || msgs[len(msgs)-1].Seq != MaxLimit+10 {
		t.Errorf("Before(max, 1<<40): got %d, %v, want the newest %d", len(msgs), err, MaxLimit)
	}
	es, err := l.Recent(math.MaxInt)
	if err != nil || len(es) != MaxLimit+10 {
		t.Errorf("Recent(MaxInt): got %d, %v, want all %d", len(es), err, MaxLimit+10)
	}
}

func TestEmptyRoomID(t *testing.T) {
	l := openTemp(t).Log("")
	errs := map[string]error{"Append": l.Append(entries(1, 1))}
	_, errs["LastSeq"] = l.LastSeq()
	_, errs["After"] = l.After(0, 10)
	_, errs["Before"] = l.Before(10, 10)
	_, errs["Recent"] = l.Recent(10)
	_, _, errs["Lookup"] = l.Lookup("c1", "m1")
	for name, err := range errs {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s with an empty room ID: got %v, want ErrInvalid", name, err)
		}
	}
}

// TestLookupAcrossChunks: Lookup finds a client's messages in any chunk
// and segment, the oldest when the client reused an id, and nothing once
// pruning deleted the chunk.
func TestLookupAcrossChunks(t *testing.T) {
	s := openAt(t, tempDB(t), Options{KeepMessages: 3000})
	l := s.Log("r")
	sent := func(seq uint64, client, id string) chat.Entry {
		e := entry(seq)
		e.ClientID, e.ID = client, id
		return e
	}
	// Batches of 100 up to seq 9000 (segments 0, 1 and 2) from "busy",
	// with "quiet" and "reuser" here and there.
	for from := uint64(1); from <= 9000; from += 100 {
		batch := entries(from, from+99)
		for i := range batch {
			batch[i].ClientID = "busy"
		}
		switch from {
		case 101:
			batch[5] = sent(106, "reuser", "dup") // pruned later
		case 6001:
			batch[7] = sent(6008, "reuser", "dup")
			batch[8] = sent(6009, "quiet", "q1")
		case 8101:
			batch[9] = sent(8110, "reuser", "dup")
			batch[10] = sent(8111, "reuser", "once")
		}
		mustAppend(t, l, batch)
	}
	tests := []struct {
		client, id string
		wantSeq    uint64 // 0 means not found
	}{
		{"reuser", "dup", 6008}, // 106 was pruned; of the others, the oldest
		{"reuser", "once", 8111},
		{"quiet", "q1", 6009},
		{"quiet", "m6009", 0},
		{"busy", "m9000", 9000},
		{"busy", "m6001", 6001},
		{"busy", "m5000", 0}, // pruned
		{"busy", "m1", 0},    // pruned
		{"busy", "q1", 0},
		{"nobody", "m8000", 0},
	}
	for _, tt := range tests {
		m, ok := checkLookup(t, l, tt.client, tt.id, tt.wantSeq)
		if ok && (m.ID != tt.id || m.Text != entry(m.Seq).Text) {
			t.Errorf("Lookup(%q, %q): got %+v", tt.client, tt.id, m)
		}
	}
	if first, _ := l.After(0, 1); len(first) != 1 || first[0].Seq <= 5000 {
		t.Fatalf("the oldest kept message: got %v, want one after the pruned seq 5000", msgSeqs(first))
	}
}

// checkLookup looks up a client's message id and checks that it is found
// with seq wantSeq, or not found for 0.
func checkLookup(t *testing.T, l *Log, client, id string, wantSeq uint64) (chat.Message, bool) {
	t.Helper()
	m, ok, err := l.Lookup(client, id)
	if err != nil {
		t.Fatalf("Lookup(%q, %q): %v", client, id, err)
	}
	if ok != (wantSeq != 0) || m.Seq != wantSeq {
		t.Errorf("Lookup(%q, %q): got seq %v, %v, want %v", client, id, m.Seq, ok, wantSeq)
	}
	return m, ok
}
