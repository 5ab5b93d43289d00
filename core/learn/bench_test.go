package learn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const benchPre, benchPost = 1024, 256

func benchEngine(tb testing.TB, rule string, tEpoch int) *Engine {
	tb.Helper()
	p := DefaultParams()
	p.Rule = MustParseRule(rule)
	p.TEpoch = tEpoch
	p.X1, p.X2 = Trace{Impulse: 16.5, Tau: 8}, Trace{Impulse: 8, Tau: 30}
	p.Y1, p.Y2, p.Y3 = Trace{Impulse: 16.25, Tau: 8}, Trace{Impulse: 8, Tau: 30}, Trace{Impulse: 4, Tau: 3}
	w := make([]int32, benchPre*benchPost)
	for n := range w {
		w[n] = int32(n%251) - 125
	}
	e, err := New(p, benchPre, benchPost, w, NewSeededRounder(1))
	require.NoError(tb, err)
	return e
}

// runEpoch drives one epoch: every post neuron spikes (so every synapse is
// evaluated) and every eighth input spikes.
func runEpoch(e *Engine, step *int) {
	for s := 0; s < e.p.TEpoch; s++ {
		*step++
		for j := *step % 8; j < e.numPre; j += 8 {
			e.PreSpike(*step, j)
		}
		if s == 0 {
			for i := range e.numPost {
				e.PostSpike(*step, i)
			}
		}
		e.EndStep(*step)
	}
}

// BenchmarkLearningPhase measures synapse updates per second of the
// learning phase with every synapse evaluated.
func BenchmarkLearningPhase(b *testing.B) {
	for _, bc := range []struct {
		name   string
		rule   string
		tEpoch int
	}{
		{"pair", PairSTDP, 1},
		{"multiplicative", MultiplicativeSTDP, 1},
		{"triplet", TripletSTDP, 1},
		{"pair-epoch8", PairSTDP, 8},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := benchEngine(b, bc.rule, bc.tEpoch)
			step := 0
			runEpoch(e, &step)
			start := e.Updates()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				runEpoch(e, &step)
			}
			b.StopTimer()
			n := float64(e.Updates() - start)
			b.ReportMetric(n/b.Elapsed().Seconds(), "syn-updates/s")
			b.ReportMetric(n/float64(b.N), "syn-updates/op")
		})
	}
}

// BenchmarkSparseEpoch: one input in 64 spikes and no post neuron does, so
// only their columns are evaluated.
func BenchmarkSparseEpoch(b *testing.B) {
	e := benchEngine(b, PairSTDP, 1)
	step := 0
	start := e.Updates()
	b.ReportAllocs()
	for b.Loop() {
		step++
		for j := step % 64; j < e.numPre; j += 64 {
			e.PreSpike(step, j)
		}
		e.EndStep(step)
	}
	b.ReportMetric(float64(e.Updates()-start)/b.Elapsed().Seconds(), "syn-updates/s")
}

func TestLearningPhaseAllocatesNothing(t *testing.T) {
	e := benchEngine(t, TripletSTDP, 4)
	step := 0
	runEpoch(e, &step)
	allocs := testing.AllocsPerRun(5, func() { runEpoch(e, &step) })
	assert.Zero(t, allocs)
}
