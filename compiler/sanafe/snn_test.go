package sanafe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// TestExampleSNN checks example_snn.yaml field by field against what the
// file says.
func TestExampleSNN(t *testing.T) {
	g, m, rep := snn(t, "example_snn.yaml", "example_chip.yaml", sanafe.SNNOptions{})
	assert.Equal(t, "example_snn", g.Name)
	assert.Equal(t, int64(1_000_000_000), g.DtPS)
	require.Len(t, g.Populations, 2)

	// Group in: mapped with soma demo_input (an input model); neuron 1 has
	// spikes [1, 0, 1]: steps 1 and 3.
	in := g.Population("in")
	require.NotNil(t, in)
	require.True(t, in.IsInput())
	assert.Equal(t, 2, in.Size)
	assert.Equal(t, graph.InputRaster, in.Input.Kind)
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 1}, {Step: 3, Index: 1}}, in.Input.Spikes)

	// Group out: 0..1: [soma: {threshold: 2}, …]; no leak given (1.0), no
	// input decay (0.0), no bias.
	out := g.Population("out")
	require.NotNil(t, out)
	require.False(t, out.IsInput())
	assert.Equal(t, 2, out.Size)
	assert.Equal(t, graph.NeuronParams{Model: "if", Du: 4095, Dv: 0, Vth: 2,
		BiasMant: []int32{0, 0}, BiasExp: []int32{0, 0}, UInit: []int32{0, 0}, VInit: []int32{0, 0}}, out.Neuron)

	// out.1 -> out.1: [weight: -4].
	self := projection(t, g, "out->out")
	assert.Equal(t, "out", self.Pre)
	assert.Equal(t, int32(0), self.WeightExp)
	assert.Equal(t, map[[2]int32][2]int32{{1, 1}: {-4, 0}}, pairsOf(t, g, "out->out"))
	// in -> out: dense, weight [-1, 2, 1, 3] indexed source·2 + target.
	assert.Equal(t, map[[2]int32][2]int32{{0, 0}: {-1, 0}, {0, 1}: {2, 0}, {1, 0}: {1, 0}, {1, 1}: {3, 0}},
		pairsOf(t, g, "in->out"))
	assert.Equal(t, graph.List, projection(t, g, "in->out").Conn.Kind)

	// in: [log_spikes: true] but neuron 0 [log_spikes: false]; out logs u
	// and potential, not spikes.
	assert.Equal(t, []graph.Probe{
		{Population: "in", Spikes: true, Neurons: []int32{1}, Pos: in.Pos},
		{Population: "out", U: true, V: true, Pos: out.Pos},
	}, g.Probes)

	// in.0 -> core 0.0, in.1 -> 0.1, out -> 0.0.
	loc, ok := m.Of("in", 1)
	require.True(t, ok)
	assert.Equal(t, sanafe.Location{Tile: 0, Core: 1}, loc)
	assert.Equal(t, map[sanafe.Location]int{{Tile: 0, Core: 0}: 3, {Tile: 0, Core: 1}: 1}, m.Loads())
	assert.Equal(t, 2, m.CoresUsed())
	assert.Equal(t, 1, m.TilesUsed())

	assert.Equal(t, 2, rep.Neurons)
	assert.Equal(t, 2, rep.Inputs)
	assert.Equal(t, 5, rep.Synapses)
	assert.Equal(t, map[string]int{"demo_synapse": 5}, rep.SynapseUnits)
	assert.Equal(t, map[string]int{"demo_soma_default": 2}, rep.SomaUnits)
	assert.Equal(t, map[string]int{"demo_input": 2}, rep.InputUnits)
	assert.Equal(t, sanafe.ArchOptions{Synapse: "demo_synapse", Soma: "demo_soma_default"}, rep.MainUnits())
	assert.Zero(t, rep.Weights.WorstRel)
}

