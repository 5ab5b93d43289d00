package stdpbimodal

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// Sample is the weight histogram every this many steps (10 s).
const Sample = 10_000

// The network is the experiment of the README: 1000 Poisson inputs at
// 15 Hz in ten groups whose initial weights spread evenly over 0..255, one
// neuron, the same STDP rule on every synapse with A− = 1.05·A+.
func TestNetwork(t *testing.T) {
	g, err := netfile.Parse(File, Network)
	require.NoError(t, err)
	inputs, synapses := 0, 0
	var rule *graph.Plasticity
	for _, p := range g.Populations {
		if p.IsInput() {
			inputs += p.Size
			assert.Equal(t, graph.InputPoisson, p.Input.Kind, p.Name)
			assert.InDelta(t, 15, p.Input.RateHz, 1e-9, p.Name)
		}
	}
	for k, pr := range g.Projections {
		require.NotNil(t, pr.Plasticity, pr.Name)
		if rule == nil {
			rule = pr.Plasticity
		}
		assert.Equal(t, *rule, *pr.Plasticity, "%s has the same plasticity as the others", pr.Name)
		assert.Equal(t, int32((2*k+1)*(MaxWeight+1)/(2*len(g.Projections))), pr.Weight,
			"%s starts in the middle of the %d-th tenth of the range", pr.Name, k)
		synapses += g.Population(pr.Pre).Size
	}
	assert.Equal(t, 1000, inputs)
	assert.Equal(t, 1000, synapses)
	x1, y1 := rule.Traces[0], rule.Traces[2]
	assert.Equal(t, 20.0, x1.Tau)
	assert.Equal(t, 20.0, y1.Tau)
	assert.InDelta(t, 1.05, y1.Impulse/x1.Impulse, 1e-9, "A− = 1.05·A+ (integer impulses: no rounding bias)")
}

// Result is the experiment's outcome.
type Result struct {
	Hist   map[int32][Bins]int // sample step → weight histogram
	Rates  []float64           // output rate (Hz) in each 10 s window
	CV     float64             // of the output's inter-spike intervals, last 50 s
	Report chip.Report
}

// Run compiles and runs the experiment on the loihi preset.
func Run(t testing.TB, steps int) Result {
	img, _, err := compiler.CompileFile("net.yaml", preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: Seed, WeightsEvery: Sample})
	require.NoError(t, err)
	var spikes []int32
	for _, s := range res.Spikes {
		if res.Populations[s.Population] == "out" {
			spikes = append(spikes, s.Step)
		}
	}
	byStep := map[int32][]int32{}
	for _, w := range res.Weights {
		byStep[w.Step] = append(byStep[w.Step], w.Weight)
	}
	out := Result{Hist: map[int32][Bins]int{}, Rates: Rates(spikes, steps, Sample),
		CV: CV(spikes, int32(steps/2)+1, int32(steps)), Report: res.Report}
	for s, ws := range byStep {
		require.Len(t, ws, 1000, "step %d", s)
		out.Hist[s] = Histogram(ws)
	}
	return out
}

// STDP splits the synapses into strong and weak ones and lowers the output
// rate. The full 100 s experiment takes a couple of seconds, so the test
// runs all of it.
func TestBimodal(t *testing.T) {
	r := Run(t, Steps)
	t.Logf("output rate per 10 s (Hz): %.1f; CV of the inter-spike intervals over the last 50 s: %.2f", r.Rates, r.CV)
	for s := int32(Sample); s <= Steps; s += Sample {
		sh := ShapeOf(r.Hist[s])
		t.Logf("%3d s: %v  low %.3f  middle %.3f  high %.3f", s/1000, r.Hist[s], sh.Low, sh.Middle, sh.High)
	}
	t.Logf("%d synapse updates, %.1f µJ learning energy", r.Report.Ops.SynUpdates, float64(r.Report.Energy.SynUpdateFJ)/1e9)

	// Start: 100 synapses per bin, so low = middle = high = 0.2.
	first, final := ShapeOf(r.Hist[Sample]), ShapeOf(r.Hist[Steps])
	h := r.Hist[Steps]

	// Seed 1 measured: low 0.324, middle 0.106, high 0.288 at 100 s.
	assert.Greater(t, final.Low+final.High, 0.5, "most weights near 0 or near the top")
	assert.Greater(t, final.Low, 0.25, "a mode near 0")
	assert.Greater(t, final.High, 0.2, "a mode near the top")
	assert.Less(t, final.Middle, 0.15, "a hollow middle (0.2 at the start)")
	assert.Greater(t, min(h[0], h[Bins-1]), 2*max(h[4], h[5]), "both end bins hold over twice any middle bin")
	// The trend: the ends fill and the middle empties over the run
	// (measured 0.467 → 0.612 and 0.177 → 0.106 from 10 s to 100 s).
	assert.Greater(t, final.Low+final.High, first.Low+first.High+0.08)
	assert.Less(t, final.Middle, first.Middle-0.04)

	// The output rate falls as STDP thins the drive, and settles
	// (measured 47.5 Hz in the first 10 s, 22–29 Hz from 60 s on).
	last := r.Rates[len(r.Rates)-1]
	assert.Greater(t, r.Rates[0], 1.3*last, "the rate falls from its start")
	for _, x := range r.Rates[6:] {
		assert.InDelta(t, 26, x, 12, "the rate stays in a moderate band")
	}
	// Fluctuation-driven: irregular output (measured CV 1.32).
	assert.Greater(t, r.CV, 0.8, "irregular firing")
}
