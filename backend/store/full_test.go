package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// bigEntries returns entries from..to with 2 KiB of text each, to fill a
// small database quickly.
func bigEntries(from, to uint64) []chat.Entry {
	es := entries(from, to)
	for i := range es {
		es[i].Text = strings.Repeat(fmt.Sprintf("%d ", es[i].Seq), 2048)[:2048]
	}
	return es
}

// fill appends batches of 4 until the database is full and returns the
// last seq stored and the batch that failed.
func fill(t *testing.T, l *Log) (uint64, []chat.Entry) {
	t.Helper()
	var last uint64
	for range 10_000 {
		batch := bigEntries(last+1, last+4)
		err := l.Append(batch)
		if errors.Is(err, ErrFull) {
			return last, batch
		}
		if err != nil {
			t.Fatalf("Append(%d..): got %v, want nil or ErrFull", last+1, err)
		}
		last += 4
	}
	t.Fatal("the database never filled up")
	return 0, nil
}

// checkNothingPartial checks that the log holds exactly 1..last.
func checkNothingPartial(t *testing.T, l *Log, last uint64, failed []chat.Entry) {
	t.Helper()
	if got := lastSeqOf(t, l); got != last {
		t.Errorf("LastSeq after ErrFull: got %v, want %v", got, last)
	}
	if msgs, err := l.After(last, 100); err != nil || len(msgs) != 0 {
		t.Errorf("After(%d) after ErrFull: got %v, %v, want nothing", last, msgSeqs(msgs), err)
	}
	for _, e := range failed {
		if _, ok, err := l.Lookup(e.ClientID, e.ID); ok || err != nil {
			t.Errorf("Lookup(%s) of a failed entry: got %v, %v, want not found", e.ID, ok, err)
		}
	}
}

func TestFullDiskThenBiggerLimit(t *testing.T) {
	path := tempDB(t)
	s := openAt(t, path, Options{MaxPageCount: 64})
	l := s.Log("r")
	last, failed := fill(t, l)
	if last == 0 {
		t.Fatal("not even one batch fitted")
	}
	checkNothingPartial(t, l, last, failed)
	// Still usable: reads work, and a failed write can be retried.
	if _, err := l.Recent(10); err != nil {
		t.Errorf("Recent after ErrFull: %v", err)
	}
	if err := l.Append(failed); !errors.Is(err, ErrFull) {
		t.Errorf("Append again while full: got %v, want ErrFull", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after ErrFull: %v", err)
	}

	s = openAt(t, path, Options{MaxPageCount: 1000})
	l = s.Log("r")
	checkNothingPartial(t, l, last, failed)
	mustAppend(t, l, failed)
	if got, want := lastSeqOf(t, l), failed[len(failed)-1].Seq; got != want {
		t.Errorf("LastSeq after more space: got %v, want %v", got, want)
	}
}

func TestFullDiskThenSpaceFreed(t *testing.T) {
	s := openAt(t, tempDB(t), Options{MaxPageCount: 64})
	if err := s.PutState("ballast", make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	l := s.Log("r")
	last, failed := fill(t, l)
	checkNothingPartial(t, l, last, failed)
	if err := s.PutState("more", make([]byte, 64<<10)); !errors.Is(err, ErrFull) {
		t.Errorf("PutState while full: got %v, want ErrFull", err)
	}
	if err := s.PutState("ballast", nil); err != nil {
		t.Fatalf("delete ballast while full: %v", err)
	}
	mustAppend(t, l, failed)
	if got, want := lastSeqOf(t, l), failed[len(failed)-1].Seq; got != want {
		t.Errorf("LastSeq after space was freed: got %v, want %v", got, want)
	}
}

func TestFullDiskPruningFreesSpace(t *testing.T) {
	// With a retention small enough, the log recycles its own pages and
	// never fills the database.
	s := openAt(t, tempDB(t), Options{MaxPageCount: 64, KeepMessages: 20})
	l := s.Log("r")
	for seq := uint64(1); seq <= 400; seq += 4 {
		mustAppend(t, l, bigEntries(seq, seq+3))
	}
}

func TestErrFullMessage(t *testing.T) {
	s := openAt(t, tempDB(t), Options{MaxPageCount: 64})
	_, failed := fill(t, s.Log("r"))
	err := s.Log("r").Append(failed)
	want := "append 4 messages to room r: disk is full: "
	t.Logf("error: %v", err)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error: got %q, want it to start %q", err, want)
	}
	if !errors.Is(err, ErrFull) || !errors.Is(err, chat.ErrNoSpace) {
		t.Errorf("errors.Is(%v, ErrFull / chat.ErrNoSpace) = %v / %v, want both true", err, errors.Is(err, ErrFull), errors.Is(err, chat.ErrNoSpace))
	}
}