// TestExampleSNNWithoutArch: without the architecture, in.0 (no input
// attributes) is a LIF neuron, so group in splits in two.
func TestExampleSNNWithoutArch(t *testing.T) {
	g, _, rep := snn(t, "example_snn.yaml", "", sanafe.SNNOptions{})
	var names []string
	for _, p := range g.Populations {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"in[0]", "in[1]", "out"}, names)
	assert.True(t, g.Population("in[1]").IsInput())
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "no architecture given")
	assert.Equal(t, map[[2]int32][2]int32{{0, 0}: {1, 0}, {0, 1}: {3, 0}}, pairsOf(t, g, "in[1]->out"))
}

// TestInputNet checks input_net.yaml field by field.
func TestInputNet(t *testing.T) {
	g, m, rep := snn(t, "input_net.yaml", "example_chip.yaml", sanafe.SNNOptions{})
	assert.Equal(t, "example", g.Name)
	in := g.Population("in")
	require.NotNil(t, in)
	require.True(t, in.IsInput())
	// spikes [1,0,0,0], [1,0,0,0], [0,0,0,1].
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 0}, {Step: 1, Index: 1}, {Step: 4, Index: 2}}, in.Input.Spikes)
	// Group 1: threshold 2.0, neurons 0..2 bias 1.0 (1.0 = 64 in v's
	// 6-bit fraction).
	one := g.Population("1")
	require.NotNil(t, one)
	assert.Equal(t, int32(2), one.Neuron.Vth)
	assert.Equal(t, []int32{64, 64, 64}, one.Neuron.BiasMant)
	assert.Equal(t, []int32{0, 0, 0}, one.Neuron.BiasExp)
	// Three neuron-to-neuron edges, one projection.
	require.Len(t, g.Projections, 1)
	assert.Equal(t, map[[2]int32][2]int32{{0, 0}: {-1, 0}, {1, 2}: {-2, 0}, {2, 2}: {3, 0}}, pairsOf(t, g, "in->1"))
	assert.Equal(t, "in.0 -> 1.0 and 2 more neuron-to-neuron edges", rep.Projections[0].Edge)
	// Both groups log spikes.
	require.Len(t, g.Probes, 2)
	assert.True(t, g.Probes[0].Spikes && g.Probes[1].Spikes)
	assert.Nil(t, g.Probes[0].Neurons)
	pm := m.Populations[0]
	assert.Equal(t, "in", pm.Name)
	assert.Equal(t, []int32{0, 0, 0}, pm.Tile)
	assert.Equal(t, []int32{0, 0, 1}, pm.Core)
	assert.Equal(t, []int32{0, 0, 1}, m.Populations[1].Core)
	assert.Equal(t, 6, rep.Mapped)
}

