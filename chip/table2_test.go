package chip_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/router"
)

// micro is a hand-built image: one single-neuron core per entry of cores,
// each neuron with the given bias (a large bias fires every step) and a
// route to the next core in the list when route is set; optionally a raster
// input spike in step 1 to the first core.
type microCore struct {
	id    int32
	bias  int32
	route bool
}

func microImage(spec preset.Spec, input bool, cores ...microCore) *image.Image {
	img := &image.Image{Name: "micro", Preset: spec, DtPS: 1_000_000_000}
	for i, mc := range cores {
		c := image.Core{ID: mc.id, Used: true,
			Du: []int32{4095}, Dv: []int32{4095}, Vth: []int32{100}, BiasMant: []int32{mc.bias},
			BiasExp: []int32{0}, UInit: []int32{0}, VInit: []int32{0}, WeightExp: []int32{0},
			AxonStart: []uint32{0}, RouteStart: []uint32{0, 0}}
		// Every core but the first has one axon with one synapse (weight 1:
		// never enough to fire).
		if i > 0 || input {
			c.AxonStart = []uint32{0, 1}
			c.SynNeuron, c.SynWeight, c.SynDelay, c.SynClass = []uint32{0}, []int32{1}, []uint8{0}, []uint8{0}
		}
		if mc.route {
			c.RouteStart = []uint32{0, 1}
			c.RouteCore, c.RouteAxon = []uint32{uint32(cores[i+1].id)}, []uint32{0}
		}
		img.Cores = append(img.Cores, c)
		img.Populations = append(img.Populations, image.Population{Name: string(rune('a' + i)), Size: 1,
			Slices: []image.Slice{{Core: mc.id, Count: 1}}})
	}
	if input {
		img.Populations = append(img.Populations, image.Population{Name: "in", Size: 1, IsInput: true})
		img.Inputs = []image.Input{{Population: "in", Size: 1, Kind: image.InputRaster,
			Spikes: []image.Spike{{Step: 1, Index: 0}}, RouteStart: []uint32{0, 1},
			RouteCore: []uint32{uint32(cores[0].id)}, RouteAxon: []uint32{0}}}
	}
	return img
}

// reportOf runs img for steps and reads report.json back.
func reportOf(t *testing.T, img *image.Image, steps int) chip.Report {
	t.Helper()
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: 1})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.WriteReport(&buf))
	var rep chip.Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rep))
	return rep
}

// TestLoihiTable2 reproduces each per-op figure of Davies et al. (2018),
// Table 2, by running the smallest network that performs the op once, and
// reading energy (to the femtojoule) and latency back from report.json.
func TestLoihiTable2(t *testing.T) {
	spec := preset.Loihi()
	const big = 8000 // a bias that fires every step: 8000 > vth<<6 = 6400
	// Loihi's 4 cores per tile: core 0 and 1 share tile (0,0); core 4 is
	// tile (1,0), one hop east; core 32 is tile (0,1), one hop north.
	barrier1 := spec.Barrier.LatencyPS(1)
	barrier2 := spec.Barrier.LatencyPS(2)

	t.Run("inactive neuron update: 52 pJ, 5.3 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, false, microCore{id: 0}), 1)
		assert.Equal(t, uint64(52_000), rep.Energy.NeuronInactiveFJ)
		assert.Equal(t, uint64(52_000), rep.Energy.DynamicFJ)
		assert.Equal(t, int64(5_300)+barrier1, rep.StepTimePS[0])
	})
	t.Run("active neuron update: 81 pJ, 8.4 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, false, microCore{id: 0, bias: 1}), 1)
		assert.Equal(t, uint64(81_000), rep.Energy.NeuronActiveFJ)
		assert.Equal(t, uint64(81_000), rep.Energy.DynamicFJ)
		assert.Equal(t, int64(8_400)+barrier1, rep.StepTimePS[0])
	})
	t.Run("synaptic op: 23.6 pJ, 3.5 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, true, microCore{id: 0}), 1)
		assert.Equal(t, uint64(1), rep.Ops.SynOps)
		assert.Equal(t, uint64(23_600), rep.Energy.SynOpFJ)
		assert.Equal(t, uint64(23_600+52_000), rep.Energy.DynamicFJ)
		// The input reaches core 0 at once (host port on its tile) and waits
		// for the sweep.
		assert.Equal(t, int64(5_300+3_500)+barrier1, rep.StepTimePS[0])
	})
	t.Run("within-tile spike: 1.7 pJ, 2.1 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, false, microCore{id: 0, bias: big, route: true}, microCore{id: 1}), 1)
		assert.Equal(t, uint64(1), rep.Ops.SpikesOut)
		assert.Equal(t, uint64(1_700), rep.Energy.SpikeOutFJ)
		assert.Zero(t, rep.Ops.HopsEW+rep.Ops.HopsNS)
		// Core 0's neuron fires at 8.4 ns, the packet reaches core 1 2.1 ns
		// later, after core 1's sweep (5.3 ns): one synaptic op.
		assert.Equal(t, int64(8_400+2_100+3_500)+barrier1, rep.StepTimePS[0])
	})
	t.Run("hop east-west: 3.0 pJ, 4.1 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, false, microCore{id: 0, bias: big, route: true}, microCore{id: 4}), 1)
		assert.Equal(t, uint64(1), rep.Ops.HopsEW)
		assert.Equal(t, uint64(3_000), rep.Energy.HopEWFJ)
		assert.Zero(t, rep.Energy.HopNSFJ)
		assert.Equal(t, int64(8_400+2_100+4_100+3_500)+barrier2, rep.StepTimePS[0])
	})
	t.Run("hop north-south: 4.0 pJ, 6.5 ns", func(t *testing.T) {
		rep := reportOf(t, microImage(spec, false, microCore{id: 0, bias: big, route: true}, microCore{id: 32}), 1)
		assert.Equal(t, uint64(1), rep.Ops.HopsNS)
		assert.Equal(t, uint64(4_000), rep.Energy.HopNSFJ)
		assert.Zero(t, rep.Energy.HopEWFJ)
		assert.Equal(t, int64(8_400+2_100+6_500+3_500)+barrier2, rep.StepTimePS[0])
	})
	t.Run("barrier: 113 ns at 1 tile, 465 ns at 32 tiles", func(t *testing.T) {
		assert.Equal(t, int64(113_000), barrier1)
		var cores []microCore
		for tile := int32(0); tile < 32; tile++ {
			cores = append(cores, microCore{id: tile * 4})
		}
		rep := reportOf(t, microImage(spec, false, cores...), 1)
		assert.Equal(t, int64(5_300+465_000), rep.StepTimePS[0])
	})
	t.Run("static power over hardware time", func(t *testing.T) {
		s := spec
		s.StaticPowerNW = 1_000 // 1 µW: 1 fJ per ns
		rep := reportOf(t, microImage(s, false, microCore{id: 0}), 3)
		assert.Equal(t, uint64(rep.HardwareTimePS/1000), rep.Energy.StaticFJ)
		assert.Equal(t, rep.Energy.DynamicFJ+rep.Energy.StaticFJ, rep.Energy.TotalFJ)
	})
}

