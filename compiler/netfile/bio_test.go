package netfile_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/core"
)

// bioNet is a units: bio network: population exc (3 neurons, its neuron
// mapping on line 6 from column 13), input in (2 channels) and projections
// (the list from line 12, each item on one line).
func bioNet(neuron, projections string) string {
	return "dt: 1ms\nunits: bio\npopulations:\n  - name: exc\n    size: 3\n    neuron: " + neuron + "\n" +
		"inputs:\n  - name: in\n    size: 2\n    raster: {spikes: [[1, 0]]}\nprojections:\n" + projections
}

const (
	bioNeuron = "{tau_mem: 20ms, tau_syn: 5ms, v_rest: -65mV, v_reset: -70mV, v_th: -50mV, v_init: -60mV, refractory: 2ms}"
	bioProj   = "  - {pre: in, post: exc, connectivity: all_to_all, weight: 0.5mV}\n"
)

// fill is n copies of v.
func fill(n int, v int32) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// TestBioConversion checks the integers that units: bio produces against
// values computed by hand from the formulas of docs/network-format.md.
func TestBioConversion(t *testing.T) {
	// The population of bioNeuron, dt = 1 ms: θ = v_th − v_reset = 20 mV.
	// vth = 2^14 fits, so S = 64·2^14/20 = 52428.8 per mV.
	//   dv = round(4096·1/20) = round(204.8) = 205
	//   du = round(4096·1/5) − 1 = round(819.2) − 1 = 818
	//   bias = (−65 − −70)·S·205/4096 = 262144·205/4096 = 13120 = 3280 << 2
	//   v_init = (−60 − −70)·S = 524288; refractory = 2ms/1ms = 2 steps
	exc := graph.NeuronParams{
		Model: "lif", Du: 818, Dv: 205, Vth: 16384,
		BiasMant: fill(3, 3280), BiasExp: fill(3, 2), UInit: fill(3, 0), VInit: fill(3, 524288),
		Options: core.Model{RefractorySteps: 2},
	}
	for _, tc := range []struct {
		name        string
		neuron      string
		projections string
		want        graph.NeuronParams
		proj        []graph.Projection // Weight, WeightInit, WeightExp and pair weights
	}{
		{
			// 0.5mV: x = 0.5·S/64 = 409.6 → weight_exp 1, round(204.8) = 205.
			name: "one weight", neuron: bioNeuron, projections: bioProj, want: exc,
			proj: []graph.Projection{{Weight: 205, WeightExp: 1}},
		},
		{
			// [0.1mV, 0.9mV]: x ≤ 0.9·S/64 = 737.28 → weight_exp 2;
			// lo = round(81.92/4) = 20, hi = round(737.28/4) = 184.
			name: "random weight", neuron: bioNeuron, want: exc,
			projections: "  - {pre: in, post: exc, connectivity: all_to_all, weight: {uniform: [0.1mV, 0.9mV], seed: 3}}\n",
			proj:        []graph.Projection{{Weight: 20, WeightExp: 2, WeightInit: &graph.WeightInit{Lo: 20, Hi: 184, Seed: 3}}},
		},
		{
			// Largest |w| 1mV: x = 819.2 → weight_exp 2: −1mV → −205,
			// −0.25mV → round(−51.2) = −51. Tiny 0.001mV: x = 0.8192 →
			// weight_exp −8, round(209.7) = 210.
			name: "list with inhibitory weights, and a tiny weight", neuron: bioNeuron, want: exc,
			projections: "  - {pre: in, post: exc, connectivity: {list: [[0, 1, -1mV], [1, 2]]}, weight: -0.25mV}\n" +
				"  - {pre: in, post: exc, connectivity: all_to_all, weight: 0.001mV}\n",
			proj: []graph.Projection{
				{Weight: -51, WeightExp: 2, Conn: graph.Connectivity{Kind: graph.List, Pairs: []graph.Pair{{Pre: 0, Post: 1, Weight: ptr(-205)}, {Pre: 1, Post: 2}}}},
				{Weight: 210, WeightExp: -8},
			},
		},
		{
			// A 50mV weight would need 50·S/64 = 40960 > 255<<7: vth halves
			// to 8192, S = 26214.4, x = 20480 → weight_exp 7, 160. The
			// bias is 6560 = 3280 << 1, v_init 262144.
			name: "a large weight halves vth", neuron: bioNeuron, projections: "  - {pre: in, post: exc, connectivity: all_to_all, weight: 50mV}\n",
			want: graph.NeuronParams{
				Model: "lif", Du: 818, Dv: 205, Vth: 8192,
				BiasMant: fill(3, 3280), BiasExp: fill(3, 1), UInit: fill(3, 0), VInit: fill(3, 262144),
				Options: core.Model{RefractorySteps: 2},
			},
			proj: []graph.Projection{{Weight: 160, WeightExp: 7}},
		},
		{
			// if: du 4095, dv 0, no bias; θ = 1mV, v_init defaults to v_reset.
			name: "model if", neuron: "{model: if, v_reset: 0mV, v_th: 1V, graded_bits: 2}", projections: bioProj,
			want: graph.NeuronParams{
				Model: "if", Du: 4095, Dv: 0, Vth: 16384,
				BiasMant: fill(3, 0), BiasExp: fill(3, 0), UInit: fill(3, 0), VInit: fill(3, 0),
				Options: core.Model{GradedBits: 2},
			},
			// S = 64·2^14/1000 = 1048.576: x = 0.5·S/64 = 8.192 → weight_exp −5, round(262.1) > 255, so −4: round(131.07) = 131.
			proj: []graph.Projection{{Weight: 131, WeightExp: -4}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := netfile.Parse("net.yaml", []byte(bioNet(tc.neuron, tc.projections)))
			require.NoError(t, err)
			assert.Equal(t, tc.want, g.Population("exc").Neuron)
			require.Len(t, g.Projections, len(tc.proj))
			for i, want := range tc.proj {
				got := g.Projections[i]
				assert.Equal(t, want.Weight, got.Weight, "weight %d", i)
				assert.Equal(t, want.WeightExp, got.WeightExp, "weight_exp %d", i)
				assert.Equal(t, want.WeightInit, got.WeightInit, "random weight %d", i)
				if want.Conn.Kind != 0 {
					assert.Equal(t, want.Conn, got.Conn, "connectivity %d", i)
				}
			}
		})
	}
}

