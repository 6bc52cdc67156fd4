package store

import (
	"bytes"
	"errors"
	"testing"
)

func TestState(t *testing.T) {
	s := openTemp(t)
	steps := []struct {
		op     string // "put" or "get"
		key    string
		value  []byte
		wantOK bool
	}{
		{"get", "outbox", nil, false},
		{"put", "outbox", []byte(`[1,2]`), false},
		{"get", "outbox", []byte(`[1,2]`), true},
		{"put", "outbox", []byte(`[3]`), false},
		{"get", "outbox", []byte(`[3]`), true},
		{"put", "session", []byte{0, 1, 2, 0xff}, false},
		{"get", "session", []byte{0, 1, 2, 0xff}, true},
		{"put", "empty", []byte{}, false},
		{"get", "empty", []byte{}, true},
		{"put", "outbox", nil, false}, // delete
		{"get", "outbox", nil, false},
		{"put", "never", nil, false}, // deleting a missing key is fine
		{"get", "session", []byte{0, 1, 2, 0xff}, true},
		{"get", "🔑 ключ", nil, false},
		{"put", "🔑 ключ", []byte("v"), false},
		{"get", "🔑 ключ", []byte("v"), true},
	}
	for i, st := range steps {
		switch st.op {
		case "put":
			if err := s.PutState(st.key, st.value); err != nil {
				t.Fatalf("step %d: PutState(%q): %v", i, st.key, err)
			}
		case "get":
			got, ok, err := s.GetState(st.key)
			if err != nil {
				t.Fatalf("step %d: GetState(%q): %v", i, st.key, err)
			}
			if ok != st.wantOK || !bytes.Equal(got, st.value) || (ok && got == nil) {
				t.Errorf("step %d: GetState(%q): got %q, %v, want %q, %v", i, st.key, got, ok, st.value, st.wantOK)
			}
		}
	}
}

func TestStateValueIsACopy(t *testing.T) {
	s := openTemp(t)
	v := []byte("abc")
	if err := s.PutState("k", v); err != nil {
		t.Fatal(err)
	}
	v[0] = 'x'
	got, _, _ := s.GetState("k")
	got[1] = 'y'
	if again, _, _ := s.GetState("k"); string(again) != "abc" {
		t.Errorf("GetState after mutating slices: got %q, want %q", again, "abc")
	}
}

func TestStateEmptyKey(t *testing.T) {
	s := openTemp(t)
	if err := s.PutState("", []byte("v")); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutState(\"\"): got %v, want ErrInvalid", err)
	}
	if _, _, err := s.GetState(""); !errors.Is(err, ErrInvalid) {
		t.Errorf("GetState(\"\"): got %v, want ErrInvalid", err)
	}
}
