package netfile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/core"
)

// withNeuron is a network of one population of 2 neurons whose neuron
// mapping, written on line 6 from column 13, is neuron.
func withNeuron(neuron string) string {
	return "dt: 1ms\nunits: hardware\npopulations:\n  - name: p\n    size: 2\n    neuron: " + neuron + "\n"
}

// TestNeuronModelOptions checks the model and every option in the graph.
func TestNeuronModelOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		neuron string
		path   string // default net.yaml
		model  string
		du, dv int32
		opts   core.Model
	}{
		{
			name:   "defaults: lif, plain",
			neuron: "{du: 410, dv: 200, vth: 100}",
			model:  "lif", du: 410, dv: 200,
		},
		{
			name:   "lif with every option at its maximum",
			neuron: "{model: lif, du: 1, dv: 2, vth: 100, refractory_steps: 63, theta_step: 131071, dtheta: 4095, graded_bits: 8, noise: v, noise_exp: 16}",
			model:  "lif", du: 1, dv: 2,
			opts: core.Model{RefractorySteps: 63, ThetaStep: 131071, DTheta: 4095, GradedBits: 8, NoiseTarget: core.NoiseV, NoiseExp: 16},
		},
		{
			name:   "options at their minimum are the plain model",
			neuron: "{du: 1, dv: 2, vth: 100, refractory_steps: 0, theta_step: 0, graded_bits: 0, noise: none}",
			model:  "lif", du: 1, dv: 2,
		},
		{
			name:   "if sets the decays",
			neuron: "{model: if, vth: 100}",
			model:  "if", du: 4095, dv: 0,
		},
		{
			name:   "if with options",
			neuron: "{model: if, vth: 100, refractory_steps: 1, theta_step: 1, dtheta: 0, graded_bits: 1, noise: u, noise_exp: 0}",
			model:  "if", du: 4095, dv: 0,
			opts: core.Model{RefractorySteps: 1, ThetaStep: 1, GradedBits: 1, NoiseTarget: core.NoiseU},
		},
		{
			name:   "theta_step without dtheta, noise without noise_exp",
			neuron: "{du: 0, dv: 0, vth: 1, theta_step: 7, noise: u}",
			model:  "lif",
			opts:   core.Model{ThetaStep: 7, NoiseTarget: core.NoiseU},
		},
		{
			name:   "JSON",
			path:   "net.json",
			neuron: `{"model": "if", "vth": 3, "theta_step": 2, "dtheta": 100, "graded_bits": 4, "noise": "v", "noise_exp": 3}`,
			model:  "if", du: 4095, dv: 0,
			opts: core.Model{ThetaStep: 2, DTheta: 100, GradedBits: 4, NoiseTarget: core.NoiseV, NoiseExp: 3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, src := tc.path, withNeuron(tc.neuron)
			if path == "" {
				path = "net.yaml"
			} else {
				src = `{"dt": "1ms", "units": "hardware", "populations": [{"name": "p", "size": 2, "neuron": ` + tc.neuron + `}]}`
			}
			g, err := netfile.Parse(path, []byte(src))
			require.NoError(t, err)
			n := g.Populations[0].Neuron
			assert.Equal(t, tc.model, n.Model, "model")
			assert.Equal(t, [2]int32{tc.du, tc.dv}, [2]int32{n.Du, n.Dv}, "du, dv")
			assert.Equal(t, tc.opts, n.Options, "options")
			assert.NoError(t, n.Options.Validate())
			assert.Equal(t, []int32{0, 0}, n.BiasMant, "the per-neuron fields are still expanded")
		})
	}
}

// TestParseModelOptions checks the neurons of testdata/model_options.yaml,
// the example of the documentation.
func TestParseModelOptions(t *testing.T) {
	g, err := netfile.ParseFile("testdata/model_options.yaml")
	require.NoError(t, err)
	zeros := func(n int) []int32 { return make([]int32, n) }
	assert.Equal(t, graph.NeuronParams{
		Model: "if", Du: 4095, Dv: 0, Vth: 10,
		BiasMant: zeros(2), BiasExp: zeros(2), UInit: zeros(2), VInit: zeros(2),
		Options: core.Model{RefractorySteps: 3},
	}, g.Population("counter").Neuron)
	assert.Equal(t, graph.NeuronParams{
		Model: "lif", Du: 410, Dv: 410, Vth: 100,
		BiasMant: zeros(4), BiasExp: zeros(4), UInit: zeros(4), VInit: zeros(4),
		Options: core.Model{ThetaStep: 20, DTheta: 256, GradedBits: 3, NoiseTarget: core.NoiseV, NoiseExp: 4},
	}, g.Population("adaptive").Neuron)
}