// TestBioQuantization checks the report of the conversion.
func TestBioQuantization(t *testing.T) {
	g, err := netfile.Parse("net.yaml", []byte(bioNet(bioNeuron, bioProj)))
	require.NoError(t, err)
	var what []string
	q := map[string]graph.Quantization{}
	for _, e := range g.Quantization {
		what = append(what, e.What)
		q[e.What] = e
		assert.Zero(t, e.Stat.Clipped, e.What)
		assert.Zero(t, e.Stat.Zeroed, e.What)
		assert.LessOrEqual(t, e.Stat.MeanRel, e.Stat.WorstRel, e.What)
	}
	assert.Equal(t, []string{"decays of exc", "thresholds of exc", "biases of exc", "weights of in->exc"}, what)
	// Decay factors 1 − 1/20 and 1 − 1/5 against 1 − 205/4096 and 1 − 819/4096.
	d := q["decays of exc"].Stat
	assert.Equal(t, 2, d.N)
	assert.InDelta(t, max(math.Abs(1-205.0/4096-0.95)/0.95, math.Abs(1-819.0/4096-0.8)/0.8), d.WorstRel, 1e-12)
	assert.Equal(t, 1, q["thresholds of exc"].Stat.N)
	assert.Zero(t, q["thresholds of exc"].Stat.WorstRel)
	assert.Equal(t, 1, q["biases of exc"].Stat.N)
	assert.InDelta(t, 0, q["biases of exc"].Stat.WorstRel, 1e-12) // 13120 is exact
	// 0.5mV became 205·2·64/S mV.
	w := q["weights of in->exc"].Stat
	assert.Equal(t, 1, w.N)
	assert.InDelta(t, math.Abs(205*2*64/52428.8-0.5), w.WorstAbs, 1e-12)
	assert.InDelta(t, w.WorstAbs/0.5, w.MeanRel, 1e-12)

	// A leak target below one unit per step rounds to 0: reported as zeroed.
	// Its ideal is 0.0001·S·205/4096 = 0.26 units per step.
	g, err = netfile.Parse("net.yaml", []byte(bioNet("{tau_mem: 20ms, tau_syn: 1ms, v_rest: -69.9999mV, v_reset: -70mV, v_th: -50mV}", bioProj)))
	require.NoError(t, err)
	assert.Equal(t, int32(0), g.Population("exc").Neuron.BiasMant[0])
	assert.Equal(t, "biases of exc", g.Quantization[2].What)
	assert.Equal(t, 1, g.Quantization[2].Stat.Zeroed)
	// tau_syn = dt: du = round(4096) − 1 = 4095, an exact factor 0, which
	// is not counted (only non-zero ideals are).
	assert.Equal(t, int32(4095), g.Population("exc").Neuron.Du)
	assert.Equal(t, 1, g.Quantization[0].Stat.N)
	assert.Zero(t, g.Quantization[0].Stat.Clipped)
	// tau_syn < dt clips du (the ideal factor 1 − dt/tau_syn is negative).
	g, err = netfile.Parse("net.yaml", []byte(bioNet("{tau_mem: 20ms, tau_syn: 0.5ms, v_rest: -70mV, v_reset: -70mV, v_th: -50mV}", bioProj)))
	require.NoError(t, err)
	assert.Equal(t, int32(4095), g.Population("exc").Neuron.Du)
	assert.Equal(t, 1, g.Quantization[0].Stat.Clipped)

	// The example file: 3 entries for each of its 2 populations, 1 for
	// each of its 3 projections.
	g, err = netfile.ParseFile("testdata/bio.yaml")
	require.NoError(t, err)
	assert.Len(t, g.Quantization, 9)
	// inh->exc: largest |w| 2mV, x = 2·52428.8/64 = 1638.4 → weight_exp 3:
	// −2mV → round(−204.8) = −205, −1mV → round(−102.4) = −102.
	assert.Equal(t, int32(3), g.Projections[2].WeightExp)
	assert.Equal(t, int32(-102), g.Projections[2].Weight)
	assert.Equal(t, int32(-205), *g.Projections[2].Conn.Pairs[0].Weight)
	assert.Nil(t, g.Projections[2].Conn.Pairs[1].Weight)

	// Hardware files have no report.
	g, err = netfile.Parse("net.yaml", []byte(withNeuron("{du: 1, dv: 1, vth: 1}")))
	require.NoError(t, err)
	assert.Nil(t, g.Quantization)
}

