package sanafe_test

import (
	"context"
	"math"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// refNeuron is one neuron of the float reference model: SANA-FE's
// leaky_integrate_fire (potential ← trunc64(potential·leak_decay) + bias +
// input, fire when above threshold, reset to 0), or an input neuron with
// a spike train.
type refNeuron struct {
	pop         string
	index       int
	thr, bias   float64
	leak        float64
	input       bool
	spikes      []bool
	potential   float64
	nextCurrent float64
}

type refEdge struct {
	pre, post int
	w         float64
}

type spikeAt struct {
	step  int32
	pop   string
	index int32
}

// refRun runs the reference model: a spike in step t reaches its targets'
// input in step t+1.
func refRun(ns []refNeuron, es []refEdge, steps int) []spikeAt {
	var out []spikeAt
	for t := 1; t <= steps; t++ {
		var fired []int
		for i := range ns {
			n := &ns[i]
			in := n.nextCurrent
			n.nextCurrent = 0
			if n.input {
				if t-1 < len(n.spikes) && n.spikes[t-1] {
					fired = append(fired, i)
				}
				continue
			}
			n.potential = math.Trunc(n.potential*n.leak*64) / 64
			n.potential += n.bias + in
			if n.potential > n.thr {
				n.potential = 0
				fired = append(fired, i)
			}
		}
		for _, i := range fired {
			out = append(out, spikeAt{int32(t), ns[i].pop, int32(ns[i].index)})
			for _, e := range es {
				if e.pre == i {
					ns[e.post].nextCurrent += e.w
				}
			}
		}
	}
	sortSpikes(out)
	return out
}

func sortSpikes(s []spikeAt) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.step != b.step {
			return a.step < b.step
		}
		if a.pop != b.pop {
			return a.pop < b.pop
		}
		return a.index < b.index
	})
}

// runChip compiles g for the architecture and runs it, recording every
// neuron's spikes.
func runChip(t *testing.T, g *graph.Graph, archName string, steps int) []spikeAt {
	t.Helper()
	spec, _ := arch(t, archName, sanafe.ArchOptions{})
	g.Probes = nil
	for _, p := range g.Populations {
		g.Probes = append(g.Probes, graph.Probe{Population: p.Name, Spikes: true})
	}
	img, _, err := compiler.Compile(g, spec)
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps})
	require.NoError(t, err)
	var out []spikeAt
	for _, s := range res.Spikes {
		out = append(out, spikeAt{s.Step, res.Populations[s.Population], s.Neuron})
	}
	sortSpikes(out)
	return out
}

