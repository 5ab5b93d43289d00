package compiler

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/core/learn"
)

// Seeded random initial weights reach static synapses and plastic groups
// alike, stay in range and are fixed by the seed.
func TestWeightInit(t *testing.T) {
	build := func(seed uint64, plastic bool) *graph.Graph {
		g, err := netfile.Parse("w.yaml", []byte(header+`inputs:
  - {name: in, size: 50, raster: {spikes: [[1, 0]]}}
populations:
  - {name: a, size: 4, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: in, post: a, connectivity: all_to_all, weight: 1}
`))
		require.NoError(t, err)
		g.Projections[0].WeightInit = &graph.WeightInit{Lo: 10, Hi: 200, Seed: seed}
		if plastic {
			g.Projections[0].Plasticity = &graph.Plasticity{Rule: learn.PairSTDP, TEpoch: 1,
				SignMode: learn.Excitatory, NumWeightBits: 8}
		}
		return g
	}
	weights := func(seed uint64, plastic bool) []int32 {
		img, _, err := Compile(build(seed, plastic), preset.Loihi())
		require.NoError(t, err)
		require.Len(t, img.Cores, 1)
		if plastic {
			return img.Cores[0].Plastic[0].Weights
		}
		return img.Cores[0].SynWeight
	}
	for _, plastic := range []bool{false, true} {
		w1, w2, w3 := weights(1, plastic), weights(1, plastic), weights(2, plastic)
		require.Len(t, w1, 200)
		assert.Equal(t, w1, w2)
		assert.NotEqual(t, w1, w3)
		distinct := map[int32]bool{}
		for _, w := range w1 {
			assert.GreaterOrEqual(t, w, int32(10))
			assert.LessOrEqual(t, w, int32(200))
			distinct[w] = true
		}
		assert.Greater(t, len(distinct), 50, "drawn, not constant")
	}
}