// TestBioTwins checks that a bio network, its JSON twin and its
// hand-converted hardware twin parse to the same graph integers.
func TestBioTwins(t *testing.T) {
	bio := bioNet(bioNeuron, bioProj+"  - {pre: in, post: exc, connectivity: {list: [[0, 1, -1mV], [1, 2]]}, weight: {uniform: [0.1mV, 0.9mV], seed: 3}}\n")
	// −1mV → x = −819.2 → weight_exp 2: −205; 0.1mV → 20, 0.9mV → 184.
	hardware := `dt: 1ms
units: hardware
populations:
  - name: exc
    size: 3
    neuron: {du: 818, dv: 205, vth: 16384, bias_mant: 3280, bias_exp: 2, v_init: 524288, refractory_steps: 2}
inputs:
  - name: in
    size: 2
    raster: {spikes: [[1, 0]]}
projections:
  - {pre: in, post: exc, connectivity: all_to_all, weight: 205, weight_exp: 1}
  - {pre: in, post: exc, connectivity: {list: [[0, 1, -205], [1, 2]]}, weight: {uniform: [20, 184], seed: 3}, weight_exp: 2}
`
	json := `{"dt": "1ms", "units": "bio",
 "populations": [{"name": "exc", "size": 3, "neuron": {"tau_mem": "20ms", "tau_syn": "5ms", "v_rest": "-65mV",
   "v_reset": "-70mV", "v_th": "-50mV", "v_init": "-0.06V", "refractory": "2 ms"}}],
 "inputs": [{"name": "in", "size": 2, "raster": {"spikes": [[1, 0]]}}],
 "projections": [
   {"pre": "in", "post": "exc", "connectivity": "all_to_all", "weight": "0.5mV"},
   {"pre": "in", "post": "exc", "connectivity": {"list": [[0, 1, "-1mV"], [1, 2]]}, "weight": {"uniform": ["0.1mV", "0.9mV"], "seed": 3}}]}`
	parse := func(path, src string) *graph.Graph {
		t.Helper()
		g, err := netfile.Parse(path, []byte(src))
		require.NoError(t, err, path)
		// Positions and the report differ; the integers must not.
		g.Pos, g.Quantization, g.Name = graph.Pos{}, nil, ""
		for i := range g.Populations {
			g.Populations[i].Pos = graph.Pos{}
		}
		for i := range g.Projections {
			g.Projections[i].Pos = graph.Pos{}
		}
		return g
	}
	want := parse("hw.yaml", hardware)
	assert.Equal(t, want, parse("bio.yaml", bio), "bio YAML")
	assert.Equal(t, want, parse("bio.json", json), "bio JSON")
}