// TestConv checks conv.yaml: a 4×4 input, a 2×2 kernel, stride 1 (3×3
// output), a dense edge and a sparse edge.
func TestConv(t *testing.T) {
	g, m, rep := snn(t, "conv.yaml", "example_chip.yaml", sanafe.SNNOptions{})
	in, hidden, out := g.Population("in"), g.Population("hidden"), g.Population("out")
	require.NotNil(t, in)
	require.NotNil(t, hidden)
	require.NotNil(t, out)
	// in: 16 LIF neurons (no input attributes, the default soma) with
	// threshold 1.0; hidden: 9, threshold 2.0, bias 1.0; out: 1, no
	// threshold given (0).
	assert.False(t, in.IsInput())
	assert.Equal(t, 16, in.Size)
	assert.Equal(t, int32(1), in.Neuron.Vth)
	assert.Equal(t, 9, hidden.Size)
	assert.Equal(t, int32(2), hidden.Neuron.Vth)
	assert.Equal(t, []int32{64, 64, 64, 64, 64, 64, 64, 64, 64}, hidden.Neuron.BiasMant)
	assert.Equal(t, int32(0), out.Neuron.Vth)

	// Conv: weight [0, 1, 2, 3] is [ky][kx]; output (oy, ox) = oy·3+ox
	// reads input (oy+ky)·4 + ox+kx.
	conv := pairsOf(t, g, "in->hidden")
	assert.Len(t, conv, 36)
	for _, c := range []struct{ pre, post, w int32 }{
		{0, 0, 0}, {1, 0, 1}, {4, 0, 2}, {5, 0, 3},
		{5, 4, 0}, {6, 4, 1}, {9, 4, 2}, {10, 4, 3},
		{10, 8, 0}, {11, 8, 1}, {14, 8, 2}, {15, 8, 3},
	} {
		assert.Equal(t, [2]int32{c.w, 0}, conv[[2]int32{c.pre, c.post}], "in.%d -> hidden.%d", c.pre, c.post)
	}
	// Dense hidden -> out: weight i from hidden.i.
	dense := pairsOf(t, g, "hidden->out")
	assert.Len(t, dense, 9)
	for i := int32(0); i < 9; i++ {
		assert.Equal(t, [2]int32{i, 0}, dense[[2]int32{i, 0}])
	}
	// Sparse in -> out: pairs [[0, 0], [4, 0]], weights [1, 2].
	assert.Equal(t, map[[2]int32][2]int32{{0, 0}: {1, 0}, {4, 0}: {2, 0}}, pairsOf(t, g, "in->out"))
	// Zero weights are kept (SANA-FE charges their events): 9 conv taps of
	// weight 0 and hidden.0 -> out.
	assert.Equal(t, 10, rep.ZeroWeights)
	assert.Equal(t, 47, rep.Synapses)
	// The dense edge's delay list has 10 values for 9 synapses.
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "delay has 10 values for 9 synapses")
	assert.Equal(t, map[sanafe.Location]int{{Tile: 0, Core: 0}: 16, {Tile: 0, Core: 1}: 9, {Tile: 0, Core: 2}: 1}, m.Loads())
}

// TestDendriteRejected: dendrite.yaml uses the multi-tap dendrite, which
// Tessera cannot emulate; the error names it, with positions.
func TestDendriteRejected(t *testing.T) {
	for _, withArch := range []bool{false, true} {
		opts := sanafe.SNNOptions{}
		if withArch {
			_, rep := arch(t, "demo_with_dendrites.yaml", sanafe.ArchOptions{})
			opts.Arch = &rep
		}
		_, _, _, err := sanafe.ReadSNN(ref(t, "dendrite.yaml"), opts)
		require.Error(t, err)
		var list graph.ErrorList
		require.ErrorAs(t, err, &list)
		require.NotEmpty(t, list)
		assert.Equal(t, 21, list[0].Pos.Line)
		assert.Equal(t, 31, list[0].Pos.Col)
		assert.Contains(t, list[0].Msg, "attribute taps belongs to SANA-FE's multi-tap dendrite model (taps)")
	}
	// Without the taps attributes, the architecture's taps unit still
	// rejects the neuron.
	_, rep := arch(t, "demo_with_dendrites.yaml", sanafe.ArchOptions{})
	src := `network:
  name: d
  groups:
    - name: inputs
      attributes: {soma_hw_name: dummy_input}
      neurons: [0: {spikes: [1, 0]}]
    - name: dendrite
      neurons: [0: {threshold: 100}]
  edges:
    - inputs.0 -> dendrite.0: {weight: 10}
`
	_, _, _, err := sanafe.ParseSNN("d.yaml", []byte(src), sanafe.SNNOptions{Arch: &rep})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "d.yaml:8:17: group dendrite uses dendrite unit dendrite[0..99], model taps (a multi-tap dendrite), which Tessera does not support")
}

