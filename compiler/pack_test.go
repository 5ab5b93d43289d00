package compiler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// chain is n populations of 3 neurons in a one-to-one chain, driven by a
// raster; population p0's neurons have a refractory period (a different
// model, so p0 may not share a core with the others).
func chain(n int) string {
	var b strings.Builder
	b.WriteString(header + "inputs:\n  - {name: in, size: 3, raster: {spikes: [[1, 0], [2, 1], [3, 2], [5, 0]]}}\npopulations:\n")
	for k := 0; k < n; k++ {
		extra := ""
		if k == 0 {
			extra = ", refractory_steps: 2"
		}
		fmt.Fprintf(&b, "  - {name: p%d, size: 3, neuron: {du: 4095, dv: 4095, vth: 10%s}}\n", k, extra)
	}
	b.WriteString("projections:\n  - {pre: in, post: p0, connectivity: one_to_one, weight: 100}\n")
	for k := 1; k < n; k++ {
		fmt.Fprintf(&b, "  - {pre: p%d, post: p%d, connectivity: one_to_one, weight: 100}\n", k-1, k)
	}
	b.WriteString("probes:\n")
	for k := 0; k < n; k++ {
		fmt.Fprintf(&b, "  - {population: p%d, record: [spikes]}\n", k)
	}
	return b.String()
}

// Packing fits ten small populations on the 4-core test chip, and the
// packed chip computes exactly what an unpacked one does.
func TestPackSmallPopulations(t *testing.T) {
	g, err := netfile.Parse("chain.yaml", []byte(chain(10)))
	require.NoError(t, err)
	_, _, err = CompileWith(g, preset.Small(), Options{})
	assert.ErrorContains(t, err, "network needs 10 cores, preset small has 4")

	packed, st, err := CompileWith(g, preset.Small(), Options{Pack: true})
	require.NoError(t, err)
	// 16-neuron cores: p0 (its own model) alone, the other nine 5 + 4.
	assert.Equal(t, 3, st.CoresUsed)
	for _, c := range packed.Cores {
		assert.LessOrEqual(t, c.NumNeurons(), 16)
	}
	for _, p := range packed.Populations {
		if p.Name == "p0" {
			for _, c := range packed.Cores {
				if c.ID == p.Slices[0].Core {
					assert.Equal(t, 3, c.NumNeurons(), "p0 has a model of its own")
				}
			}
		}
	}
	plain, _, err := CompileWith(g, preset.Loihi(), Options{})
	require.NoError(t, err)

	spikes := func(img *image.Image) []string {
		c, err := chip.New(img)
		require.NoError(t, err)
		res, err := c.Run(context.Background(), chip.Options{Steps: 20})
		require.NoError(t, err)
		var out []string
		for _, s := range res.Spikes {
			out = append(out, fmt.Sprintf("%d %s %d", s.Step, res.Populations[s.Population], s.Neuron))
		}
		return out
	}
	// Spikes are recorded in core order within a step, and the cores
	// differ: compare the sets.
	a, b := spikes(packed), spikes(plain)
	slices.Sort(a)
	slices.Sort(b)
	require.Greater(t, len(a), 20, "the chain must carry spikes")
	assert.Equal(t, b, a)
}
