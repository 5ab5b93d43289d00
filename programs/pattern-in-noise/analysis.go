package patterninnoise

// A window's response is the neuron's spikes in the Window steps after the
// window's first step: an afferent spike sent at step t reaches the neuron
// at step t+1, so the window starting at step s is answered in steps
// s+1..s+Window.

// Response is the neuron's answer to one window.
type Response struct {
	Start   int32 // the window's first step
	Pattern bool  // the window held the pattern
	Spikes  int   // the neuron's spikes in steps Start+1..Start+Window
	Latency int32 // first spike step − Start (1..Window), 0 without spikes
}

// Responses sorts the neuron's spikes (their steps) into the windows of
// the schedule.
func Responses(s Schedule, spikes []int32) []Response {
	out := make([]Response, s.Windows)
	for k := range out {
		out[k].Start = int32(k*Window + 1)
	}
	for _, o := range s.Onsets {
		out[(o-1)/Window].Pattern = true
	}
	for _, t := range spikes {
		k := int(t-2) / Window
		if t < 2 || k >= s.Windows {
			continue
		}
		r := &out[k]
		if r.Spikes == 0 {
			r.Latency = t - r.Start
		}
		r.Spikes++
	}
	return out
}

// Score sums up responses.
type Score struct {
	Presentations, Hits int     // pattern windows, and those with a spike
	HitRate             float64 // Hits / Presentations
	NoiseWindows        int     // windows without the pattern
	FalseAlarmWindows   int     // noise windows with a spike
	FalseAlarmSpikes    int     // spikes in noise windows
	FalseAlarmHz        float64 // spikes per second of noise
	MeanLatency         float64 // mean first-spike latency of the hits (steps = ms)
}

// ScoreOf scores responses.
func ScoreOf(rs []Response) Score {
	var sc Score
	lat := 0
	for _, r := range rs {
		switch {
		case r.Pattern:
			sc.Presentations++
			if r.Spikes > 0 {
				sc.Hits++
				lat += int(r.Latency)
			}
		default:
			sc.NoiseWindows++
			sc.FalseAlarmSpikes += r.Spikes
			if r.Spikes > 0 {
				sc.FalseAlarmWindows++
			}
		}
	}
	if sc.Presentations > 0 {
		sc.HitRate = float64(sc.Hits) / float64(sc.Presentations)
	}
	if sc.Hits > 0 {
		sc.MeanLatency = float64(lat) / float64(sc.Hits)
	}
	if sc.NoiseWindows > 0 {
		sc.FalseAlarmHz = float64(sc.FalseAlarmSpikes) / (float64(sc.NoiseWindows*Window) / 1000)
	}
	return sc
}

// Presentations returns the pattern windows' responses, in order.
func Presentations(rs []Response) []Response {
	var out []Response
	for _, r := range rs {
		if r.Pattern {
			out = append(out, r)
		}
	}
	return out
}
