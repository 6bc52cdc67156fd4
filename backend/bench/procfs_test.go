package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// The command name may contain spaces and parentheses.
	stat := "1234 (we (ird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 500 1000 200 18446744073709551615"
	got, err := parseStatCPU([]byte(stat))
	if err != nil || got != 3250*time.Millisecond {
		t.Errorf("parseStatCPU = %v, %v; want 3.25s", got, err)
	}
	if _, err := parseStatCPU([]byte("1234 (x) S 1 2")); err == nil {
		t.Errorf("short stat line accepted")
	}
	if cpu, err := ProcCPU(os.Getpid()); err != nil || cpu < 0 {
		t.Errorf("ProcCPU(self) = %v, %v", cpu, err)
	}
}

func TestParseStatusMem(t *testing.T) {
	status := "Name:\tparley\nVmPeak:\t  900000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t7\n"
	rss, peak, err := parseStatusMem([]byte(status))
	if err != nil || rss != 10<<20 || peak != 20<<20 {
		t.Errorf("parseStatusMem = %d, %d, %v; want 10 MiB, 20 MiB", rss, peak, err)
	}
	if _, _, err := parseStatusMem([]byte("Name:\tx\n")); err == nil {
		t.Errorf("status without VmRSS accepted")
	}
	if rss, peak, err := ProcMem(os.Getpid()); err != nil || rss == 0 || peak < rss {
		t.Errorf("ProcMem(self) = %d, %d, %v", rss, peak, err)
	}
}

func TestParseTCPLine(t *testing.T) {
	tests := []struct {
		line string
		want tcpSocket
		ok   bool
	}{
		{"   3: 0100007F:A1B2 0100007F:1F90 01 0000000A:00000B00 00:00000000 00000000  1000        0 123 1 0000000000000000 20 4 30 10 -1",
			tcpSocket{localPort: 0xA1B2, remotePort: 0x1F90, state: 1, txQueue: 10, rxQueue: 0xB00}, true},
		{"   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:A1B2 04 00001000:00000000 01:00000014 00000000  1000 0 1",
			tcpSocket{localPort: 0x1F90, remotePort: 0xA1B2, state: 4, txQueue: 0x1000}, true},
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", tcpSocket{}, false},
		{"", tcpSocket{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTCPLine(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTCPLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}
