package bench

import (
	"bytes"
	"io"
	"net"
	"time"
)

// watchStuck follows the stuck member's connection from the host's side
// in /proc/net/tcp, every 50 ms: it notes when the host says it cut the member off (its
// log), and when the host's end of the connection stops being established
// (the host closed it). It watches until cfg.StuckWatch after the cap, or
// after the load if the cap never comes.
func (r *run) watchStuck(start, loadEnd int64) *Stuck {
	st := r.members[len(r.members)-1]
	hostPort := r.hostPort()
	ourPort := st.conn.LocalAddr().(*net.TCPAddr).Port
	res := &Stuck{CapAfterMs: -1, DisconnectAfterCapMs: -1}
	began := r.base.Add(time.Duration(start))
	var capAt, closedAt time.Time
	until := loadEnd + int64(r.cfg.StuckWatch)
	for {
		now := time.Now()
		if capAt.IsZero() && r.cfg.Host != nil {
			if t, ok := r.cfg.Host.LineSince(began, "slow"); ok {
				capAt = t
				until = max(until, int64(t.Sub(r.base)+r.cfg.StuckWatch))
			}
		}
		hostSide, ourSide, found1, found2, err := findTCPPair(hostPort, ourPort)
		if err == nil {
			var kernel uint64
			if found1 {
				kernel += hostSide.txQueue
			}
			if found2 {
				kernel += ourSide.rxQueue
			}
			res.KernelBytes = max(res.KernelBytes, kernel)
			if closedAt.IsZero() && (!found1 || hostSide.state != tcpEstablished) {
				closedAt = now
			}
		}
		if (!closedAt.IsZero() && !capAt.IsZero()) || r.now() >= until {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	from := began
	if !capAt.IsZero() {
		res.CapAfterMs = ms(capAt.Sub(began))
		from = capAt
	}
	res.WatchedMs = ms(r.base.Add(time.Duration(r.now())).Sub(from))
	if !closedAt.IsZero() {
		// A host that disconnects at the cap may close the socket a moment
		// before its log line about it reaches us: that is "at the cap".
		res.DisconnectAfterCapMs = ms(max(0, closedAt.Sub(from)))
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// readStuck reads the stuck member's stream to its end (at most 10 s)
// and records its last line: a host that cut the member off should say
// why there.
func (r *run) readStuck(res *Stuck) {
	st := r.members[len(r.members)-1]
	var last []byte
	buf := make([]byte, 64<<10)
	var tail []byte // the unfinished line so far
	end := time.Now().Add(10 * time.Second)
	for {
		// The host should close the connection after the reason; give up
		// after 2 s without a byte, or 10 s in all.
		deadline := time.Now().Add(2 * time.Second)
		if deadline.After(end) {
			deadline = end
		}
		_ = st.conn.SetReadDeadline(deadline)
		n, err := st.conn.Read(buf)
		res.BytesAfter += uint64(n)
		chunk := buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				tail = append(tail, chunk...)
				break
			}
			tail = append(tail, chunk[:i]...)
			if len(tail) > 0 {
				last = append(last[:0], tail...)
			}
			tail, chunk = tail[:0], chunk[i+1:]
		}
		if err != nil {
			if err != io.EOF {
				res.LastLine = "(read: " + err.Error() + ") "
			}
			break
		}
	}
	if len(tail) > 0 {
		last = tail
	}
	res.LastLine += string(last[:min(len(last), 200)])
	var f nativeFrame
	if r.cfg.Proto == Native && scanFlat(last, &f) {
		res.ToldWhy = string(f.typ) == "error" && string(f.code) == "slow_member"
	} else if r.cfg.Proto == Legacy {
		res.ToldWhy = bytes.HasPrefix(last, []byte("error: "))
	}
}