// TestDVS imports the 18 678-neuron, 3.56-million-synapse DVS gesture
// network and checks its shape against the README.
func TestDVS(t *testing.T) {
	t0 := time.Now()
	g, m, rep := snn(t, "dvs.yaml", "loihi.yaml", sanafe.SNNOptions{})
	took := time.Since(t0)
	t.Logf("dvs.yaml imported in %v", took)
	assert.Less(t, took, 10*time.Second, "importing dvs.yaml must take seconds at most")
	// README: 6 layers, 18,678 neurons, 3,564,441 synapses, 49 cores.
	assert.Equal(t, 18678, rep.Neurons)
	assert.Equal(t, 0, rep.Inputs)
	assert.Equal(t, 3564441, rep.Synapses)
	assert.Equal(t, 49, m.CoresUsed())
	assert.Equal(t, 49, rep.CoresUsed)
	assert.Equal(t, 13, rep.TilesUsed)
	assert.Equal(t, 18678, rep.Mapped)
	sizes := map[string]int{}
	for _, p := range g.Populations {
		sizes[p.Name] = p.Size
		// threshold per group, leak_decay 0.99975585937 (4095/4096, dv 1),
		// no input decay (du 4095).
		assert.Equal(t, int32(1), p.Neuron.Dv, p.Name)
		assert.Equal(t, int32(4095), p.Neuron.Du, p.Name)
	}
	assert.Equal(t, map[string]int{"0": 1024, "1": 3600, "2": 5408, "3": 7744, "4": 891, "5": 11}, sizes)
	assert.Equal(t, int32(255), g.Population("0").Neuron.Vth)
	assert.Equal(t, int32(341), g.Population("5").Neuron.Vth)
	// The input layer is driven by biases only: 294 non-zero (README).
	nz := 0
	for _, b := range g.Population("0").Neuron.BiasMant {
		if b != 0 {
			nz++
		}
	}
	assert.Equal(t, 294, nz)
	// Group 0's neuron 2 has bias 6: 6·64 in v.
	assert.Equal(t, int32(6*64), g.Population("0").Neuron.BiasMant[2])
	syn := map[string]int{}
	for _, p := range rep.Projections {
		syn[p.Name] = p.Synapses
	}
	// Conv layers: outputs × 3·3 × input channels; dense 891 × 11.
	assert.Equal(t, map[string]int{"0->1": 3600 * 9, "1->2": 5408 * 9 * 16, "2->3": 7744 * 9 * 32,
		"3->4": 891 * 9 * 64, "4->5": 891 * 11}, syn)
	// Every synapse is priced by loihi_conv_synapse (the source groups'
	// synapse_hw_name).
	assert.Equal(t, map[string]int{"loihi_conv_synapse": 3564441}, rep.SynapseUnits)
	assert.Equal(t, sanafe.ArchOptions{Synapse: "loihi_conv_synapse", Soma: "loihi_lif"}, rep.MainUnits())
	// Weights beyond ±255 (e.g. -261 in 0 -> 1) are clipped: it costs less
	// squared error than halving every weight's resolution.
	assert.Less(t, rep.Weights.MeanRel, 1e-4)
	assert.Equal(t, 396, rep.Weights.Clipped)

	gm, mm, rm := snn(t, "dvs.yaml", "loihi.yaml", sanafe.SNNOptions{PartitionAsMapped: true, NoProbes: true})
	assert.Len(t, gm.Populations, 49)
	assert.Empty(t, gm.Probes)
	assert.Equal(t, 49, mm.CoresUsed())
	assert.Equal(t, rep.Weights.Clipped, rm.Weights.Clipped, "the weight exponent is chosen per SANA-FE edge, however populations are cut")
	p := gm.Population("2@8.1")
	require.NotNil(t, p)
	assert.Equal(t, 676, p.Size)
	assert.Equal(t, int32(4), rm.Populations[slicesIndex(rm.Populations, "2@8.1")].Neurons[0])
}

