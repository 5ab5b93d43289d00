package netfile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// withWeight is okHead with one all_to_all projection exc -> exc on line 8
// whose weight is w, written from column 61.
func withWeight(w string) string {
	return okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_all, weight: " + w + "}\n"
}

// jsonWithWeight is a JSON network whose one projection, on line 2, has the
// weight w, written from column 83.
func jsonWithWeight(w string) string {
	return `{"dt": "1ms", "units": "hardware", "populations": [{"name": "p", "size": 2, "neuron": {"du": 1, "dv": 1, "vth": 1}}],
"projections": [{"pre": "p", "post": "p", "connectivity": "all_to_all", "weight": ` + w + `}]}`
}

// TestParseRandomWeights checks every projection of the example of random
// weights: all_to_all, a list whose pairs mostly give no weight, plastic.
func TestParseRandomWeights(t *testing.T) {
	const file = "testdata/random_weights.yaml"
	g, err := netfile.ParseFile(file)
	require.NoError(t, err)
	at := func(line, col int) graph.Pos { return graph.Pos{File: file, Line: line, Col: col} }
	require.Len(t, g.Projections, 3)
	assert.Equal(t, graph.Projection{
		Name: "stim->out", Pre: "stim", Post: "out", Pos: at(14, 5),
		Conn:       graph.Connectivity{Kind: graph.AllToAll},
		Weight:     10,
		WeightInit: &graph.WeightInit{Lo: 10, Hi: 200, Seed: 7},
	}, g.Projections[0])
	assert.Equal(t, graph.Projection{
		Name: "out->out", Pre: "out", Post: "out", Pos: at(18, 5),
		Conn: graph.Connectivity{Kind: graph.List, Pairs: []graph.Pair{
			{Pre: 0, Post: 1}, {Pre: 1, Post: 2, Weight: ptr(-50)}, {Pre: 2, Post: 3},
		}},
		Weight:     -40,
		WeightInit: &graph.WeightInit{Lo: -40, Hi: -10, Seed: 8},
	}, g.Projections[1])
	learning := g.Projections[2]
	assert.Equal(t, int32(0), learning.Weight)
	assert.Equal(t, &graph.WeightInit{Lo: 0, Hi: 100, Seed: 9}, learning.WeightInit)
	require.NotNil(t, learning.Plasticity)
}

// TestWeightForms checks that a weight may be an integer, as always, or a
// random weight, in YAML and in JSON.
func TestWeightForms(t *testing.T) {
	for _, tc := range []struct {
		name, path, src string
		weight          int32
		init            *graph.WeightInit
	}{
		{name: "integer", src: withWeight("50"), weight: 50},
		{name: "negative integer", src: withWeight("-256"), weight: -256},
		{name: "random", src: withWeight("{uniform: [10, 200], seed: 7}"), weight: 10, init: &graph.WeightInit{Lo: 10, Hi: 200, Seed: 7}},
		{name: "random, one value", src: withWeight("{uniform: [-5, -5], seed: 0}"), weight: -5, init: &graph.WeightInit{Lo: -5, Hi: -5}},
		{name: "random, full range", src: withWeight("{seed: 18446744073709551615, uniform: [-256, 255]}"), weight: -256,
			init: &graph.WeightInit{Lo: -256, Hi: 255, Seed: 18446744073709551615}},
		{name: "random, block style", src: okHead + "projections:\n  - pre: exc\n    post: exc\n    connectivity: all_to_all\n    weight:\n      uniform:\n        - 0x10\n        - 0x20\n      seed: 0b11\n",
			weight: 16, init: &graph.WeightInit{Lo: 16, Hi: 32, Seed: 3}},
		{name: "random, merged from an alias", src: okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_all, weight: {<<: &w {uniform: [1, 2]}, seed: 3}}\n",
			weight: 1, init: &graph.WeightInit{Lo: 1, Hi: 2, Seed: 3}},
		{name: "JSON integer", path: "net.json", src: jsonWithWeight("50"), weight: 50},
		{name: "JSON random", path: "net.json", src: jsonWithWeight(`{"uniform": [10, 200], "seed": 7}`), weight: 10, init: &graph.WeightInit{Lo: 10, Hi: 200, Seed: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "net.yaml"
			}
			g, err := netfile.Parse(path, []byte(tc.src))
			require.NoError(t, err)
			require.Len(t, g.Projections, 1)
			assert.Equal(t, tc.weight, g.Projections[0].Weight)
			assert.Equal(t, tc.init, g.Projections[0].WeightInit)
		})
	}
}

