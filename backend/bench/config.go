package bench

import (
	"fmt"
	"time"
)

// DefaultWindow is how many of its messages a saturating sender keeps in
// flight: sent, but not yet received by every other member.
const DefaultWindow = 64

// LoadConfig describes one measurement: N members join the host at Addr,
// the first Senders of them send for Warmup+Duration, and what arrives is
// checked and timed.
type LoadConfig struct {
	// Addr is the host's "host:port".
	Addr  string
	Proto Protocol
	// Members is how many members connect; Senders of them send.
	Members, Senders int
	// Rate is each sender's messages per second; zero means saturation:
	// as fast as the room takes them, with Window messages in flight.
	Rate float64
	// Window bounds a saturating sender's messages in flight; zero means
	// DefaultWindow. A sender writes when a quarter of it is free, all the
	// free part in one write.
	Window int
	// Warmup runs the load before the measured Duration starts.
	Warmup, Duration time.Duration
	// Echo says the host sends each sender its own messages back (native
	// Parley does, as the acknowledgement; the tutorial server does).
	Echo bool
	// Stuck adds a member that completes its handshake and never reads
	// again; StuckWatch is how long after the load to keep watching for
	// the host to disconnect it.
	Stuck      bool
	StuckWatch time.Duration
	// Host is the host's process, for CPU, memory and log lines; nil for
	// a host that is not ours (no process figures then).
	Host *Process
	// MaxPerSender bounds each sender's messages; zero means a bound that
	// keeps the generator's bookkeeping under ~25 MB.
	MaxPerSender uint64
	// Connects is how many handshakes run at once; zero means 128.
	Connects int
	// Progress, if set, receives a line now and then.
	Progress func(format string, args ...any)
}