func slicesIndex(ps []sanafe.PopulationInfo, name string) int {
	for i, p := range ps {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// TestSNNGolden dumps every importable network sample.
func TestSNNGolden(t *testing.T) {
	for _, c := range []struct{ snn, arch string }{
		{"example_snn.yaml", "example_chip.yaml"},
		{"input_net.yaml", "example_chip.yaml"},
		{"conv.yaml", "example_chip.yaml"},
		{"dvs.yaml", "loihi.yaml"},
	} {
		t.Run(c.snn, func(t *testing.T) {
			g, m, rep := snn(t, c.snn, c.arch, sanafe.SNNOptions{})
			golden(t, strings.TrimSuffix(c.snn, ".yaml")+".snn.golden", dumpGraph(g, m)+"---\n"+rep.String())
		})
	}
	t.Run("dendrite.yaml", func(t *testing.T) {
		_, rep := arch(t, "demo_with_dendrites.yaml", sanafe.ArchOptions{})
		_, _, _, err := sanafe.ReadSNN(ref(t, "dendrite.yaml"), sanafe.SNNOptions{Arch: &rep})
		require.Error(t, err)
		golden(t, "dendrite.snn.golden", err.Error()+"\n")
	})
}

// TestConventions covers the README's conventions in one file: flow and
// block styles, attribute lists as a mapping or as one-key mappings, index
// ranges, keys that look like numbers read as text, nested unit
// attributes, and a group named like a float.
func TestConventions(t *testing.T) {
	src := `network:
  name: conventions
  groups:
    - name: 1.5
      attributes:
        - threshold: 2.5
        - leak_decay: 0.5
        - input_decay: 0.25
      neurons:
        - 0..3: {bias: 0.25}
        - 4: [soma: {threshold: 2.5, bias: -1}, log_potential: true]
    - name: src
      attributes: {poisson: 0.1}
      neurons: [0..1]
  edges:
    - src -> 1.5: {type: dense, synapse: {weight: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]}, dendrite: {delay: 2}}
    - 1.5.4 -> 1.5.0: [weight: 1000]
mappings:
  - 1.5.0..3: [core: 0.10]
  - {'1.5.4': {core: '1.0'}}
  - src: {core: 0.0}
`
	g, m, rep, err := sanafe.ParseSNN("c.yaml", []byte(src), sanafe.SNNOptions{Seed: 7})
	require.NoError(t, err, "%v", err)
	p := g.Population("1.5")
	require.NotNil(t, p)
	require.Equal(t, 5, p.Size)
	// threshold 2.5 is not whole: voltages scale by 2 (vth 5); weights 0.5
	// become whole too.
	assert.Equal(t, int32(5), p.Neuron.Vth)
	assert.Equal(t, 1, rep.Populations[0].Scale)
	// leak_decay 0.5: dv = 2048; input_decay 0.25: du = 4095 − 1024.
	assert.Equal(t, int32(2048), p.Neuron.Dv)
	assert.Equal(t, int32(3071), p.Neuron.Du)
	assert.Equal(t, "lif", p.Neuron.Model)
	// bias 0.25 → 0.25·64·2 = 32; bias −1 → −128.
	assert.Equal(t, []int32{32, 32, 32, 32, -128}, p.Neuron.BiasMant)
	src2 := g.Population("src")
	require.NotNil(t, src2)
	assert.Equal(t, graph.InputPoisson, src2.Input.Kind)
	assert.InDelta(t, 100.0, src2.Input.RateHz, 1e-9, "0.1 per 1 ms step")
	// Dense weights ×2 (scale), delay 2 everywhere.
	pr := projection(t, g, "src->1.5")
	assert.Equal(t, int32(0), pr.WeightExp)
	ps := pairsOf(t, g, "src->1.5")
	assert.Equal(t, [2]int32{1, 2}, ps[[2]int32{0, 0}])
	assert.Equal(t, [2]int32{10, 2}, ps[[2]int32{1, 4}])
	// 1000·2 needs an exponent: 2000 = 250·2^3.
	self := projection(t, g, "1.5->1.5")
	assert.Equal(t, int32(3), self.WeightExp)
	assert.Equal(t, [2]int32{250, 0}, pairsOf(t, g, "1.5->1.5")[[2]int32{4, 0}])
	// Keys as text: 0.10 is core 10 of tile 0; '1.0' is tile 1.
	l0, _ := m.Of("1.5", 0)
	l4, _ := m.Of("1.5", 4)
	assert.Equal(t, sanafe.Location{Tile: 0, Core: 10}, l0)
	assert.Equal(t, sanafe.Location{Tile: 1, Core: 0}, l4)
	// log_potential on neuron 4 only.
	require.Len(t, g.Probes, 1)
	assert.Equal(t, graph.Probe{Population: "1.5", V: true, Neurons: []int32{4}, Pos: p.Pos}, g.Probes[0])
}

const miniSNN = `network:
  name: mini
  groups:
    - name: a
      attributes: {threshold: 4}
      neurons: [0..3]
    - name: b
      neurons:
        - 0..1: {bias: 1}
  edges:
    - a -> b: {type: dense, weight: [1, 2, 3, 4, 5, 6, 7, 8]}
mappings:
  - a: {core: 0.0}
  - b.0..1: {core: 0.1}
`

// TestParseSNNErrors checks that malformed and unsupported networks give
// positioned errors that name the problem.
func TestParseSNNErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown attribute", "{threshold: 4}", "{threshold: 4, colour: red}", `m.yaml:5:34: unknown neuron attribute "colour"`},
		{"soft reset", "{threshold: 4}", "{threshold: 4, reset_mode: soft}", `m.yaml:5:46: reset_mode soft is not supported`},
		{"reset value", "{threshold: 4}", "{threshold: 4, reset: 3}", `m.yaml:5:41: reset 3: Tessera's neuron resets its potential to 0`},
		{"negative threshold", "{threshold: 4}", "{threshold: -1}", `m.yaml:4:13: population a: threshold -1 is negative`},
		{"leak above 1", "{threshold: 4}", "{threshold: 4, leak_decay: 1.5}", `m.yaml:5:46: leak_decay 1.5: a decay factor per step must be in 0..1`},
		{"noise", "{threshold: 4}", "{threshold: 4, noise: n.txt}", `m.yaml:5:34: noise: SANA-FE's noise stream`},
		{"gap", "[0..3]", "[0..1, 3]", `m.yaml:4:13: group a: neuron 2 is not defined`},
		{"duplicate neuron", "[0..3]", "[0..3, 2]", `m.yaml:6:23: group a: neuron 2 is defined twice`},
		{"bad range", "[0..3]", "[3..0]", `m.yaml:6:17: group a: neuron "3..0" must be an index`},
		{"dense list short", "5, 6, 7, 8]", "5, 6, 7]", `m.yaml:11:37: edge a -> b: weight has 7 values, the edge needs 8`},
		{"no type", "{type: dense, ", "{", `m.yaml:11:7: edge a -> b joins two groups: it needs`},
		{"unknown type", "type: dense", "type: pool", `m.yaml:11:22: edge a -> b: unknown edge type "pool"`},
		{"bad endpoint", "a -> b", "a -> c", `m.yaml:11:7: edge "a -> c": "c" names no group or neuron`},
		{"group to neuron", "a -> b", "a -> b.0", `m.yaml:11:7: edge "a -> b.0": an edge joins two groups`},
		{"conv shape", "{type: dense, weight: [1, 2, 3, 4, 5, 6, 7, 8]}",
			"{type: conv2d, input_width: 3, input_height: 1, input_channels: 1, kernel_width: 2, kernel_height: 1, kernel_count: 1, weight: [1, 2]}",
			`m.yaml:11:7: edge a -> b: the input is 1×1×3 = 3 neurons, group a has 4`},
		{"conv missing", "{type: dense, weight: [1, 2, 3, 4, 5, 6, 7, 8]}", "{type: conv2d, weight: [1]}",
			`m.yaml:11:7: edge a -> b: a conv2d edge needs input_width, input_height, input_channels, kernel_width, kernel_height, kernel_count`},
		{"sparse out of range", "{type: dense, weight: [1, 2, 3, 4, 5, 6, 7, 8]}", "{type: sparse, source_target_pairs: [[0, 5]], weight: [1]}",
			`m.yaml:11:51: edge a -> b: pair [0, 5] is outside the groups`},
		{"bad delay", "weight: [1, 2, 3, 4, 5, 6, 7, 8]}", "weight: [1, 2, 3, 4, 5, 6, 7, 8], delay: 1.5}", `m.yaml:11:70: edge a -> b: delay 1.5 must be a whole number of steps in 0..63`},
		{"tap", "weight: [1, 2, 3, 4, 5, 6, 7, 8]}", "weight: [1, 2, 3, 4, 5, 6, 7, 8], tap: 1}", `m.yaml:11:63: attribute tap belongs to SANA-FE's multi-tap dendrite model`},
		{"mapping unknown group", "b.0..1: {core: 0.1}", "c.0..1: {core: 0.1}", `m.yaml:14:5: mapping "c.0..1" names no group or neuron`},
		{"mapping twice", "b.0..1: {core: 0.1}", "b.0..1: {core: 0.1}\n  - b.1: {core: 0.2}", `m.yaml:15:5: mapping "b.1": neuron b.1 is mapped twice`},
		{"mapping bad core", "{core: 0.1}", "{core: zero}", `m.yaml:14:20: core "zero" must be tile.core`},
		{"mapping key", "{core: 0.1}", "{core: 0.1, tile: 0}", `m.yaml:14:25: unknown mapping attribute "tile"`},
		{"spikes not a list", "{bias: 1}", "{bias: 1, spikes: 1}", `m.yaml:9:35: spikes must be a list`},
		{"arch file", "network:", "architecture:", `m.yaml:1:1: architecture: this is a SANA-FE architecture file`},
		{"syntax", "[0..3]", "[0..3", `m.yaml:`},
		{"second document", "  - b.0..1: {core: 0.1}\n", "  - b.0..1: {core: 0.1}\n---\nx: 1\n", `m.yaml:15:1: a second YAML document`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(miniSNN, tc.old, tc.new, 1)
			require.NotEqual(t, miniSNN, src, "the test's replacement did not apply")
			_, _, _, err := sanafe.ParseSNN("m.yaml", []byte(src), sanafe.SNNOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// The mini network itself is fine.
	_, _, _, err := sanafe.ParseSNN("m.yaml", []byte(miniSNN), sanafe.SNNOptions{})
	require.NoError(t, err)

	// Unit names are checked against the architecture.
	_, rep := arch(t, "example_chip.yaml", sanafe.ArchOptions{})
	src := strings.Replace(miniSNN, "{threshold: 4}", "{threshold: 4, soma_hw_name: nope}", 1)
	_, _, _, err = sanafe.ParseSNN("m.yaml", []byte(src), sanafe.SNNOptions{Arch: &rep})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `m.yaml:6:17: group a: soma unit "nope" is not in the architecture (its soma units: demo_soma_default, demo_soma_alt, demo_input)`)
	src = strings.Replace(miniSNN, "b.0..1: {core: 0.1}", "b.0..1: {core: 0.4}", 1)
	_, _, _, err = sanafe.ParseSNN("m.yaml", []byte(src), sanafe.SNNOptions{Arch: &rep})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `m.yaml:14:20: core 0.4: a tile of the architecture has cores 0..3`)
	// spikes on a neuron whose soma is a LIF.
	src = strings.Replace(miniSNN, "{bias: 1}", "{bias: 1, spikes: [1, 0]}", 1)
	_, _, _, err = sanafe.ParseSNN("m.yaml", []byte(src), sanafe.SNNOptions{Arch: &rep})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `m.yaml:9:27: group b: spikes, poisson and rate belong to SANA-FE's input model, but neuron 0 uses a leaky_integrate_fire soma`)
	// Limits stop a huge range before memory is spent on it.
	src = strings.Replace(miniSNN, "[0..3]", "[0..99999999]", 1)
	_, _, _, err = sanafe.ParseSNN("m.yaml", []byte(src), sanafe.SNNOptions{MaxNeurons: 1000})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 1000 neurons (SNNOptions.MaxNeurons)")
}

// TestPresetDumpLoads: the imported preset, written as YAML, is a valid
// Tessera preset file (tessera compile -preset file.yaml).
func TestPresetDumpLoads(t *testing.T) {
	spec, _ := arch(t, "loihi.yaml", sanafe.ArchOptions{Synapse: "loihi_conv_synapse"})
	back, err := preset.Parse("loihi-sanafe.yaml", []byte(dumpSpec(t, spec)))
	require.NoError(t, err)
	assert.Equal(t, spec, back)
}
