package netfile_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/core/learn"
)

// TestParsePlasticity checks every field of two plastic projections, one
// with a named rule and one with rule text.
func TestParsePlasticity(t *testing.T) {
	const file = "testdata/plasticity.yaml"
	g, err := netfile.ParseFile(file)
	require.NoError(t, err)
	at := func(line, col int) graph.Pos { return graph.Pos{File: file, Line: line, Col: col} }
	want := []graph.Projection{
		{
			Name: "stdp", Pre: "stim", Post: "out", Pos: at(14, 5),
			Conn:   graph.Connectivity{Kind: graph.AllToAll},
			Weight: 50, WeightExp: 1,
			Plasticity: &graph.Plasticity{
				Rule:    learn.PairSTDP,
				RulePos: at(21, 13),
				TEpoch:  2,
				Traces: [5]learn.Trace{
					{Impulse: 16, Tau: 8}, {}, // x1, x2
					{Impulse: 16, Tau: 8}, {}, {}, // y1, y2, y3
				},
				SignMode:      learn.Excitatory,
				NumWeightBits: 8,
				Pos:           at(21, 7),
			},
		},
		{
			Name: "triplet", Pre: "stim", Post: "out", Pos: at(26, 5),
			Conn:   graph.Connectivity{Kind: graph.AllToAll},
			Weight: -20,
			Plasticity: &graph.Plasticity{
				Rule:    learn.TripletSTDP,
				RulePos: at(32, 14), // inside the quotes
				TEpoch:  1,
				Traces: [5]learn.Trace{
					{Impulse: 16, Tau: 8}, {Impulse: 8, Tau: 40},
					{Impulse: 16, Tau: 8}, {Impulse: 8, Tau: 40}, {Impulse: 0.5, Tau: 0},
				},
				SignMode:      learn.Inhibitory,
				NumWeightBits: 6,
				Pos:           at(32, 7),
			},
		},
	}
	assert.Equal(t, want, g.Projections)
}

// plastic is a network of an input "in" (3 channels) and a population "out"
// (2 neurons) whose one projection, in -> out, starts on line 8 and ends
// with proj, from line 10.
func plastic(proj string) string {
	return "dt: 1ms\nunits: hardware\npopulations:\n  - {name: out, size: 2, neuron: {du: 1, dv: 1, vth: 10}}\n" +
		"inputs:\n  - {name: in, size: 3, poisson: {rate_hz: 10, seed: 1}}\nprojections:\n  - pre: in\n    post: out\n" + proj
}

// withRule is plastic with an all_to_all projection of weight 50 whose
// plasticity block (line 12) has rule (line 13, the value from column 13)
// and then the lines of more.
func withRule(rule, more string) string {
	return plastic("    connectivity: all_to_all\n    weight: 50\n    plasticity:\n      rule: " + rule + "\n" + more)
}

// TestPlasticityDefaults checks the defaults of every optional field.
func TestPlasticityDefaults(t *testing.T) {
	g, err := netfile.Parse("net.yaml", []byte(withRule("pair_stdp", "")))
	require.NoError(t, err)
	require.Len(t, g.Projections, 1)
	assert.Equal(t, &graph.Plasticity{
		Rule:          learn.PairSTDP,
		RulePos:       graph.Pos{File: "net.yaml", Line: 13, Col: 13},
		TEpoch:        1,
		NumWeightBits: 8,
		SignMode:      learn.Mixed,
		Pos:           graph.Pos{File: "net.yaml", Line: 13, Col: 7},
	}, g.Projections[0].Plasticity)

	g, err = netfile.Parse("net.yaml", []byte(plastic("    connectivity: all_to_all\n    weight: 50\n")))
	require.NoError(t, err)
	assert.Nil(t, g.Projections[0].Plasticity, "no plasticity: fixed weights")
}