// TestSamplesRunLikeSANAFE compiles each small sample for example_chip,
// runs it on the chip and compares every spike with the float reference
// model, whose neurons and edges are written here from the files.
func TestSamplesRunLikeSANAFE(t *testing.T) {
	const steps = 12
	t.Run("example_snn", func(t *testing.T) {
		// in.0: input, no spikes; in.1: spikes [1, 0, 1]; out.0..1:
		// threshold 2; out.1 -> out.1: -4; in -> out dense [-1, 2, 1, 3].
		ns := []refNeuron{
			{pop: "in", index: 0, input: true},
			{pop: "in", index: 1, input: true, spikes: []bool{true, false, true}},
			{pop: "out", index: 0, thr: 2, leak: 1},
			{pop: "out", index: 1, thr: 2, leak: 1},
		}
		es := []refEdge{{3, 3, -4}, {0, 2, -1}, {0, 3, 2}, {1, 2, 1}, {1, 3, 3}}
		want := refRun(ns, es, steps)
		g, _, _ := snn(t, "example_snn.yaml", "example_chip.yaml", sanafe.SNNOptions{})
		got := runChip(t, g, "example_chip.yaml", steps)
		require.NotEmpty(t, want)
		assert.Equal(t, want, got)
	})
	t.Run("input_net", func(t *testing.T) {
		// in: spikes [1,0,0,0], [1,0,0,0], [0,0,0,1]; group 1: threshold
		// 2.0, bias 1.0; in.0 -> 1.0: -1, in.1 -> 1.2: -2, in.2 -> 1.2: 3.
		ns := []refNeuron{
			{pop: "in", index: 0, input: true, spikes: []bool{true, false, false, false}},
			{pop: "in", index: 1, input: true, spikes: []bool{true, false, false, false}},
			{pop: "in", index: 2, input: true, spikes: []bool{false, false, false, true}},
			{pop: "1", index: 0, thr: 2, bias: 1, leak: 1},
			{pop: "1", index: 1, thr: 2, bias: 1, leak: 1},
			{pop: "1", index: 2, thr: 2, bias: 1, leak: 1},
		}
		es := []refEdge{{0, 3, -1}, {1, 5, -2}, {2, 5, 3}}
		want := refRun(ns, es, steps)
		g, _, _ := snn(t, "input_net.yaml", "example_chip.yaml", sanafe.SNNOptions{})
		assert.Equal(t, want, runChip(t, g, "example_chip.yaml", steps))
	})
	t.Run("conv", func(t *testing.T) {
		// in: 16, threshold 1; hidden: 9, threshold 2, bias 1; out: 1,
		// threshold 0. Conv 4×4 → 3×3 with filter [0, 1, 2, 3]; dense
		// hidden -> out [0..8]; sparse in -> out [[0,0],[4,0]] [1, 2].
		var ns []refNeuron
		for i := 0; i < 16; i++ {
			ns = append(ns, refNeuron{pop: "in", index: i, thr: 1, leak: 1})
		}
		for i := 0; i < 9; i++ {
			ns = append(ns, refNeuron{pop: "hidden", index: i, thr: 2, bias: 1, leak: 1})
		}
		ns = append(ns, refNeuron{pop: "out", index: 0, leak: 1})
		var es []refEdge
		for oy := 0; oy < 3; oy++ {
			for ox := 0; ox < 3; ox++ {
				for ky := 0; ky < 2; ky++ {
					for kx := 0; kx < 2; kx++ {
						es = append(es, refEdge{(oy+ky)*4 + ox + kx, 16 + oy*3 + ox, float64(ky*2 + kx)})
					}
				}
			}
		}
		for i := 0; i < 9; i++ {
			es = append(es, refEdge{16 + i, 25, float64(i)})
		}
		es = append(es, refEdge{0, 25, 1}, refEdge{4, 25, 2})
		want := refRun(ns, es, steps)
		g, _, _ := snn(t, "conv.yaml", "example_chip.yaml", sanafe.SNNOptions{})
		got := runChip(t, g, "example_chip.yaml", steps)
		require.NotEmpty(t, want)
		assert.Equal(t, want, got)
	})
}

// TestCompileDVS compiles dvs.yaml for the imported loihi.yaml preset and
// sets the number of cores SANA-FE used beside ours.
func TestCompileDVS(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 3.5 million synapses three times")
	}
	g, m, rep := snn(t, "dvs.yaml", "loihi.yaml", sanafe.SNNOptions{NoProbes: true})
	units := rep.MainUnits()

	// With Loihi's capacities for what the file does not give, the network
	// does not fit: Tessera stores every convolution synapse explicitly
	// (no weight sharing) in 128 KB of synapse memory per core.
	spec, _ := arch(t, "loihi.yaml", units)
	_, _, err := compiler.Compile(g, spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cores, preset loihi_chip has 128")
	t.Logf("Loihi capacities: %v", err)

	// With SANA-FE's limits (neurons per core only).
	units.OnlyFileLimits = true
	spec, _ = arch(t, "loihi.yaml", units)
	_, st, err := compiler.Compile(g, spec)
	require.NoError(t, err)
	assert.Equal(t, 3564441, st.Synapses)
	t.Logf("SANA-FE used %d cores on %d tiles; Tessera's partition: %s", m.CoresUsed(), m.TilesUsed(), st)
	assert.Equal(t, 21, st.CoresUsed, "1024 neurons per core: 1 + 4 + 6 + 8 + 1 + 1")

	// Cut as SANA-FE mapped it: the same 49 cores.
	gm, mm, _ := snn(t, "dvs.yaml", "loihi.yaml", sanafe.SNNOptions{NoProbes: true, PartitionAsMapped: true})
	_, stm, err := compiler.Compile(gm, spec)
	require.NoError(t, err)
	t.Logf("PartitionAsMapped: %s", stm)
	assert.Equal(t, mm.CoresUsed(), stm.CoresUsed)
	assert.Equal(t, 49, stm.CoresUsed)
}
