package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// holdEnv names the database a re-executed test binary opens and holds.
const holdEnv = "PARLEY_STORE_TEST_HOLD"

// holdMain is the child's side of TestLockedOtherProcess: open the
// database, record a room and ten messages, say "ready" and wait to be
// killed.
func holdMain(path string) int {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	room := HostedRoom{Room: chat.Room{ID: "crash", Name: "Crash", Host: "kid"}, Port: 1234}
	if err := s.SaveRoom(room); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := s.Log("crash").Append(entries(1, 10)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	time.Sleep(time.Minute) // Killed long before.
	return 2
}

func TestLockedSameProcess(t *testing.T) {
	path := tempDB(t)
	s := openAt(t, path, Options{})
	t.Chdir(filepath.Dir(path))
	// The same file under another spelling is still the same file.
	for _, p := range []string{path, "parley.db"} {
		s2, err := Open(p, Options{})
		if err == nil {
			s2.Close()
			t.Fatalf("second Open(%s) succeeded", p)
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("second Open: got %v, want ErrLocked", err)
		}
		want := fmt.Sprintf("database %s is already open in this process (pid %d)", path, os.Getpid())
		if err.Error() != want {
			t.Errorf("error: got %q, want %q", err, want)
		}
	}
	// The first Store is unharmed, and Close frees the file.
	mustAppend(t, s.Log("r"), entries(1, 1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := openAt(t, path, Options{})
	if got := lastSeqOf(t, s3.Log("r")); got != 1 {
		t.Errorf("LastSeq: got %v, want %v", got, 1)
	}
}

func TestLockedViaSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	openAt(t, filepath.Join(real, "parley.db"), Options{})
	fileLink := filepath.Join(t.TempDir(), "other-name.db")
	if err := os.Symlink(filepath.Join(real, "parley.db"), fileLink); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(link, "parley.db"), fileLink} {
		s, err := Open(p, Options{})
		if err == nil {
			s.Close()
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("Open(%s), a symlinked spelling: got %v, want ErrLocked", p, err)
		}
	}
}

// TestLockedOtherProcess re-executes the test binary as a child that opens
// the database and appends; while it lives, Open fails naming its PID;
// after a kill -9 the lock is gone and the child's messages are there.
func TestLockedOtherProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is Unix")
	}
	path := tempDB(t)
	child := startHolder(t, path)

	s, err := Open(path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open while another process holds the database succeeded")
	}
	want := fmt.Sprintf("database %s is in use by another Parley (pid %d)", path, child.Process.Pid)
	if !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Errorf("Open: got %q (ErrLocked %v), want %q", err, errors.Is(err, ErrLocked), want)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait() //nolint:errcheck // Killed: the error is the signal.

	s = openAt(t, path, Options{})
	l := s.Log("crash")
	if got := lastSeqOf(t, l); got != 10 {
		t.Errorf("LastSeq after the holder was killed: got %v, want %v", got, 10)
	}
	msgs, err := l.After(0, 100)
	if err != nil || fmt.Sprint(msgSeqs(msgs)) != fmt.Sprint(seqRange(1, 10)) {
		t.Errorf("After(0) after kill: got %v, %v, want seqs 1..10", msgSeqs(msgs), err)
	}
	if _, ok, err := s.FindRoom("crash"); !ok || err != nil {
		t.Errorf("FindRoom after kill: got %v, %v, want the room", ok, err)
	}
}

// startHolder runs the holder child on path, waits for it to say ready
// and kills it at the end of the test if it still runs.
func startHolder(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path, "GORACE=atexit_sleep_ms=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // Usually already dead.
		cmd.Wait()         //nolint:errcheck
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	fail := func(format string, args ...any) {
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck // Afterwards stderr is ours to read.
		t.Fatalf(format+"; holder's stderr: %s", append(args, stderr.String())...)
	}
	select {
	case line := <-ready:
		if strings.TrimSpace(line) != "ready" {
			fail("holder said %q", line)
		}
	case <-time.After(30 * time.Second):
		fail("holder not ready after 30s")
	}
	return cmd
}