// TestPlasticityRules checks that named rules are expanded to their text and
// that rule text is kept as written, with the position of its first
// character.
func TestPlasticityRules(t *testing.T) {
	for _, tc := range []struct {
		name, rule string
		path       string // default net.yaml
		want       string
		col        int // of RulePos, on line 13
	}{
		{name: "pair_stdp", rule: "pair_stdp", want: learn.PairSTDP, col: 13},
		{name: "multiplicative_stdp", rule: "multiplicative_stdp", want: learn.MultiplicativeSTDP, col: 13},
		{name: "triplet_stdp", rule: "triplet_stdp", want: learn.TripletSTDP, col: 13},
		{name: "named rule quoted", rule: `"pair_stdp"`, want: learn.PairSTDP, col: 13},
		{name: "text of pair_stdp", rule: learn.PairSTDP, want: learn.PairSTDP, col: 13},
		{name: "text double-quoted", rule: `"x1*y0 - y1*x0"`, want: "x1*y0 - y1*x0", col: 14},
		{name: "text single-quoted", rule: `'  x1*y0'`, want: "  x1*y0", col: 14},
		{name: "text with u and brackets", rule: "(x1 - 3)*y0 + sgn(w - 50)*y0 + 2^-4*u1*y3", want: "(x1 - 3)*y0 + sgn(w - 50)*y0 + 2^-4*u1*y3", col: 13},
		{name: "a lone dependency", rule: "y0", want: "y0", col: 13},
		{name: "JSON", path: "net.json", rule: `"2^-2*x1*y0"`, want: "2^-2*x1*y0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, src := tc.path, withRule(tc.rule, "")
			if path == "" {
				path = "net.yaml"
			} else {
				src = `{"dt": "1ms", "units": "hardware", "populations": [{"name": "p", "size": 2, "neuron": {"du": 1, "dv": 1, "vth": 1}}],
"projections": [{"pre": "p", "post": "p", "connectivity": "all_to_all", "weight": 1, "plasticity": {"rule": ` + tc.rule + `}}]}`
				tc.col = 110 // inside the quotes, on line 2
			}
			g, err := netfile.Parse(path, []byte(src))
			require.NoError(t, err)
			pl := g.Projections[0].Plasticity
			require.NotNil(t, pl)
			assert.Equal(t, tc.want, pl.Rule)
			line := 13
			if path == "net.json" {
				line = 2
			}
			assert.Equal(t, graph.Pos{File: path, Line: line, Col: tc.col}, pl.RulePos)
			_, err = learn.ParseRule(pl.Rule)
			assert.NoError(t, err)
		})
	}
}