func (cfg *LoadConfig) check() error {
	switch {
	case cfg.Proto != Native && cfg.Proto != Legacy:
		return fmt.Errorf("protocol %q: want native or legacy", cfg.Proto)
	case cfg.Members < 2 || cfg.Members > 20000:
		return fmt.Errorf("members: %d, want 2 to 20000", cfg.Members)
	case cfg.Senders < 1 || cfg.Senders > cfg.Members:
		return fmt.Errorf("senders: %d, want 1 to the number of members (%d)", cfg.Senders, cfg.Members)
	case cfg.Rate < 0 || cfg.Rate > 100000:
		return fmt.Errorf("rate: %g, want 0 (saturation) to 100000 per sender", cfg.Rate)
	case cfg.Duration <= 0 || cfg.Duration > 10*time.Minute:
		return fmt.Errorf("duration: %v, want up to 10m", cfg.Duration)
	case cfg.Warmup < 0 || cfg.Warmup > time.Minute:
		return fmt.Errorf("warm-up: %v, want up to 1m", cfg.Warmup)
	case cfg.StuckWatch < 0 || cfg.StuckWatch > 2*time.Minute:
		return fmt.Errorf("stuck watch: %v, want up to 2m", cfg.StuckWatch)
	case cfg.Window < 0 || cfg.Window > 1<<16:
		return fmt.Errorf("window: %d, want up to %d", cfg.Window, 1<<16)
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxPerSender == 0 {
		cfg.MaxPerSender = max(10000, 200_000_000/uint64(cfg.Members*cfg.Senders))
	}
	if cfg.Connects <= 0 {
		cfg.Connects = 128
	}
	if cfg.Progress == nil {
		cfg.Progress = func(string, ...any) {}
	}
	return nil
}

// Result is what one measurement found. Rates are over the measured
// Duration only; "deliveries" are messages arriving at members other than
// their sender.
type Result struct {
	Proto    Protocol `json:"proto"`
	Members  int      `json:"members"`
	Senders  int      `json:"senders"`
	Rate     float64  `json:"rate_per_sender"` // 0: saturation
	Window   int      `json:"window,omitempty"`
	Duration float64  `json:"duration_s"`

	Sent             uint64  `json:"sent"`       // messages, whole run
	Expected         uint64  `json:"expected"`   // deliveries that should arrive, echoes included
	Received         uint64  `json:"received"`   // distinct deliveries that arrived, echoes included
	Lost             uint64  `json:"lost"`       // Expected - Received
	Duplicated       uint64  `json:"duplicated"` // a message a member already had, or an echo nobody sends
	Garbled          uint64  `json:"garbled"`    // lines (or messages of a msgs frame) that are neither an intact message nor known chatter
	OutOfOrder       uint64  `json:"out_of_order"`
	SeqGaps          uint64  `json:"seq_gaps"`              // native: room sequence numbers not one by one
	MsgsFrames       uint64  `json:"msgs_frames,omitempty"` // native: msgs frames received, each a run of messages
	HostErrors       uint64  `json:"host_errors"`           // error lines or frames from the host
	Dropped          int     `json:"dropped"`               // members whose connection ended during the run
	WindowDeliveries uint64  `json:"window_deliveries"`
	DeliveriesPerSec float64 `json:"deliveries_per_s"`
	MessagesPerSec   float64 `json:"messages_per_s"`
	HostCPUPercent   float64 `json:"host_cpu_percent,omitempty"`
	DeliveriesPerCPU float64 `json:"deliveries_per_cpu_s,omitempty"`
	GeneratorCPUPct  float64 `json:"generator_cpu_percent"`
	// OtherCPUPct is the machine's busy time that was neither the host's
	// nor the generator's, and StealPct the time the hypervisor took:
	// noise from other work on a shared machine, in percent of one CPU.
	OtherCPUPct    float64 `json:"other_cpu_percent"`
	StealPct       float64 `json:"steal_percent"`
	LatencySamples uint64  `json:"latency_samples"`
	P50Ms          float64 `json:"p50_ms"`
	P99Ms          float64 `json:"p99_ms"`
	P999Ms         float64 `json:"p999_ms"`
	MaxMs          float64 `json:"max_ms"`
	// Arrival latencies (chat load, Linux): from the send to the kernel's
	// receive time in the member's socket, without the generator's own
	// wait to run the member's reader.
	ArrivalP50Ms       float64 `json:"arrival_p50_ms,omitempty"`
	ArrivalP99Ms       float64 `json:"arrival_p99_ms,omitempty"`
	ArrivalP999Ms      float64 `json:"arrival_p999_ms,omitempty"`
	RSSZeroKiB         float64 `json:"rss_zero_kib,omitempty"`
	RSSIdleKiB         float64 `json:"rss_idle_kib,omitempty"`
	RSSPeakKiB         float64 `json:"rss_peak_kib,omitempty"`
	KiBPerIdleMember   float64 `json:"kib_per_idle_member,omitempty"`
	ConnectSec         float64 `json:"connect_s"`
	FirstGarbled       string  `json:"first_garbled,omitempty"`
	FirstError         string  `json:"first_error,omitempty"`
	FirstDrop          string  `json:"first_drop,omitempty"` // why the first dropped member's connection ended
	Stuck              *Stuck  `json:"stuck,omitempty"`
	SenderError        string  `json:"sender_error,omitempty"`
	ProcessMeasurement bool    `json:"process_measured"`
}

// Stuck is what happened to the member that never read.
type Stuck struct {
	// CapAfterMs is when the host said it cut the member off (its log
	// line), since the load started; -1 if it never did.
	CapAfterMs float64 `json:"cap_after_ms"`
	// DisconnectAfterCapMs is when the host's end of the connection
	// closed, relative to CapAfterMs; -1 if not within the watch.
	DisconnectAfterCapMs float64 `json:"disconnect_after_cap_ms"`
	// WatchedMs is how long after the cap (or the load's start) we looked.
	WatchedMs float64 `json:"watched_ms"`
	// ToldWhy: its stream, read after the run, ends with the reason
	// (an error frame with code slow_member).
	ToldWhy  bool   `json:"told_why"`
	LastLine string `json:"last_line,omitempty"`
	// BytesAfter is what the member read after the run, until the end.
	BytesAfter uint64 `json:"bytes_after"`
	// KernelBytes is the most the kernel held in the two socket buffers
	// between the host and the member.
	KernelBytes uint64 `json:"kernel_bytes"`
}