// On a board of two Loihi chips side by side, a hop across the chip edge
// takes the chip-to-chip link and is charged its cost.
func TestBoardChipToChipLink(t *testing.T) {
	spec := preset.Loihi()
	spec.Mesh.Width = 16 // two 8×4 chips
	spec.Mesh.ChipWidth, spec.Mesh.ChipHeight = 8, 4
	spec.Mesh.ChipLink = router.HopCost{EnergyFJ: 20_000, LatencyPS: 20_000}
	require.NoError(t, spec.Validate())
	// Core 0 at tile (0, 0) sends to core 32 at tile (8, 0), on the second
	// chip: 7 hops east on chip 0, then the link from tile (7, 0) to (8, 0).
	rep := reportOf(t, microImage(spec, false, microCore{id: 0, bias: 8000, route: true}, microCore{id: 32}), 1)
	assert.Equal(t, uint64(7), rep.Ops.HopsEW)
	assert.Equal(t, uint64(1), rep.Ops.ChipHops)
	assert.Equal(t, uint64(20_000), rep.Energy.ChipFJ)
	assert.Equal(t, 7*spec.Mesh.Router.HopEW.EnergyFJ, rep.Energy.HopEWFJ)
	assert.Equal(t, int64(8_400+2_100+7*4_100+20_000+3_500)+spec.Barrier.LatencyPS(2), rep.StepTimePS[0])

	bad := spec
	bad.Mesh.ChipWidth = 5
	assert.ErrorContains(t, bad.Validate(), "not a whole number of 5×4 chips")

	// The cycle-accurate mesh takes the same path over the same link.
	cyc := spec
	cyc.MeshModel = preset.MeshCycle
	require.NoError(t, cyc.Validate())
	rc := reportOf(t, microImage(cyc, false, microCore{id: 0, bias: 8000, route: true}, microCore{id: 32}), 1)
	assert.Equal(t, rep.Ops.HopsEW, rc.Ops.HopsEW)
	assert.Equal(t, rep.Ops.ChipHops, rc.Ops.ChipHops)
	assert.Equal(t, rep.Energy.ChipFJ+rep.Energy.HopEWFJ, rc.Energy.ChipFJ+rc.Energy.HopEWFJ)
	var chipLinks int
	for _, l := range rc.Links {
		if l.EnergyFJ == spec.Mesh.ChipLink.EnergyFJ*l.Flits && l.Flits > 0 && l.Tile == [2]int{7, 0} {
			chipLinks++
			assert.True(t, l.ChipLink, "report marks the chip link")
		} else {
			assert.False(t, l.ChipLink, "%v %s is on a chip", l.Tile, l.Port)
		}
	}
	assert.Equal(t, 1, chipLinks, "the link from tile (7, 0) is the chip link")
	// Crossing the chip link takes longer than a router hop.
	nochip := cyc
	nochip.Mesh.ChipWidth, nochip.Mesh.ChipHeight = 0, 0
	rn := reportOf(t, microImage(nochip, false, microCore{id: 0, bias: 8000, route: true}, microCore{id: 32}), 1)
	assert.Greater(t, rc.StepTimePS[0], rn.StepTimePS[0])
}
