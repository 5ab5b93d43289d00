package stdppattern

import (
	"bytes"
	"context"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/tools/golden"
)

var update = flag.Bool("update", false, "rewrite stim.csv from the schedule")

// stim.csv is exactly the seeded schedule.
func TestStimulusUpToDate(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteRaster(&buf, Schedule(Seed)))
	golden.Check(t, "stim.csv", buf.Bytes(), *update, "./programs/stdp-pattern")
}

// Result is the experiment's outcome.
type Result struct {
	Before, After map[int]bool // pattern → did the output fire in its trial
	Weights       []chip.WeightRecord
	Report        chip.Report
}

// Run compiles and runs the experiment on the loihi preset.
func Run(t testing.TB) Result {
	img, _, err := compiler.CompileFile("net.yaml", preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	trials := Schedule(Seed)
	res, err := c.Run(context.Background(), chip.Options{Steps: Steps(trials), Seed: 1, WeightsEvery: 500})
	require.NoError(t, err)
	fired := map[int32]bool{}
	for _, s := range res.Spikes {
		if res.Populations[s.Population] == "out" {
			fired[s.Step] = true
		}
	}
	out := Result{Before: map[int]bool{}, After: map[int]bool{}, Weights: res.Weights, Report: res.Report}
	for _, tr := range trials {
		resp := false
		for s := tr.Start; s < tr.Start+TrialSteps; s++ {
			resp = resp || fired[s]
		}
		switch tr.Phase {
		case "before":
			out.Before[tr.Pattern] = resp
		case "after":
			out.After[tr.Pattern] = resp
		}
	}
	return out
}

// STDP alone turns an output that answers many patterns into one that
// answers the target only.
func TestSelectivity(t *testing.T) {
	r := Run(t)
	nBefore, nAfter := 0, 0
	t.Logf("%-16s %-7s %-7s", "pattern", "before", "after")
	for p := 1; p < 1<<Bits; p++ {
		mark := ""
		if p == Target {
			mark = "  ← target"
		}
		t.Logf("%-16s %-7v %-7v%s", PatternString(p), r.Before[p], r.After[p], mark)
		if r.Before[p] {
			nBefore++
		}
		if r.After[p] {
			nAfter++
		}
	}
	t.Logf("patterns answered: %d of 31 before, %d of 31 after; %d synapse updates, %.1f nJ learning energy",
		nBefore, nAfter, r.Report.Ops.SynUpdates, float64(r.Report.Energy.SynUpdateFJ)/1e6)
	assert.Greater(t, nBefore, 5, "before learning the output answers many patterns")
	assert.True(t, r.After[Target], "after learning the output answers the target")
	assert.Equal(t, 1, nAfter, "and nothing else")
	assert.Positive(t, r.Report.Ops.SynUpdates)

	// Weight change over time: the target's inputs end high, the others low.
	last := map[int32]int32{}
	var lastStep int32
	for _, w := range r.Weights {
		if w.Step >= lastStep {
			lastStep = w.Step
			last[w.Pre] = w.Weight
		}
	}
	for b := int32(0); b < Bits; b++ {
		if Target&(1<<b) != 0 {
			assert.Greater(t, last[b], int32(200), "input %d (in the target)", b)
		} else {
			assert.Less(t, last[b], int32(-100), "input %d (not in the target)", b)
		}
	}
	t.Logf("final weights: %v", last)
}
