package patterninnoise

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
)

// The stimulus, on a grid of Window-step windows (1 step = 1 ms):
//
//   - Every afferent fires as a Poisson process at RateHz: an independent
//     draw with probability RateHz/1000 each step. Think of it as the sum
//     of two Poisson processes, a base one at RateHz − SpontaneousHz and a
//     spontaneous one at SpontaneousHz.
//   - The pattern is one Window-long draw of the base process of
//     afferents 0..PatternAfferents−1, frozen. In a pattern window those
//     afferents replay it, each spike moved by a fresh −Jitter..+Jitter
//     steps at every presentation, and keep their spontaneous activity,
//     drawn afresh (as in the paper, which adds spontaneous activity on
//     top of the pattern). The other afferents stay fresh noise.
//   - A window holds the pattern with probability 1/3 if the previous one
//     did not, never twice in a row: a quarter of the windows in the long
//     run. The first window is noise.
//
// The pattern is a sample of the base process, so every afferent's mean
// rate is the same inside and outside the pattern (in expectation over
// pattern draws; in the population, the pattern afferents fire about 500
// spikes per window either way): only the repeated spike timing tells the
// pattern apart.
// The spontaneous share keeps the pattern afferents that have no spike in
// the frozen draw (78 % of them at a 5 Hz base) from falling silent in
// every presentation, a rate cue STDP would otherwise pick up.
const (
	Afferents        = 2000
	PatternAfferents = 1000 // afferents 0..999 take part in the pattern
	RateHz           = 10
	SpontaneousHz    = 5  // of RateHz, fresh even in the pattern
	Window           = 50 // steps: the pattern's length and the window grid
	Jitter           = 1  // steps a pattern spike moves, at most, per presentation
	// The experiment: 400 windows of 50 ms, 20 s.
	Windows = 400
	Steps   = Windows * Window
)

// Schedule is the stimulus of one seed.
type Schedule struct {
	Windows int // number of windows
	// Pattern[j] are the offsets (0..Window−1) of afferent j's spikes in
	// the frozen pattern, j < PatternAfferents.
	Pattern [][]int32
	// Onsets are the first steps of the pattern windows, in order.
	Onsets []int32
	// Spikes are the afferents' spikes, sorted by step, then afferent.
	Spikes []Spike
}

// Spike is one afferent spike at a step (1-based, as in the raster file).
type Spike struct {
	Step     int32
	Afferent int32
}

// NewSchedule draws the stimulus of seed over a number of windows: the
// pattern, which windows hold it, and every spike. The experiment is
// NewSchedule(Seed, Windows); a longer schedule starts with the same
// windows as a shorter one.
func NewSchedule(seed uint64, windows int) Schedule {
	pat := rand.New(rand.NewPCG(seed, 1))   // the frozen pattern
	sched := rand.New(rand.NewPCG(seed, 2)) // which windows hold it
	noise := rand.New(rand.NewPCG(seed, 3)) // fresh Poisson spikes
	jit := rand.New(rand.NewPCG(seed, 4))   // the jitter of each presentation
	p := float64(RateHz) / 1000
	pBase := float64(RateHz-SpontaneousHz) / 1000
	pSpont := float64(SpontaneousHz) / 1000

	s := Schedule{Windows: windows, Pattern: make([][]int32, PatternAfferents)}
	for j := range s.Pattern {
		for t := int32(0); t < Window; t++ {
			if pat.Float64() < pBase {
				s.Pattern[j] = append(s.Pattern[j], t)
			}
		}
	}
	prev := true // the first window is noise
	for w := int32(0); w < int32(windows); w++ {
		start := w*Window + 1
		is := !prev && sched.IntN(3) == 0
		prev = is
		if is {
			s.Onsets = append(s.Onsets, start)
		}
		for t := start; t < start+Window; t++ {
			for j := int32(0); j < Afferents; j++ {
				q := p
				if is && j < PatternAfferents {
					q = pSpont
				}
				if noise.Float64() < q {
					s.Spikes = append(s.Spikes, Spike{t, j})
				}
			}
		}
		if is {
			for j, offs := range s.Pattern {
				for _, o := range offs {
					t := start + o + int32(jit.IntN(2*Jitter+1)) - Jitter
					s.Spikes = append(s.Spikes, Spike{max(t, 1), int32(j)})
				}
			}
		}
	}
	slices.SortFunc(s.Spikes, func(a, b Spike) int {
		if a.Step != b.Step {
			return int(a.Step - b.Step)
		}
		return int(a.Afferent - b.Afferent)
	})
	// A pattern spike can land on a spontaneous spike of the same afferent
	// (or, jittered past the window's edge, on a noise spike): keep one.
	s.Spikes = slices.Compact(s.Spikes)
	return s
}

// PatternSpikes is the number of spikes in the frozen pattern.
func (s Schedule) PatternSpikes() int {
	n := 0
	for _, offs := range s.Pattern {
		n += len(offs)
	}
	return n
}

// WriteRaster writes the spikes as the raster CSV the network file reads
// (step,index).
func (s Schedule) WriteRaster(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "step,index")
	for _, sp := range s.Spikes {
		fmt.Fprintf(bw, "%d,%d\n", sp.Step, sp.Afferent)
	}
	return bw.Flush()
}