// TestBioErrors checks each mistake in a bio network at its exact place.
func TestBioErrors(t *testing.T) {
	neuron := func(old, new string) string { return strings.Replace(bioNeuron, old, new, 1) }
	for _, tc := range []struct {
		name string
		path string // default net.yaml
		src  string
		want []string
	}{
		{
			name: "v_th not above v_reset",
			src:  bioNet(neuron("v_th: -50mV", "v_th: -70mV"), bioProj),
			want: []string{`net.yaml:6:80: v_th -70mV must be greater than v_reset -70mV`},
		},
		{
			name: "time constants not positive",
			src:  bioNet(neuron("tau_mem: 20ms, tau_syn: 5ms", "tau_mem: 0ms, tau_syn: -5ms"), bioProj),
			want: []string{
				`net.yaml:6:23: tau_mem must be greater than 0; got "0ms"`,
				`net.yaml:6:37: tau_syn must be greater than 0; got "-5ms"`,
			},
		},
		{
			name: "voltages without or with a wrong unit",
			src:  bioNet(neuron("v_rest: -65mV, v_reset: -70mV", "v_rest: -65, v_reset: -70mv"), bioProj),
			want: []string{
				`net.yaml:6:51: v_rest needs a unit, e.g. -65mV; got -65 with no unit (units: mV, V)`,
				`net.yaml:6:65: unknown unit "mv" in v_reset; did you mean "mV"? (units: mV, V)`,
			},
		},
		{
			name: "not a voltage",
			src:  bioNet(neuron("v_init: -60mV", "v_init: [-60mV]"), bioProj),
			want: []string{`net.yaml:6:95: v_init must be a string; got a list`},
		},
		{
			name: "missing fields",
			src:  bioNet("{tau_mem: 20ms, v_reset: -70mV}", bioProj),
			want: []string{
				`net.yaml:6:13: missing mandatory field "tau_syn" in neuron (model lif under units: bio needs tau_mem, tau_syn and v_rest; model if has none)`,
				`net.yaml:6:13: missing mandatory field "v_rest" in neuron`,
				`net.yaml:6:13: missing mandatory field "v_th" in neuron (units: bio needs v_reset and v_th)`,
			},
		},
		{
			name: "model if refuses the leak",
			src:  bioNet("{model: if, tau_mem: 20ms, v_rest: 0mV, v_reset: 0mV, v_th: 1mV}", bioProj),
			want: []string{
				`net.yaml:6:25: model if has no leak and no synaptic filter (du=4095, dv=0); remove tau_mem`,
				`net.yaml:6:40: model if has no leak and no synaptic filter (du=4095, dv=0); remove v_rest`,
			},
		},
		{
			name: "refractory too long",
			src:  bioNet(neuron("refractory: 2ms", "refractory: 64ms"), bioProj),
			want: []string{`net.yaml:6:114: refractory 64ms is 64 steps of dt 1ms; it must be at most 63 steps (63ms)`},
		},
		{
			name: "hardware options under bio",
			src:  bioNet(neuron("refractory: 2ms", "refractory_steps: 2, theta_step: 1"), bioProj),
			want: []string{
				`net.yaml:6:102: refractory_steps is a units: hardware field; under units: bio give refractory (a duration, such as 2ms) instead`,
				`net.yaml:6:123: theta_step is not supported under units: bio yet`,
			},
		},
		{
			name: "bio fields under hardware",
			src:  withNeuron("{du: 1, dv: 1, v_th: -50mV, refractory: 2ms}"),
			want: []string{
				`net.yaml:6:28: v_th is a units: bio field; under units: hardware give vth instead (or set units: bio)`,
				`net.yaml:6:41: refractory is a units: bio field; under units: hardware give refractory_steps instead`,
			},
		},
		{
			name: "weights",
			src: bioNet(bioNeuron, "  - {pre: in, post: exc, connectivity: all_to_all, weight: 100}\n"+
				"  - {pre: in, post: exc, connectivity: all_to_all, weight: 1mV, weight_exp: 2}\n"+
				"  - {pre: in, post: exc, connectivity: {list: [[0, 0, 5]]}}\n"+
				"  - {pre: in, post: exc, connectivity: all_to_all, weight: {uniform: [0.9mV, 0.1mV], seed: 1}}\n"),
			want: []string{
				`net.yaml:12:60: weight needs a unit, e.g. 100mV; got 100 with no unit (units: mV, V)`,
				`net.yaml:13:65: weight_exp is chosen by the conversion under units: bio`,
				`net.yaml:14:55: list[0] weight needs a unit`,
				`net.yaml:15:70: uniform lo 0.9mV is greater than hi 0.1mV`,
			},
		},
		{
			name: "plastic projection under bio",
			src:  bioNet(bioNeuron, "  - {pre: in, post: exc, connectivity: all_to_all, weight: 1mV, plasticity: {rule: pair_stdp}}\n"),
			want: []string{`net.yaml:12:65: plastic projections are not supported under units: bio yet`},
		},
		{
			name: "units misspelt",
			src:  strings.Replace(bioNet(bioNeuron, bioProj), "units: bio", "units: biological", 1),
			// The rest of the file is read as the suggested units.
			want: []string{`net.yaml:2:8: unknown units "biological"; did you mean "bio"? (allowed: hardware, bio)`},
		},
		{
			name: "JSON",
			path: "net.json",
			src: `{"dt": "1ms", "units": "bio", "populations": [{"name": "exc", "size": 1,
 "neuron": {"tau_mem": "20ms", "tau_syn": 5, "v_rest": "-65mV", "v_reset": "-70mV", "v_th": "-80mV"}}]}`,
			want: []string{
				`net.json:2:43: tau_syn needs a unit, e.g. 1ms; got 5 with no unit`,
				`net.json:2:93: v_th -80mV must be greater than v_reset -70mV`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertParseErrors(t, tc.path, tc.src, tc.want...)
		})
	}
}
