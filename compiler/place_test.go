package compiler

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// scrambledChain is a chain of n populations whose file order is shuffled
// (population k feeds population (k·5) mod n), so in-order placement puts
// neighbours in the chain far apart on the mesh.
func scrambledChain(n int) string {
	var b strings.Builder
	b.WriteString(header + "inputs:\n  - {name: in, size: 8, poisson: {rate_hz: 300, seed: 1}}\npopulations:\n")
	for k := 0; k < n; k++ {
		fmt.Fprintf(&b, "  - {name: p%d, size: 8, neuron: {du: 4095, dv: 1000, vth: 60}}\n", k)
	}
	b.WriteString("projections:\n  - {pre: in, post: p0, connectivity: one_to_one, weight: 200}\n")
	prev := 0
	for i := 1; i < n; i++ {
		next := (i * 5) % n
		fmt.Fprintf(&b, "  - {pre: p%d, post: p%d, connectivity: all_to_all, weight: 120}\n", prev, next)
		prev = next
	}
	b.WriteString("probes:\n  - {population: in, record: [spikes]}\n")
	for k := 0; k < n; k++ {
		fmt.Fprintf(&b, "  - {population: p%d, record: [spikes]}\n", k)
	}
	return b.String()
}

func TestPlacementBeatsInOrder(t *testing.T) {
	g, err := netfile.Parse("chain.yaml", []byte(scrambledChain(24)))
	require.NoError(t, err)
	spec := preset.Loihi()
	_, naive, err := CompileWith(g, spec, Options{Placement: PlaceInOrder})
	require.NoError(t, err)
	assert.Equal(t, naive.NaiveHopTraffic, naive.HopTraffic)
	_, greedy, err := CompileWith(g, spec, Options{Placement: PlaceGreedy})
	require.NoError(t, err)
	img1, ann, err := CompileWith(g, spec, Options{Placement: PlaceAnneal, Seed: 3})
	require.NoError(t, err)
	t.Logf("hop traffic: in-order %.0f, greedy %.0f, anneal %.0f", naive.HopTraffic, greedy.HopTraffic, ann.HopTraffic)
	assert.LessOrEqual(t, greedy.HopTraffic, naive.HopTraffic)
	assert.LessOrEqual(t, ann.HopTraffic, greedy.HopTraffic)
	assert.LessOrEqual(t, ann.HopTraffic, 0.6*naive.HopTraffic)

	img2, _, err := CompileWith(g, spec, Options{Placement: PlaceAnneal, Seed: 3})
	require.NoError(t, err)
	assert.Equal(t, img1, img2, "same seed, same placement")

	_, _, err = CompileWith(g, spec, Options{Placement: "random"})
	assert.ErrorContains(t, err, `unknown placement "random"`)
}

// With the rates measured in a run, the predicted hop traffic is exactly
// the hops the chip then counts.
func TestPredictedHopsMatchMeasured(t *testing.T) {
	g, err := netfile.Parse("chain.yaml", []byte(scrambledChain(12)))
	require.NoError(t, err)
	spec := preset.Loihi()
	const steps = 200
	run := func(opts Options) (Stats, chip.Report, map[string][]float64) {
		img, st, err := CompileWith(g, spec, opts)
		require.NoError(t, err)
		c, err := chip.New(img)
		require.NoError(t, err)
		res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: 9})
		require.NoError(t, err)
		return st, res.Report, res.Rates()
	}
	_, first, rates := run(Options{Placement: PlaceInOrder})
	require.Greater(t, first.Ops.Spikes, uint64(100), "the chain must be active")
	st, rep, rates2 := run(Options{Rates: rates, Seed: 1})
	assert.Equal(t, rates, rates2, "placement does not change what the network computes")
	measured := float64(rep.Ops.HopsEW + rep.Ops.HopsNS)
	assert.InDelta(t, measured, st.HopTraffic*steps, 1e-6*measured+1e-9)
	assert.Less(t, measured, float64(first.Ops.HopsEW+first.Ops.HopsNS))
}
