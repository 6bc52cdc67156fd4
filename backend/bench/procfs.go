package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for user space.
const clockTick = 10 * time.Millisecond

// ProcCPU returns the CPU time (user + system) process pid has used.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, fields 14 and 15 of /proc/PID/stat.
// The command name (field 2) may hold spaces and parentheses, so fields
// are counted from the last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc stat: no ')'")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("parse /proc stat: %d fields", len(f))
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parse /proc stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// ProcMem returns process pid's resident set size and its peak so far
// (VmRSS and VmHWM), in bytes.
func ProcMem(pid int) (rss, peak uint64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusMem(b)
}

func parseStatusMem(b []byte) (rss, peak uint64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	found := 0
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse /proc status %s: %w", key, err)
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
		found++
	}
	if found < 2 {
		return 0, 0, fmt.Errorf("parse /proc status: VmRSS or VmHWM missing")
	}
	return rss, peak, nil
}

// machineCPU returns the time all CPUs spent busy and stolen (by the
// hypervisor) so far, from the first line of /proc/stat.
func machineCPU() (busy, steal time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseProcStat(b)
}

// parseProcStat reads "cpu user nice system idle iowait irq softirq steal …".
func parseProcStat(b []byte) (busy, steal time.Duration, err error) {
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("parse /proc/stat: %q", line)
	}
	var v [8]uint64
	for i := range v {
		if v[i], err = strconv.ParseUint(f[i+1], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("parse /proc/stat: %w", err)
		}
	}
	// user, nice, system, irq, softirq count as busy; idle and iowait not;
	// steal is time the hypervisor gave to someone else.
	ticks := v[0] + v[1] + v[2] + v[5] + v[6]
	return time.Duration(ticks) * clockTick, time.Duration(v[7]) * clockTick, nil
}

// selfCPU returns the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tcpEstablished is the ESTABLISHED state as /proc/net/tcp numbers it.
const tcpEstablished = 0x01

// tcpSocket is one line of /proc/net/tcp.
type tcpSocket struct {
	localPort, remotePort int
	state                 int
	txQueue, rxQueue      uint64
}

// findTCPPair returns both ends of the loopback connection between ports
// a and b: the socket at a (to b) and the socket at b (to a), with whether
// each was found. A host listening on all addresses has an IPv6 socket
// even for 127.0.0.1 (as ::ffff:127.0.0.1), so both tables are read.
func findTCPPair(a, b int) (atA, atB tcpSocket, foundA, foundB bool, err error) {
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, rerr := os.ReadFile(table)
		if rerr != nil {
			if err == nil {
				err = rerr
			}
			continue
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			s, ok := parseTCPLine(string(line))
			switch {
			case !ok:
			case s.localPort == a && s.remotePort == b:
				atA, foundA = s, true
			case s.localPort == b && s.remotePort == a:
				atB, foundB = s, true
			}
		}
	}
	if foundA || foundB {
		err = nil
	}
	return atA, atB, foundA, foundB, err
}

// parseTCPLine parses "sl local rem st tx:rx …" with hex fields, from
// /proc/net/tcp or /proc/net/tcp6 (the port follows the last ':').
func parseTCPLine(line string) (tcpSocket, bool) {
	f := strings.Fields(line)
	if len(f) < 5 || !strings.HasSuffix(f[0], ":") {
		return tcpSocket{}, false
	}
	port := func(addr string) (int, bool) {
		i := strings.LastIndexByte(addr, ':')
		v, err := strconv.ParseUint(addr[i+1:], 16, 16)
		return int(v), i >= 0 && err == nil
	}
	var s tcpSocket
	var ok1, ok2 bool
	s.localPort, ok1 = port(f[1])
	s.remotePort, ok2 = port(f[2])
	st, err := strconv.ParseUint(f[3], 16, 8)
	tx, rx, ok3 := strings.Cut(f[4], ":")
	txq, err1 := strconv.ParseUint(tx, 16, 64)
	rxq, err2 := strconv.ParseUint(rx, 16, 64)
	if !ok1 || !ok2 || !ok3 || err != nil || err1 != nil || err2 != nil {
		return tcpSocket{}, false
	}
	s.state, s.txQueue, s.rxQueue = int(st), txq, rxq
	return s, true
}

// raiseFileLimit lifts this process's open-file limit towards need (child
// processes inherit it).
func raiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= need {
		return nil
	}
	if lim.Max < need {
		return fmt.Errorf("open-file limit is %d (hard %d); %d members need about %d", lim.Cur, lim.Max, need/2, need)
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