// TestPlasticityErrors checks every mistake in a plastic projection, each
// at its line:col.
func TestPlasticityErrors(t *testing.T) {
	const unknownVar = `invalid rule: unknown variable "z1": expected x0, x1, x2, y0, y1, y2, y3, w, t, d or u<k>`
	for _, tc := range []struct {
		name string
		path string // default net.yaml
		src  string
		want []string
	}{
		// The rule: syntax errors at their character in the file.
		{
			name: "rule syntax, plain",
			src:  withRule("2^-2*x1*y0 - 2^-2*z1*x0", ""),
			want: []string{"net.yaml:13:31: " + unknownVar},
		},
		{
			name: "rule syntax, double-quoted",
			src:  withRule(`"2^-2*x1*y0 - 2^-2*z1*x0"`, ""),
			want: []string{"net.yaml:13:32: " + unknownVar},
		},
		{
			name: "rule syntax, double-quoted with escapes",
			src:  withRule(`"2^-2*x1*y0\t- \x32^-2*z1*x0"`, ""),
			want: []string{"net.yaml:13:36: " + unknownVar},
		},
		{
			name: "rule syntax, single-quoted with a quote",
			src:  withRule(`'x1*y0 '' y1*x0'`, ""),
			want: []string{`net.yaml:13:20: invalid rule: expected "*", "+", "-" or the end of the rule, got "'"`},
		},
		{
			name: "rule syntax, plain on two lines",
			src:  withRule("2^-2*x1*y0\n        - 2^-2*z1*x0", ""),
			want: []string{"net.yaml:14:16: " + unknownVar},
		},
		{
			name: "rule syntax, quoted on three lines",
			src:  withRule("\"2^-2*x1*y0 \n\n   - 2^-2*z1*x0\"", ""),
			want: []string{"net.yaml:15:11: " + unknownVar},
		},
		{
			name: "rule syntax at the end of the rule",
			src:  withRule("x1*y0 -", ""),
			want: []string{`net.yaml:13:20: invalid rule: expected a variable (x0, x1, x2, y0, y1, y2, y3, w, t, d) or a number, got the end of the rule`},
		},
		{
			name: "rule syntax, end of a quoted rule",
			src:  withRule(`"x1*y0 - "`, ""),
			want: []string{`net.yaml:13:22: invalid rule: expected a variable`},
		},
		{
			name: "rule without dependency",
			src:  withRule("2^-2*x1*y0 - 2^-2*y1", ""),
			want: []string{`net.yaml:13:24: invalid rule: product "- 2^-2*y1" has no dependency: multiply it by x0, y0 or u<k>`},
		},
		{
			name: "rule syntax after multi-byte characters",
			src:  withRule(`"x1*y0 - y1*x0 é"`, ""),
			want: []string{`net.yaml:13:28: invalid rule: expected "*", "+", "-" or the end of the rule, got "é"`},
		},
		{
			name: "rule syntax in a literal block: at the value, with the character",
			src:  withRule("|\n        2^-2*x1*y0 - 2^-2*z1*x0", ""),
			want: []string{`net.yaml:13:13: invalid rule: at character 19 of the rule: unknown variable "z1"`},
		},
		{
			name: "rule syntax in a folded block",
			src:  withRule(">\n        x1*y0\n        - z1*x0", ""),
			want: []string{`net.yaml:13:13: invalid rule: at character 9 of the rule: unknown variable "z1"`},
		},
		{
			name: "rule syntax through an alias: once, at the anchor",
			src: withRule("&r x1*y0 - z1*x0", "") +
				"  - {pre: in, post: out, connectivity: all_to_all, weight: 1, plasticity: {rule: *r}}\n",
			want: []string{"net.yaml:13:24: " + unknownVar},
		},
		{
			name: "rule syntax after a tag",
			src:  withRule("!!str x1*y0 - z1*x0", ""),
			want: []string{"net.yaml:13:27: " + unknownVar},
		},
		{
			name: "rule syntax in JSON, with an escape",
			path: "net.json",
			src: `{"dt": "1ms", "units": "hardware", "populations": [{"name": "p", "size": 2, "neuron": {"du": 1, "dv": 1, "vth": 1}}],
"projections": [{"pre": "p", "post": "p", "connectivity": "all_to_all", "weight": 1, "plasticity": {"rule": "x1*y0\u0020-\t z1*x0"}}]}`,
			want: []string{"net.json:2:125: " + unknownVar},
		},
		{
			name: "empty rule",
			src:  withRule(`""`, ""),
			want: []string{`net.yaml:13:14: invalid rule: empty rule`},
		},
		// Named rules.
		{
			name: "unknown named rule",
			src:  withRule("hebbian", ""),
			want: []string{`net.yaml:13:13: unknown named rule "hebbian" (named rules: multiplicative_stdp, pair_stdp, triplet_stdp; or write the rule itself, such as "2^-2*x1*y0 - 2^-2*y1*x0")`},
		},
		{
			name: "misspelt named rule",
			src:  withRule("pair_stpd", ""),
			want: []string{`net.yaml:13:13: unknown named rule "pair_stpd"; did you mean "pair_stdp"?`},
		},
		{
			name: "named rule in another case",
			src:  withRule("Triplet-STDP", ""),
			want: []string{`net.yaml:13:13: unknown named rule "Triplet-STDP"; did you mean "triplet_stdp"?`},
		},
		{
			name: "a synonym of a named rule",
			src:  withRule("stdp", ""),
			want: []string{`net.yaml:13:13: unknown named rule "stdp"; did you mean "pair_stdp"?`},
		},
		{
			name: "rule missing",
			src:  plastic("    connectivity: all_to_all\n    weight: 50\n    plasticity: {t_epoch: 2}\n"),
			want: []string{`net.yaml:12:17: missing mandatory field "rule" in plasticity`},
		},
		{
			name: "rule not a string",
			src:  withRule("12", ""),
			want: []string{`net.yaml:13:13: rule must be a string (quote it if it looks like a number or a boolean); got 12`},
		},
		// The projection around it.
		{
			name: "one_to_one",
			src:  plastic("    connectivity: one_to_one\n    weight: 50\n    plasticity: {rule: pair_stdp}\n"),
			want: []string{
				`net.yaml:10:19: one_to_one needs pre and post of the same size`,
				`net.yaml:10:19: plastic projections must be all_to_all for now; this one is one_to_one (use connectivity: all_to_all, or remove plasticity)`,
			},
		},
		{
			name: "fixed_probability",
			src:  plastic("    connectivity: {fixed_probability: {p: 0.5, seed: 1}}\n    weight: 50\n    plasticity: {rule: pair_stdp}\n"),
			want: []string{`net.yaml:10:19: plastic projections must be all_to_all for now; this one is fixed_probability`},
		},
		{
			name: "list",
			src:  plastic("    connectivity: {list: [[0, 0, 5]]}\n    plasticity: {rule: pair_stdp}\n"),
			want: []string{`net.yaml:10:19: plastic projections must be all_to_all for now; this one is list`},
		},
		{
			name: "delay",
			src:  plastic("    connectivity: all_to_all\n    weight: 50\n    delay: 3\n    plasticity: {rule: pair_stdp}\n"),
			want: []string{`net.yaml:12:12: plastic synapses have no delay; got delay 3`},
		},
		{
			name: "weight below excitatory",
			src:  plastic("    connectivity: all_to_all\n    weight: -1\n    plasticity: {rule: pair_stdp, sign_mode: excitatory}\n"),
			want: []string{`net.yaml:11:13: weight -1 does not fit sign_mode excitatory: a plastic projection's weight must be in 0..255 (excitatory 0..255, inhibitory -255..0, mixed -256..255)`},
		},
		{
			name: "weight above inhibitory",
			src:  plastic("    connectivity: all_to_all\n    weight: 1\n    plasticity: {rule: pair_stdp, sign_mode: inhibitory}\n"),
			want: []string{`net.yaml:11:13: weight 1 does not fit sign_mode inhibitory: a plastic projection's weight must be in -255..0`},
		},
		{
			name: "weight -256 is mixed only",
			src:  plastic("    connectivity: all_to_all\n    weight: -256\n    plasticity: {rule: pair_stdp, sign_mode: inhibitory}\n"),
			want: []string{`net.yaml:11:13: weight -256 does not fit sign_mode inhibitory`},
		},
		// The block's fields.
		{
			name: "t_epoch 0",
			src:  withRule("pair_stdp", "      t_epoch: 0\n"),
			want: []string{`net.yaml:14:16: t_epoch must be in 1..63; got 0`},
		},
		{
			name: "t_epoch 64",
			src:  withRule("pair_stdp", "      t_epoch: 64\n"),
			want: []string{`net.yaml:14:16: t_epoch must be in 1..63; got 64`},
		},
		{
			name: "t_epoch a fraction",
			src:  withRule("pair_stdp", "      t_epoch: 1.5\n"),
			want: []string{`net.yaml:14:16: t_epoch must be an integer in 1..63; got 1.5, which is not a whole number`},
		},
		{
			name: "negative impulse",
			src:  withRule("pair_stdp", "      x1: {impulse: -1, tau: 8}\n"),
			want: []string{`net.yaml:14:21: x1 impulse must be in [0, 65536) (a trace saturates at 127 anyway); got -1`},
		},
		{
			name: "impulse too large",
			src:  withRule("pair_stdp", "      y3: {impulse: 65536, tau: 8}\n"),
			want: []string{`net.yaml:14:21: y3 impulse must be in [0, 65536)`},
		},
		{
			name: "negative tau",
			src:  withRule("pair_stdp", "      x2: {impulse: 1, tau: -0.5}\n"),
			want: []string{`net.yaml:14:29: x2 tau must be in [0, 1073741824] steps (0: the trace keeps nothing from one step to the next); got -0.5`},
		},
		{
			name: "tau too large",
			src:  withRule("pair_stdp", "      y2: {impulse: 1, tau: 1e10}\n"),
			want: []string{`net.yaml:14:29: y2 tau must be in [0, 1073741824] steps`},
		},
		{
			name: "tau not a number",
			src:  withRule("pair_stdp", "      y1: {impulse: 1, tau: 8ms}\n"),
			want: []string{`net.yaml:14:29: y1 tau must be a number; got the string "8ms"`},
		},
		{
			name: "trace without tau",
			src:  withRule("pair_stdp", "      y1: {impulse: 16}\n"),
			want: []string{`net.yaml:14:11: missing mandatory field "tau" in trace y1`},
		},
		{
			name: "trace not a mapping",
			src:  withRule("pair_stdp", "      x1: 16\n"),
			want: []string{`net.yaml:14:11: x1 must be a mapping of fields (impulse, tau); got 16`},
		},
		{
			name: "unknown field in a trace",
			src:  withRule("pair_stdp", "      x1: {impulse: 16, decay: 8}\n"),
			want: []string{`net.yaml:14:25: unknown field "decay" in trace; did you mean "tau"? (allowed: impulse, tau)`},
		},
		{
			name: "unknown sign mode",
			src:  withRule("pair_stdp", "      sign_mode: positive\n"),
			want: []string{`net.yaml:14:18: unknown sign_mode "positive" (allowed: mixed, excitatory, inhibitory)`},
		},
		{
			name: "misspelt sign mode",
			src:  withRule("pair_stdp", "      sign_mode: excitory\n"),
			want: []string{`net.yaml:14:18: unknown sign_mode "excitory"; did you mean "excitatory"? (allowed: mixed, excitatory, inhibitory)`},
		},
		{
			name: "num_weight_bits 0",
			src:  withRule("pair_stdp", "      num_weight_bits: 0\n"),
			want: []string{`net.yaml:14:24: num_weight_bits must be in 1..8; got 0`},
		},
		{
			name: "num_weight_bits 9",
			src:  withRule("pair_stdp", "      num_weight_bits: 9\n"),
			want: []string{`net.yaml:14:24: num_weight_bits must be in 1..8; got 9`},
		},
		{
			name: "unknown field in plasticity",
			src:  withRule("pair_stdp", "      epoch: 2\n"),
			want: []string{`net.yaml:14:7: unknown field "epoch" in plasticity; did you mean "t_epoch"? (allowed: rule, t_epoch, x1, x2, y1, y2, y3, sign_mode, num_weight_bits)`},
		},
		{
			name: "plasticity not a mapping",
			src:  plastic("    connectivity: all_to_all\n    weight: 50\n    plasticity: pair_stdp\n"),
			want: []string{`net.yaml:12:17: plasticity must be a mapping of fields (rule, t_epoch, x1, x2, y1, y2, y3, sign_mode, num_weight_bits); got the string "pair_stdp"`},
		},
		{
			name: "a synonym of plasticity",
			src:  plastic("    connectivity: all_to_all\n    weight: 50\n    learning: {rule: pair_stdp}\n"),
			want: []string{`net.yaml:12:5: unknown field "learning" in projection; did you mean "plasticity"?`},
		},
		{
			name: "every mistake at once",
			src:  plastic("    connectivity: one_to_one\n    weight: 50\n    delay: 1\n    plasticity:\n      rule: x1*y0 - y1\n      t_epoch: 99\n      sign_mode: inhibitory\n"),
			want: []string{
				`net.yaml:10:19: one_to_one needs pre and post of the same size`,
				`net.yaml:10:19: plastic projections must be all_to_all for now`,
				`net.yaml:11:13: weight 50 does not fit sign_mode inhibitory`,
				`net.yaml:12:12: plastic synapses have no delay`,
				`net.yaml:14:19: invalid rule: product "- y1" has no dependency`,
				`net.yaml:15:16: t_epoch must be in 1..63; got 99`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertParseErrors(t, tc.path, tc.src, tc.want...)
		})
	}
}

// TestPlasticityWeightExp checks that weight_exp is allowed on a plastic
// projection, and delay 0 too.
func TestPlasticityWeightExp(t *testing.T) {
	src := plastic("    connectivity: all_to_all\n    weight: -256\n    weight_exp: -8\n    delay: 0\n    plasticity: {rule: multiplicative_stdp, t_epoch: 63, num_weight_bits: 1}\n")
	g, err := netfile.Parse("net.yaml", []byte(src))
	require.NoError(t, err)
	pr := g.Projections[0]
	assert.Equal(t, [3]int32{-256, -8, 0}, [3]int32{pr.Weight, pr.WeightExp, pr.Delay})
	assert.Equal(t, int32(63), pr.Plasticity.TEpoch)
	assert.Equal(t, int32(1), pr.Plasticity.NumWeightBits)
	assert.True(t, strings.Contains(pr.Plasticity.Rule, "w*y1"))
}
