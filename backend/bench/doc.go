// Package bench is Parley's benchmark: a load generator that speaks both
// of a room's protocols, the two reference servers Parley is compared
// with, the statistics, and the report (table, JSON, SVG chart).
// docs/performance.md says what is measured and what the figures mean.
//
// # How a measurement goes
//
//  1. The host runs as its own process (StartProcess), so its CPU time
//     (/proc/PID/stat) and memory (/proc/PID/status) are its alone. Every
//     connection goes to 127.0.0.1.
//  2. N members connect (Run): native members send hello, asking for msgs
//     frames as Parley's app does (batch), and wait for welcome; legacy
//     members wait for "NICK" and answer "b<i>\n", as nc.
//     Each member has one reader goroutine that reads continuously, so no
//     member is ever cut off for not reading (except the stuck one, on
//     purpose).
//  3. When nothing has arrived for 250 ms, member 0 sends the sync
//     message; once every member has seen it, the host's memory is read
//     (idle), and from then on every line a member receives must be an
//     intact benchmark message (or a msgs frame of them, each checked as
//     a msg frame's is) or known chatter (presence, pings).
//  4. Senders send for Warmup+Duration, either at a fixed rate or at
//     saturation: a sender keeps up to Window messages in flight (sent
//     but not yet received by every other member) and writes the free
//     part of its window in one write whenever a quarter of it is free.
//     Figures are taken over Duration only.
//  5. After the senders stop, the generator waits until everything sent
//     has arrived (or nothing moves for a second), then counts: each
//     message must reach each other member exactly once (and its sender,
//     once, where the host echoes). A message's text carries its sender,
//     sequence number, send time and a checksum, so loss, duplication,
//     damage and latency are all measured from the text itself.
//
// The two references are RefServer, a minimal Go broadcast server (a
// reader and a writer goroutine per client, a bounded queue, batched
// writes), and tutorial_server.py, the Python tutorial server Parley's
// users come from.
package bench
