package bench

// tally adds up what every member saw, once their readers have stopped.
// Each member but the stuck one should have received every message of
// every other sender exactly once, and its own back exactly once when the
// host echoes.
func (r *run) tally(res *Result) {
	sent := make([]uint64, len(r.sent))
	for s := range r.sent {
		sent[s] = r.sent[s].Load()
		res.Sent += sent[s]
	}
	var lat, arrival Histogram
	for _, m := range r.members {
		if !m.reading {
			continue
		}
		select {
		case <-m.done:
		default:
			continue // reader still running (it never should): its counts are not ours to read
		}
		st := &m.recv
		for s := range sent {
			switch {
			case s != m.idx:
				res.Expected += sent[s]
				res.Received += min(st.unique[s], sent[s])
			case r.cfg.Echo:
				res.Expected += sent[s]
				res.Received += min(st.echoes, sent[s])
			default:
				res.Duplicated += st.echoes // an echo nobody sends
			}
		}
		res.Duplicated += st.dups
		res.Garbled += st.garbled
		res.OutOfOrder += st.outOfOrder
		res.SeqGaps += st.seqGaps
		res.MsgsFrames += st.batches
		res.HostErrors += st.errors
		if st.endedAt > 0 && st.endedAt < r.closedAt {
			res.Dropped++
			if res.FirstDrop == "" && st.endErr != nil {
				res.FirstDrop = st.endErr.Error()
			}
		}
		if res.FirstGarbled == "" {
			res.FirstGarbled = st.firstGarbled
		}
		if res.FirstError == "" {
			res.FirstError = st.firstError
		}
		lat.Merge(&st.lat)
		arrival.Merge(&st.arrivalLat)
	}
	res.Lost = res.Expected - res.Received
	res.LatencySamples = lat.Count()
	res.P50Ms = float64(lat.Quantile(0.50)) / 1e6
	res.P99Ms = float64(lat.Quantile(0.99)) / 1e6
	res.P999Ms = float64(lat.Quantile(0.999)) / 1e6
	res.MaxMs = float64(lat.Quantile(1)) / 1e6
	if arrival.Count() > 0 {
		res.ArrivalP50Ms = float64(arrival.Quantile(0.50)) / 1e6
		res.ArrivalP99Ms = float64(arrival.Quantile(0.99)) / 1e6
		res.ArrivalP999Ms = float64(arrival.Quantile(0.999)) / 1e6
	}
}
