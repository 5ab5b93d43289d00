package nir

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// Graphs built in memory exercise the conversion without an HDF5 writer.

func arr(shape []int, v ...float64) *Param { return &Param{DType: "float64", Shape: shape, Values: v} }
func ints(v ...float64) *Param             { return &Param{DType: "int64", Shape: []int{len(v)}, Values: v} }
func scalar(v float64) *Param              { return &Param{DType: "int64", Values: []float64{v}} }

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// build makes a checked graph from nodes and "src->dst" edges.
func build(t *testing.T, nodes []*Node, edges ...[2]string) (*Graph, error) {
	t.Helper()
	g := &Graph{byName: map[string]*Node{}}
	var errs ErrorList
	for _, n := range nodes {
		n.qual = n.Name
		if n.Type == "NIRGraph" {
			for _, c := range n.Graph.Nodes {
				c.qual = n.Name + "/" + c.Name
				c.check(&errs)
			}
		} else {
			n.check(&errs)
		}
		g.Nodes = append(g.Nodes, n)
		g.byName[n.Name] = n
	}
	for _, e := range edges {
		g.Edges = append(g.Edges, Edge{Src: e[0], Dst: e[1]})
	}
	if len(errs) == 0 {
		inferShapes(g, &errs)
	}
	return g, errs.err("mem.nir")
}

func input(name string, shape ...float64) *Node {
	return &Node{Name: name, Type: "Input", Params: map[string]*Param{"shape": ints(shape...)}}
}

func output(name string, shape ...float64) *Node {
	return &Node{Name: name, Type: "Output", Params: map[string]*Param{"shape": ints(shape...)}}
}

func lif(name string, n int, tau, thr float64) *Node {
	return &Node{Name: name, Type: "LIF", Params: map[string]*Param{
		"tau": arr([]int{n}, fill(n, tau)...), "r": arr([]int{n}, fill(n, 1)...), "v_leak": arr([]int{n}, fill(n, 0)...),
		"v_threshold": arr([]int{n}, fill(n, thr)...), "v_reset": arr([]int{n}, fill(n, 0)...)}}
}

func linear(name string, out, in int, w ...float64) *Node {
	return &Node{Name: name, Type: "Linear", Params: map[string]*Param{"weight": arr([]int{out, in}, w...)}}
}

var opts = Options{DtPS: 1e9}

func convertT(t *testing.T, g *Graph, o Options) (*graph.Graph, Report, error) {
	t.Helper()
	o, err := o.withDefaults()
	require.NoError(t, err)
	return convert(g, "mem.nir", o)
}

func TestConvertLIFMapping(t *testing.T) {
	// tau = 10 ms, dt = 1 ms: dv = round(4096/10) = 410. Linear weight 0.5
	// into a threshold of 1: gain dt/tau = 0.1, so a spike adds 0.05
	// threshold = 0.05*1024 = 51.2 a_in units: exponent 0, weight 51.
	g, err := build(t, []*Node{input("in", 1), linear("fc", 1, 1, 0.5), lif("lif", 1, 0.01, 1), output("out", 1)},
		[2]string{"in", "fc"}, [2]string{"fc", "lif"}, [2]string{"lif", "out"})
	require.NoError(t, err)
	out, rep, err := convertT(t, g, opts)
	require.NoError(t, err)
	p := out.Population("lif")
	require.NotNil(t, p)
	assert.Equal(t, int32(410), p.Neuron.Dv)
	assert.Equal(t, int32(4095), p.Neuron.Du)
	assert.Equal(t, int32(DefaultVth), p.Neuron.Vth)
	require.Len(t, out.Projections, 1)
	pr := out.Projections[0]
	assert.Equal(t, "in->lif", pr.Name)
	assert.Equal(t, graph.List, pr.Conn.Kind)
	assert.Equal(t, int32(0), pr.WeightExp)
	require.Len(t, pr.Conn.Pairs, 1)
	assert.Equal(t, int32(51), *pr.Conn.Pairs[0].Weight)
	assert.InDelta(t, 0.2/51.2, rep.Weights.WorstRel, 1e-12)
	assert.Equal(t, []graph.Probe{{Population: "lif", Spikes: true, Pos: out.Pos}}, out.Probes)
	assert.True(t, out.Population("in").IsInput())
}

