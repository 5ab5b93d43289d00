package compiler

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
)

// The truenorth preset enforces TrueNorth's crossbar limits.
func TestTrueNorthLimits(t *testing.T) {
	pop := func(name string, size int) string {
		return "  - {name: " + name + ", size: " + strconv.Itoa(size) + ", neuron: {du: 4095, dv: 0, vth: 10}}\n"
	}
	proj := func(pre, post string, w int) string {
		return "  - {pre: " + pre + ", post: " + post + ", connectivity: one_to_one, weight: " + strconv.Itoa(w) + "}\n"
	}
	tests := []struct {
		name, net string
		want      string
	}{
		{"five source populations", header + "populations:\n" + pop("a", 4) + pop("b", 4) + pop("c", 4) + pop("d", 4) +
			pop("e", 4) + pop("z", 4) + "projections:\n" + proj("a", "z", 1) + proj("b", "z", 1) + proj("c", "z", 1) +
			proj("d", "z", 1) + proj("e", "z", 1),
			"population z: receives synapses from 5 populations, but weights on preset truenorth come from 4 axon types"},
		{"two weights from one type", header + "populations:\n" + pop("a", 2) + pop("z", 2) + "projections:\n" +
			"  - {pre: a, post: z, connectivity: {list: [[0, 0, 5], [1, 0, 6]]}}\n",
			"population z: neuron 0 receives weights 5 and 6 from population a"},
		{"fan-out to two cores", header + "populations:\n" + pop("a", 1) + pop("z", 300) + "projections:\n" +
			"  - {pre: a, post: z, connectivity: all_to_all, weight: 1}\n",
			"population a: neuron 0 sends to 2 cores, a neuron of preset truenorth reaches at most 1"},
		{"delay 15 ticks is our 14", header + "populations:\n" + pop("a", 1) + "projections:\n" +
			"  - {pre: a, post: a, connectivity: one_to_one, weight: 1, delay: 15}\n",
			"delays outside 0..14 (preset truenorth)"},
		{"no graded spikes", header + "populations:\n  - {name: g, size: 1, neuron: {du: 4095, dv: 0, vth: 10, graded_bits: 4}}\n",
			`population g: graded spikes of 4 bits, but the packets of preset truenorth (format "truenorth") carry at most 0 payload bits (packet.payload_bits)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := compileText(t, preset.TrueNorth(), tc.net)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// On truenorth a step lasts one 1 kHz tick, a synaptic event costs 26 pJ
// and a hop 2.3 pJ.
func TestTrueNorthRun(t *testing.T) {
	img, stats, err := compileText(t, preset.TrueNorth(), header+`inputs:
  - {name: in, size: 256, raster: {spikes: [[1, 0], [1, 1], [2, 7]]}}
populations:
  - {name: a, size: 256, neuron: {du: 4095, dv: 0, vth: 1000}}
  - {name: b, size: 256, neuron: {du: 4095, dv: 0, vth: 1000}}
projections:
  - {pre: in, post: a, connectivity: one_to_one, weight: 3}
  - {pre: a, post: b, connectivity: one_to_one, weight: 3}
`)
	require.NoError(t, err)
	assert.Equal(t, 2, stats.CoresUsed)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 3})
	require.NoError(t, err)
	rep := res.Report
	assert.Equal(t, []int64{1e9, 1e9, 1e9}, rep.StepTimePS)
	assert.Equal(t, uint64(3), rep.Ops.SynOps)
	assert.Equal(t, uint64(3*26_000), rep.Energy.SynOpFJ)
	// Inputs enter at tile (0,0), where a sits: no hop.
	assert.Zero(t, rep.Ops.HopsEW)
}