// TestNeuronModelOptionErrors checks each mistake with the model and its
// options, at its exact place.
func TestNeuronModelOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		// Ranges.
		{
			name: "refractory_steps too large",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, refractory_steps: 64}"),
			want: []string{`net.yaml:6:54: refractory_steps must be in 0..63; got 64`},
		},
		{
			name: "refractory_steps negative",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, refractory_steps: -1}"),
			want: []string{`net.yaml:6:54: refractory_steps must be in 0..63; got -1`},
		},
		{
			name: "theta_step too large",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, theta_step: 131072}"),
			want: []string{`net.yaml:6:48: theta_step must be in 0..131071; got 131072`},
		},
		{
			name: "dtheta too large",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, theta_step: 1, dtheta: 4096}"),
			want: []string{`net.yaml:6:59: dtheta must be in 0..4095; got 4096`},
		},
		{
			name: "graded_bits too large",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, graded_bits: 9}"),
			want: []string{`net.yaml:6:49: graded_bits must be in 0..8; got 9`},
		},
		{
			name: "noise_exp too large",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: u, noise_exp: 17}"),
			want: []string{`net.yaml:6:57: noise_exp must be in 0..16; got 17`},
		},
		{
			name: "noise_exp negative",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: v, noise_exp: -2}"),
			want: []string{`net.yaml:6:57: noise_exp must be in 0..16; got -2`},
		},
		{
			name: "an option as a string",
			src:  withNeuron(`{du: 1, dv: 1, vth: 1, graded_bits: "4"}`),
			want: []string{`net.yaml:6:49: graded_bits must be an integer in 0..8; got the string "4"; remove the quotes`},
		},
		{
			name: "an option per neuron",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, refractory_steps: [1, 2]}"),
			want: []string{`net.yaml:6:54: refractory_steps must be one integer in 0..63 for the whole population (its neurons share one model); got a list`},
		},
		// The model.
		{
			name: "model unknown",
			src:  withNeuron("{model: adex, du: 1, dv: 1, vth: 1}"),
			want: []string{`net.yaml:6:21: unknown neuron model "adex" (allowed: lif, if)`},
		},
		{
			name: "model in capitals, and no guess about du and dv",
			src:  withNeuron("{model: IF, vth: 1}"),
			want: []string{`net.yaml:6:21: unknown neuron model "IF"; did you mean "if"? (allowed: lif, if)`},
		},
		{
			name: "model synonym",
			src:  withNeuron("{model: integrate-and-fire, vth: 1}"),
			want: []string{`net.yaml:6:21: unknown neuron model "integrate-and-fire"; did you mean "if"? (allowed: lif, if)`},
		},
		{
			name: "model not a string",
			src:  withNeuron("{model: 1, du: 1, dv: 1, vth: 1}"),
			want: []string{`net.yaml:6:21: model must be a string (quote it if it looks like a number or a boolean); got 1`},
		},
		{
			name: "if with du",
			src:  withNeuron("{model: if, du: 4095, vth: 1}"),
			want: []string{`net.yaml:6:29: model if fixes du=4095 and dv=0; remove du`},
		},
		{
			name: "if with du and dv, in a block mapping",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: p\n    size: 2\n    neuron:\n      model: if\n      du: 0\n      dv: 0\n      vth: 1\n",
			want: []string{
				`net.yaml:8:11: model if fixes du=4095 and dv=0; remove du`,
				`net.yaml:9:11: model if fixes du=4095 and dv=0; remove dv`,
			},
		},
		{
			name: "if with an invalid dv says only to remove it",
			src:  withNeuron("{model: if, dv: -3, vth: 1}"),
			want: []string{`net.yaml:6:29: model if fixes du=4095 and dv=0; remove dv`},
		},
		{
			name: "lif without du",
			src:  withNeuron("{dv: 1, vth: 1}"),
			want: []string{`net.yaml:6:13: missing mandatory field "du" in neuron (model lif needs du and dv; model if sets them)`},
		},
		{
			name: "explicit lif without du and dv",
			src:  withNeuron("{model: lif, vth: 1}"),
			want: []string{
				`net.yaml:6:13: missing mandatory field "du" in neuron`,
				`net.yaml:6:13: missing mandatory field "dv" in neuron`,
			},
		},
		{
			name: "a typo of du is not reported missing too",
			src:  withNeuron("{d_u: 1, dv: 1, vth: 1}"),
			want: []string{`net.yaml:6:14: unknown field "d_u" in neuron; did you mean "du"?`},
		},
		// dtheta needs theta_step.
		{
			name: "dtheta without theta_step",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, dtheta: 100}"),
			want: []string{`net.yaml:6:44: dtheta needs theta_step > 0, but theta_step is not given: the threshold never rises, so there is nothing to decay; give theta_step, or remove dtheta`},
		},
		{
			name: "dtheta 0 without theta_step",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, dtheta: 0}"),
			want: []string{`net.yaml:6:44: dtheta needs theta_step > 0, but theta_step is not given`},
		},
		{
			name: "dtheta with theta_step 0",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, theta_step: 0, dtheta: 100}"),
			want: []string{`net.yaml:6:59: dtheta needs theta_step > 0, but theta_step is 0`},
		},
		{
			name: "dtheta out of range and without theta_step",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, dtheta: 5000}"),
			want: []string{
				`net.yaml:6:44: dtheta must be in 0..4095; got 5000`,
				`net.yaml:6:44: dtheta needs theta_step > 0, but theta_step is not given`,
			},
		},
		{
			name: "dtheta with an invalid theta_step is not reported twice",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, theta_step: -1, dtheta: 100}"),
			want: []string{`net.yaml:6:48: theta_step must be in 0..131071; got -1`},
		},
		// noise and noise_exp.
		{
			name: "noise unknown",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: gaussian}"),
			want: []string{`net.yaml:6:43: unknown noise "gaussian" (allowed: none, u, v)`},
		},
		{
			name: "noise in capitals",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: V}"),
			want: []string{`net.yaml:6:43: unknown noise "V"; did you mean "v"? (allowed: none, u, v)`},
		},
		{
			name: "noise not a string",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: true}"),
			want: []string{`net.yaml:6:43: noise must be a string (quote it if it looks like a number or a boolean); got true (a boolean)`},
		},
		{
			name: "noise_exp without noise",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise_exp: 4}"),
			want: []string{`net.yaml:6:47: noise_exp needs noise u or v, but noise is not given (none); give noise: u or noise: v, or remove noise_exp`},
		},
		{
			name: "noise_exp with noise none",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: none, noise_exp: 0}"),
			want: []string{`net.yaml:6:60: noise_exp needs noise u or v, but noise is none`},
		},
		{
			name: "noise_exp with an unknown noise is not reported twice",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, noise: x, noise_exp: 4}"),
			want: []string{`net.yaml:6:43: unknown noise "x"`},
		},
		{
			name: "field name synonyms",
			src:  withNeuron("{du: 1, dv: 1, vth: 1, refractory_period: 2, noise_target: v}"),
			want: []string{
				`net.yaml:6:36: unknown field "refractory_period" in neuron; did you mean "refractory_steps"?`,
				`net.yaml:6:58: unknown field "noise_target" in neuron; did you mean "noise"?`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := netfile.Parse("net.yaml", []byte(tc.src))
			assert.Nil(t, g, "no graph with errors")
			assertErrors(t, err, tc.want...)
		})
	}
}

// TestNeuronModelOptionErrorsJSON checks the positions of the same rules in
// a JSON file.
func TestNeuronModelOptionErrorsJSON(t *testing.T) {
	src := `{"dt": "1ms", "units": "hardware", "populations": [
  {"name": "p", "size": 2,
   "neuron": {"model": "if", "du": 4095, "vth": 1, "dtheta": 3, "noise_exp": 2}}]}`
	_, err := netfile.Parse("net.json", []byte(src))
	assertErrors(t, err,
		`net.json:3:36: model if fixes du=4095 and dv=0; remove du`,
		`net.json:3:62: dtheta needs theta_step > 0`,
		`net.json:3:78: noise_exp needs noise u or v`,
	)
}