func TestConvertVResetShiftAndHeterogeneousThreshold(t *testing.T) {
	n := lif("lif", 2, 0.01, 1)
	n.Params["v_threshold"] = arr([]int{2}, 1, 2)
	n.Params["v_reset"] = arr([]int{2}, -1, 0)
	n.Params["v_leak"] = arr([]int{2}, 0.5, 0)
	g, err := build(t, []*Node{input("in", 1), linear("fc", 2, 1, 1, 1), n}, [2]string{"in", "fc"}, [2]string{"fc", "lif"})
	require.NoError(t, err)
	out, _, err := convertT(t, g, opts)
	require.NoError(t, err)
	p := out.Population("lif")
	// Neuron 0: threshold measured from reset is 2, so K = 64*1024/2;
	// it starts at v = 0, i.e. 1 above its reset: v_init = K.
	assert.Equal(t, int32(32768), p.Neuron.VInit[0])
	assert.Equal(t, int32(0), p.Neuron.VInit[1])
	// Leak towards v_leak - v_reset = 1.5 at dt/tau = 0.1: 0.15*K = 4915.2
	// per step, stored as 2458<<1.
	assert.Equal(t, []int32{2458, 0}, p.Neuron.BiasMant)
	assert.Equal(t, []int32{1, 0}, p.Neuron.BiasExp)
	// Both neurons' thresholds are 2 from reset: the same weight.
	w := out.Projections[0].Conn.Pairs
	assert.Equal(t, *w[0].Weight, *w[1].Weight)
}

func TestConvertSplitsByDecay(t *testing.T) {
	n := lif("lif", 3, 0.01, 1)
	n.Params["tau"] = arr([]int{3}, 0.01, 0.02, 0.01)
	g, err := build(t, []*Node{input("in", 1), linear("fc", 3, 1, 1, 1, 1), n, output("out", 3)},
		[2]string{"in", "fc"}, [2]string{"fc", "lif"}, [2]string{"lif", "out"})
	require.NoError(t, err)
	out, rep, err := convertT(t, g, opts)
	require.NoError(t, err)
	require.NotNil(t, out.Population("lif#0"))
	assert.Equal(t, 2, out.Population("lif#0").Size)
	assert.Equal(t, 1, out.Population("lif#1").Size)
	assert.Equal(t, []PopulationMap{
		{Node: "in", Type: "Input", Population: "in"},
		{Node: "lif", Type: "LIF", Population: "lif#0", Elements: []int32{0, 2}},
		{Node: "lif", Type: "LIF", Population: "lif#1", Elements: []int32{1}},
	}, rep.Populations)
	assert.Len(t, out.Probes, 2)
	assert.Len(t, out.Projections, 2)
}

func TestConvertConvPoolDelay(t *testing.T) {
	// Input (1, 3, 3) -> Conv2d 1x1 kernel of 2 -> SumPool 3x3 -> Delay 2 ms -> IF.
	conv := &Node{Name: "conv", Type: "Conv2d", Params: map[string]*Param{
		"weight": arr([]int{1, 1, 1, 1}, 2), "bias": arr([]int{1}, 0), "stride": ints(1, 1),
		"padding": ints(0, 0), "dilation": ints(1, 1), "groups": scalar(1), "input_shape": ints(3, 3)}}
	pool := &Node{Name: "pool", Type: "SumPool2d", Params: map[string]*Param{
		"kernel_size": ints(3, 3), "stride": ints(3, 3), "padding": ints(0, 0)}}
	delay := &Node{Name: "delay", Type: "Delay", Params: map[string]*Param{"delay": arr([]int{1, 1, 1}, 0.002)}}
	ifn := &Node{Name: "if", Type: "IF", Params: map[string]*Param{
		"r": arr([]int{1, 1, 1}, 1), "v_threshold": arr([]int{1, 1, 1}, 100)}}
	g, err := build(t, []*Node{input("in", 1, 3, 3), conv, pool, delay, ifn},
		[2]string{"in", "conv"}, [2]string{"conv", "pool"}, [2]string{"pool", "delay"}, [2]string{"delay", "if"})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1}, pool.OutputType)
	out, rep, err := convertT(t, g, Options{DtPS: 1e9, Dirac: true})
	require.NoError(t, err)
	require.Len(t, out.Projections, 1)
	ps := out.Projections[0].Conn.Pairs
	require.Len(t, ps, 9)
	for i, p := range ps {
		assert.Equal(t, int32(i), p.Pre)
		require.NotNil(t, p.Delay)
		assert.Equal(t, int32(2), *p.Delay)
	}
	// Dirac: a spike adds r*w = 2 to v; threshold 100 -> 2*1024/100 = 20.48.
	assert.Equal(t, int32(20), *ps[0].Weight)
	assert.Equal(t, 1, rep.Delays.N)
	assert.Equal(t, []string{"v_reset"}, ifn.Defaulted)
	assert.Equal(t, "if", out.Population("if").Neuron.Model)
}

