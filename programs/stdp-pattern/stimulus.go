package stdppattern

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Trial timing: one pattern per trial, its spikes in the trial's first
// step; the trial lasts TrialSteps steps so that traces and the output's
// response of one trial do not reach the next.
const (
	Bits       = 5
	TrialSteps = 10
	Target     = 0b10101 // the pattern [1, 0, 1, 0, 1] (bit i = input i)
	// Trials: every non-zero pattern once (before), Training trials with
	// the target half of the time, every pattern once again (after).
	Training = 600
)

// Trial is one presentation: a pattern in steps [Start, Start+TrialSteps).
type Trial struct {
	Start   int32
	Pattern int
	Phase   string // "before", "train" or "after"
}

// Schedule is the fixed, seeded sequence of trials of the experiment.
func Schedule(seed uint64) []Trial {
	rng := rand.New(rand.NewPCG(seed, 5))
	var out []Trial
	add := func(p int, phase string) {
		out = append(out, Trial{Start: int32(len(out)*TrialSteps + 1), Pattern: p, Phase: phase})
	}
	for p := 1; p < 1<<Bits; p++ {
		add(p, "before")
	}
	for i := 0; i < Training; i++ {
		p := Target
		if rng.IntN(2) == 1 {
			for p == Target {
				p = 1 + rng.IntN(1<<Bits-1)
			}
		}
		add(p, "train")
	}
	for p := 1; p < 1<<Bits; p++ {
		add(p, "after")
	}
	return out
}

// Steps is the number of steps the schedule needs.
func Steps(trials []Trial) int { return len(trials) * TrialSteps }

// WriteRaster writes the input spikes of the schedule as the raster CSV
// the network file reads (step,index).
func WriteRaster(w io.Writer, trials []Trial) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "step,index")
	for _, tr := range trials {
		for b := 0; b < Bits; b++ {
			if tr.Pattern&(1<<b) != 0 {
				fmt.Fprintf(bw, "%d,%d\n", tr.Start, b)
			}
		}
	}
	return bw.Flush()
}

// PatternString renders a pattern as [1, 0, 1, 0, 1].
func PatternString(p int) string {
	s := "["
	for b := 0; b < Bits; b++ {
		if b > 0 {
			s += ", "
		}
		s += fmt.Sprint(p >> b & 1)
	}
	return s + "]"
}