// TestRandomWeightLists checks that a list with a random weight needs no
// weight in its pairs: those that give one keep it, the others draw.
func TestRandomWeightLists(t *testing.T) {
	src := okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {list: [[0, 1], [1, 2]]}, weight: {uniform: [1, 5], seed: 3}}\n" +
		"  - {pre: exc, post: exc, connectivity: {list: [[0, 1, 7], [2, 3]]}, weight: {uniform: [-9, 9], seed: 4}}\n"
	g, err := netfile.Parse("net.yaml", []byte(src))
	require.NoError(t, err)
	require.Len(t, g.Projections, 2)
	assert.Equal(t, []graph.Pair{{Pre: 0, Post: 1}, {Pre: 1, Post: 2}}, g.Projections[0].Conn.Pairs)
	assert.Equal(t, &graph.WeightInit{Lo: 1, Hi: 5, Seed: 3}, g.Projections[0].WeightInit)
	assert.Equal(t, []graph.Pair{{Pre: 0, Post: 1, Weight: ptr(7)}, {Pre: 2, Post: 3}}, g.Projections[1].Conn.Pairs)
	assert.Equal(t, &graph.WeightInit{Lo: -9, Hi: 9, Seed: 4}, g.Projections[1].WeightInit)
}

// TestPlasticRandomWeights checks that both bounds of a plastic projection's
// random weight must fit its sign mode.
func TestPlasticRandomWeights(t *testing.T) {
	// The weight is on line 11, from column 13; lo is at column 24.
	proj := func(uniform, mode string) string {
		return plastic("    connectivity: all_to_all\n    weight: {uniform: " + uniform + ", seed: 1}\n    plasticity: {rule: pair_stdp, sign_mode: " + mode + "}\n")
	}
	for _, tc := range []struct {
		name, uniform, mode string
		want                []string // none: valid
	}{
		{name: "mixed, full range", uniform: "[-256, 255]", mode: "mixed"},
		{name: "excitatory, full range", uniform: "[0, 255]", mode: "excitatory"},
		{name: "inhibitory, full range", uniform: "[-255, 0]", mode: "inhibitory"},
		{
			name: "lo below excitatory", uniform: "[-20, 100]", mode: "excitatory",
			want: []string{`net.yaml:11:24: uniform lo -20 does not fit sign_mode excitatory: a plastic projection's weights must all be in 0..255 (excitatory 0..255, inhibitory -255..0, mixed -256..255)`},
		},
		{
			name: "hi above inhibitory", uniform: "[-100, 10]", mode: "inhibitory",
			want: []string{`net.yaml:11:30: uniform hi 10 does not fit sign_mode inhibitory: a plastic projection's weights must all be in -255..0`},
		},
		{
			name: "-256 is mixed only", uniform: "[-256, 0]", mode: "inhibitory",
			want: []string{`net.yaml:11:24: uniform lo -256 does not fit sign_mode inhibitory`},
		},
		{
			name: "both bounds outside", uniform: "[10, 200]", mode: "inhibitory",
			want: []string{
				`net.yaml:11:24: uniform lo 10 does not fit sign_mode inhibitory`,
				`net.yaml:11:28: uniform hi 200 does not fit sign_mode inhibitory`,
			},
		},
		{
			// Bounds in the wrong order are reported once, not checked
			// against the sign mode.
			name: "lo above hi", uniform: "[200, -10]", mode: "excitatory",
			want: []string{`net.yaml:11:23: uniform lo 200 is greater than hi -10; write the bounds in order, as [-10, 200]`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := netfile.Parse("net.yaml", []byte(proj(tc.uniform, tc.mode)))
			if tc.want == nil {
				require.NoError(t, err)
				pr := g.Projections[0]
				require.NotNil(t, pr.WeightInit)
				require.NotNil(t, pr.Plasticity)
				assert.Equal(t, pr.WeightInit.Lo, pr.Weight)
				return
			}
			assert.Nil(t, g, "no graph with errors")
			assertErrors(t, err, tc.want...)
		})
	}
}