func TestConvertErrors(t *testing.T) {
	li := &Node{Name: "li", Type: "LI", Params: map[string]*Param{
		"tau": arr([]int{1}, 0.01), "r": arr([]int{1}, 1), "v_leak": arr([]int{1}, 0)}}
	tests := []struct {
		name  string
		nodes []*Node
		edges [][2]string
		want  string
	}{
		{"analog drives synapses", []*Node{input("in", 1), linear("a", 1, 1, 1), li, linear("b", 1, 1, 1), lif("lif", 1, 0.01, 1)},
			[][2]string{{"in", "a"}, {"a", "li"}, {"li", "b"}, {"b", "lif"}},
			`node "li" (LI): its output is a voltage, not spikes`},
		{"output of a weighted sum", []*Node{input("in", 1), linear("a", 1, 1, 2), output("out", 1)},
			[][2]string{{"in", "a"}, {"a", "out"}},
			`node "out" (Output): it reads "in" (Input) through nodes that weight`},
		{"linear loop", []*Node{input("in", 1), linear("a", 1, 1, 1), linear("b", 1, 1, 1), lif("lif", 1, 0.01, 1)},
			[][2]string{{"in", "a"}, {"a", "b"}, {"b", "a"}, {"a", "lif"}},
			`node "a" (Linear): it is on a cycle of linear nodes`},
		{"threshold below reset", []*Node{input("in", 1), lif("lif", 1, 0.01, -1)},
			[][2]string{{"in", "lif"}},
			`node "lif" (LIF): v_threshold[0] = -1 is not above v_reset[0] = 0`},
		{"negative tau", []*Node{input("in", 1), lif("lif", 1, -0.01, 1)},
			[][2]string{{"in", "lif"}},
			`node "lif" (LIF): tau[0] = -0.01; a time constant must be positive`},
		{"edge into input", []*Node{input("in", 1), lif("lif", 1, 0.01, 1)},
			[][2]string{{"lif", "in"}},
			`node "in" (Input): an Input node cannot have incoming edges`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := build(t, tt.nodes, tt.edges...)
			require.NoError(t, err)
			_, _, err = convertT(t, g, opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var list ErrorList
			require.ErrorAs(t, err, &list)
			assert.Equal(t, "mem.nir", list[0].File)
		})
	}
}

func TestReadChecks(t *testing.T) {
	tests := []struct {
		name string
		node *Node
		want string
	}{
		{"missing field", &Node{Name: "l", Type: "Linear", Params: map[string]*Param{}}, `node "l" (Linear): field "weight" is missing`},
		{"sizes differ", &Node{Name: "n", Type: "IF", Params: map[string]*Param{"r": arr([]int{2}, 1, 1), "v_threshold": arr([]int{3}, 1, 1, 1)}},
			`field "r" has 2 values`},
		{"string weight", &Node{Name: "l", Type: "Linear", Params: map[string]*Param{"weight": {DType: "string", Strings: []string{"x"}}}},
			`field "weight" is a string`},
		{"bad padding", &Node{Name: "c", Type: "Conv1d", Params: map[string]*Param{"weight": arr([]int{1, 1, 1}, 1), "bias": arr([]int{1}, 0),
			"stride": scalar(1), "padding": {DType: "string", Strings: []string{"full"}}, "dilation": scalar(1), "groups": scalar(1)}},
			`field "padding" is "full"`},
		{"flatten out of range", &Node{Name: "f", Type: "Flatten", Params: map[string]*Param{"start_dim": scalar(0), "end_dim": scalar(5), "input_type": ints(2, 3)}},
			`start_dim 0 and end_dim 5 do not fit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, []*Node{tt.node})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestOptions(t *testing.T) {
	_, err := Options{}.withDefaults()
	assert.ErrorContains(t, err, "DtPS is required")
	_, err = Options{DtPS: 1, WeightBits: 9}.withDefaults()
	assert.ErrorContains(t, err, "WeightBits")
	o, err := Options{DtPS: 1}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, int32(DefaultVth), o.Vth)
	assert.Equal(t, 8, o.WeightBits)
	_, _, err = Import("whatever.nir", Options{})
	assert.ErrorContains(t, err, "DtPS is required")
}