// TestRandomWeightErrors checks each mistake in a random weight, at its
// place.
func TestRandomWeightErrors(t *testing.T) {
	for _, tc := range []struct {
		name, path, src string
		want            []string
	}{
		{
			name: "lo above hi",
			src:  withWeight("{uniform: [200, 10], seed: 7}"),
			want: []string{`net.yaml:8:71: uniform lo 200 is greater than hi 10; write the bounds in order, as [10, 200]`},
		},
		{
			name: "hi out of range",
			src:  withWeight("{uniform: [10, 300], seed: 7}"),
			want: []string{`net.yaml:8:76: uniform hi must be in -256..255; got 300`},
		},
		{
			name: "lo out of range",
			src:  withWeight("{uniform: [-300, 10], seed: 7}"),
			want: []string{`net.yaml:8:72: uniform lo must be in -256..255; got -300`},
		},
		{
			name: "bound not an integer",
			src:  withWeight("{uniform: [10.5, 20], seed: 1}"),
			want: []string{`net.yaml:8:72: uniform lo must be an integer in -256..255; got 10.5, which is not a whole number`},
		},
		{
			name: "bound as a string",
			src:  withWeight(`{uniform: [1, "20"], seed: 1}`),
			want: []string{`net.yaml:8:75: uniform hi must be an integer in -256..255; got the string "20"; remove the quotes`},
		},
		{
			name: "missing seed",
			src:  withWeight("{uniform: [10, 200]}"),
			want: []string{`net.yaml:8:61: missing mandatory field "seed" in weight`},
		},
		{
			name: "missing uniform",
			src:  withWeight("{seed: 7}"),
			want: []string{`net.yaml:8:61: missing mandatory field "uniform" in weight`},
		},
		{
			name: "empty mapping",
			src:  withWeight("{}"),
			want: []string{
				`net.yaml:8:61: missing mandatory field "uniform" in weight`,
				`net.yaml:8:61: missing mandatory field "seed" in weight`,
			},
		},
		{
			name: "misspelt seed",
			src:  withWeight("{uniform: [10, 200], sed: 7}"),
			want: []string{`net.yaml:8:82: unknown field "sed" in weight; did you mean "seed"? (allowed: uniform, seed)`},
		},
		{
			name: "misspelt uniform",
			src:  withWeight("{unifrom: [10, 200], seed: 7}"),
			want: []string{`net.yaml:8:62: unknown field "unifrom" in weight; did you mean "uniform"? (allowed: uniform, seed)`},
		},
		{
			name: "a synonym of uniform",
			src:  withWeight("{range: [10, 200], seed: 7}"),
			want: []string{`net.yaml:8:62: unknown field "range" in weight; did you mean "uniform"? (allowed: uniform, seed)`},
		},
		{
			name: "bounds as two fields",
			src:  withWeight("{min: 10, max: 200, seed: 7}"),
			want: []string{
				`net.yaml:8:62: unknown field "min" in weight; did you mean "uniform"? (allowed: uniform, seed)`,
				`net.yaml:8:71: unknown field "max" in weight; did you mean "uniform"? (allowed: uniform, seed)`,
			},
		},
		{
			name: "another distribution",
			src:  withWeight("{normal: [100, 20], seed: 7}"),
			want: []string{
				`net.yaml:8:61: missing mandatory field "uniform" in weight`,
				`net.yaml:8:62: unknown field "normal" in weight (allowed: uniform, seed)`,
			},
		},
		{
			name: "uniform twice",
			src:  withWeight("{uniform: [1, 2], uniform: [3, 4], seed: 1}"),
			want: []string{`net.yaml:8:79: duplicate field "uniform" in weight; it is already given at 8:62`},
		},
		{
			name: "uniform not a list",
			src:  withWeight("{uniform: 10, seed: 7}"),
			want: []string{`net.yaml:8:71: uniform must be a list of two integers [lo, hi], each in -256..255; got 10`},
		},
		{
			name: "uniform of three values",
			src:  withWeight("{uniform: [10, 20, 30], seed: 7}"),
			want: []string{`net.yaml:8:71: uniform must be a list of two integers [lo, hi], each in -256..255; got 3 values`},
		},
		{
			name: "uniform empty",
			src:  withWeight("{uniform: [], seed: 7}"),
			want: []string{`net.yaml:8:71: uniform must be a list of two integers [lo, hi], each in -256..255; got 0 values`},
		},
		{
			name: "negative seed",
			src:  withWeight("{uniform: [10, 200], seed: -1}"),
			want: []string{`net.yaml:8:88: seed must be in 0..18446744073709551615; got -1`},
		},
		{
			name: "seed not an integer",
			src:  withWeight("{uniform: [10, 200], seed: abc}"),
			want: []string{`net.yaml:8:88: seed must be an integer in 0..18446744073709551615; got the string "abc"`},
		},
		{
			name: "every mistake at once",
			src:  withWeight("{uniform: [300, 10], seed: -1, sead: 2}"),
			want: []string{
				`net.yaml:8:72: uniform lo must be in -256..255; got 300`,
				`net.yaml:8:88: seed must be in 0..18446744073709551615; got -1`,
				`net.yaml:8:92: unknown field "sead" in weight; did you mean "seed"? (allowed: uniform, seed)`,
			},
		},
		{
			name: "weight as a list",
			src:  withWeight("[10, 200]"),
			want: []string{`net.yaml:8:61: weight must be an integer in -256..255, or a mapping {uniform: [lo, hi], seed: s} for random weights; got a list`},
		},
		{
			name: "integer weight out of range, as before",
			src:  withWeight("300"),
			want: []string{`net.yaml:8:61: weight must be in -256..255; got 300`},
		},
		{
			name: "weight missing",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_all}\n",
			want: []string{`net.yaml:8:5: missing mandatory field "weight" in projection (give weight: 100, or weight: {uniform: [lo, hi], seed: 1} for random weights)`},
		},
		{
			name: "weight missing from a list pair",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {list: [[0, 1, 5], [1, 2]]}}\n",
			want: []string{`net.yaml:8:5: missing mandatory field "weight" in projection (or give a weight in every pair of the list, as [pre, post, weight]; or a random weight, weight: {uniform: [lo, hi], seed: 1}, for the pairs without one)`},
		},
		{
			name: "JSON lo above hi",
			path: "net.json",
			src:  jsonWithWeight(`{"uniform": [200, 10], "seed": 7}`),
			want: []string{`net.json:2:95: uniform lo 200 is greater than hi 10`},
		},
		{
			name: "JSON misspelt seed",
			path: "net.json",
			src:  jsonWithWeight(`{"uniform": [10, 200], "sed": 7}`),
			want: []string{`net.json:2:106: unknown field "sed" in weight; did you mean "seed"?`},
		},
		{
			name: "JSON seed as a string",
			path: "net.json",
			src:  jsonWithWeight(`{"uniform": [10, 200], "seed": "7"}`),
			want: []string{`net.json:2:114: seed must be an integer in 0..18446744073709551615; got the string "7"; remove the quotes`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertParseErrors(t, tc.path, tc.src, tc.want...)
		})
	}
}
