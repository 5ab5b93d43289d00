package netfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// assertParseErrors parses src as a network file named path (net.yaml when
// empty) and checks that it gives no graph and exactly the wanted errors
// (assertErrors).
func assertParseErrors(t *testing.T, path, src string, want ...string) {
	t.Helper()
	if path == "" {
		path = "net.yaml"
	}
	g, err := netfile.Parse(path, []byte(src))
	assert.Nil(t, g, "no graph with errors")
	assertErrors(t, err, want...)
}

// assertErrors checks that err is a graph.ErrorList with exactly the wanted
// errors, in order. Each want is "position: part of the message".
func assertErrors(t *testing.T, err error, want ...string) {
	t.Helper()
	require.Error(t, err)
	var list graph.ErrorList
	require.True(t, errors.As(err, &list), "error is a %T, not a graph.ErrorList: %v", err, err)
	got := make([]string, len(list))
	for i, e := range list {
		got[i] = e.Error()
	}
	if !assert.Len(t, list, len(want), "errors:\n%s", strings.Join(got, "\n")) {
		return
	}
	for i, w := range want {
		pos, msg, ok := strings.Cut(w, ": ")
		require.True(t, ok, "want %q has no position", w)
		assert.Equal(t, pos, list[i].Pos.String(), "position of error %d: %s", i, got[i])
		assert.Contains(t, list[i].Msg, msg, "message of error %d", i)
	}
}

// A network file with one population, to which the cases below add mistakes.
const okHead = `dt: 1ms
units: hardware
populations:
  - name: exc
    size: 4
    neuron: {du: 410, dv: 410, vth: 100}
`

// TestParseErrors feeds the mistakes a new user makes and checks that each is
// reported once, at its place, saying what is wrong.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string // default net.yaml
		src  string
		want []string
	}{
		{
			name: "typo in a field",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    sise: 4\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:5: unknown field "sise" in population; did you mean "size"? (allowed: name, size, neuron)`},
		},
		{
			name: "typo with no close match lists the allowed fields",
			src:  okHead + "plasticity: stdp\n",
			want: []string{`net.yaml:7:1: unknown field "plasticity" in network (allowed: name, dt, units, populations, inputs, projections, probes)`},
		},
		{
			name: "synonym of a field",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {du: 410, dv: 410, threshold: 100}\n",
			want: []string{`net.yaml:6:32: unknown field "threshold" in neuron; did you mean "vth"?`},
		},
		{
			name: "negative size",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: -4\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:11: size must be in 1..16777216; got -4`},
		},
		{
			name: "size as a string",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: \"4\"\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:11: size must be an integer in 1..16777216; got the string "4"; remove the quotes`},
		},
		{
			name: "size as a fraction",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4.5\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:11: size must be an integer in 1..16777216; got 4.5, which is not a whole number`},
		},
		{
			name: "size as a float that is whole",
			path: "net.json",
			src:  `{"dt": "1ms", "units": "hardware", "inputs": [{"name": "a", "size": 4.0, "raster": {"spikes": []}}]}`,
			want: []string{`net.json:1:69: size must be an integer in 1..16777216; got 4.0: write integers without a decimal point or exponent, as 4`},
		},
		{
			name: "integer beyond int64",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 99999999999999999999999\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:11: size must be in 1..16777216; got 99999999999999999999999`},
		},
		{
			name: "leading zero",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {du: 0410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:6:18: du 0410 has a leading zero`},
		},
		{
			name: "missing population in a projection",
			src:  okHead + "projections:\n  - {pre: exc, post: inh, connectivity: all_to_all, weight: 1}\n",
			want: []string{`net.yaml:8:22: unknown population "inh" in post (defined: exc)`},
		},
		{
			name: "missing dt",
			src:  "units: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:1:1: missing mandatory field "dt" in network`},
		},
		{
			name: "dt without unit",
			src:  strings.Replace(okHead, "dt: 1ms", "dt: 1", 1),
			want: []string{`net.yaml:1:5: dt needs a unit, e.g. 1ms`},
		},
		{
			name: "dt with an unknown unit",
			src:  strings.Replace(okHead, "dt: 1ms", "dt: 1 sec", 1),
			want: []string{`net.yaml:1:5: unknown unit "sec" in dt`},
		},
		{
			name: "dt below a picosecond",
			src:  strings.Replace(okHead, "dt: 1ms", "dt: 0.5ps", 1),
			want: []string{`net.yaml:1:5: dt "0.5ps" is not a whole number of picoseconds`},
		},
		{
			name: "dt zero",
			src:  strings.Replace(okHead, "dt: 1ms", "dt: 0ms", 1),
			want: []string{`net.yaml:1:5: dt must be greater than 0`},
		},
		{
			name: "dt too large",
			src:  strings.Replace(okHead, "dt: 1ms", "dt: 1e9s", 1),
			want: []string{`net.yaml:1:5: dt "1e9s" is too large`},
		},
		{
			name: "hardware fields under units bio",
			src:  strings.Replace(okHead, "units: hardware", "units: bio", 1),
			want: []string{
				`net.yaml:6:13: missing mandatory field "v_rest" in neuron (model lif under units: bio needs tau_mem, tau_syn and v_rest`,
				`net.yaml:6:13: missing mandatory field "v_reset" in neuron (units: bio needs v_reset and v_th)`,
				`net.yaml:6:14: du is a units: hardware field; under units: bio give tau_syn instead (or set units: hardware)`,
				`net.yaml:6:23: dv is a units: hardware field; under units: bio give tau_mem instead`,
				`net.yaml:6:32: vth is a units: hardware field; under units: bio give v_th instead`,
			},
		},
		{
			name: "units misspelt",
			src:  strings.Replace(okHead, "units: hardware", "units: hardwear", 1),
			want: []string{`net.yaml:2:8: unknown units "hardwear"; did you mean "hardware"? (allowed: hardware, bio)`},
		},
		{
			name: "weight out of range",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_all, weight: 300}\n",
			want: []string{`net.yaml:8:61: weight must be in -256..255; got 300`},
		},
		{
			name: "weight missing",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_all}\n",
			want: []string{`net.yaml:8:5: missing mandatory field "weight" in projection`},
		},
		{
			name: "weight missing from a list pair",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {list: [[0, 1, 5], [1, 2]]}}\n",
			want: []string{`net.yaml:8:5: missing mandatory field "weight" in projection (or give a weight in every pair`},
		},
		{
			name: "one_to_one size mismatch",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, raster: {spikes: [[1, 0]]}}\nprojections:\n  - {pre: stim, post: exc, connectivity: one_to_one, weight: 1}\n",
			want: []string{`net.yaml:10:42: one_to_one needs pre and post of the same size; pre "stim" has 2 neurons and post "exc" has 4`},
		},
		{
			name: "both raster and poisson",
			src:  okHead + "inputs:\n  - name: stim\n    size: 2\n    raster: {spikes: [[1, 0]]}\n    poisson: {rate_hz: 10, seed: 1}\n",
			want: []string{`net.yaml:11:5: input "stim" has both raster and poisson; keep exactly one source`},
		},
		{
			name: "input without a source",
			src:  okHead + "inputs:\n  - name: stim\n    size: 2\n",
			want: []string{`net.yaml:8:5: input "stim" needs a source`},
		},
		{
			name: "bad raster file line",
			path: "testdata/bad/bad_raster.yaml",
			want: []string{
				`testdata/bad/bad_raster.csv:3:3: index must be an integer in 0..1; got "x"`,
				`testdata/bad/bad_raster.csv:4:1: step must be in 1..2147483647; got -1`,
				`testdata/bad/bad_raster.csv:5:1: duplicate spike at step 1, index 0; it is already listed at testdata/bad/bad_raster.csv:2:1`,
			},
		},
		{
			name: "raster file missing",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, raster: {file: nowhere.csv}}\n",
			want: []string{`net.yaml:8:42: cannot read raster file: stat nowhere.csv: no such file or directory (a relative path is relative to the network file's directory)`},
		},
		{
			name: "raster spike out of range",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, raster: {spikes: [[0, 0], [1, 2]]}}\n",
			want: []string{
				`net.yaml:8:46: spikes[0] step must be in 1..2147483647; got 0`,
				`net.yaml:8:57: spikes[1] index must be in 0..1; got 2`,
			},
		},
		{
			name: "duplicate spike",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, raster: {spikes: [[2, 1], [1, 0], [2, 1]]}}\n",
			want: []string{`net.yaml:8:61: duplicate spike at step 2, index 1; it is already listed at 8:45`},
		},
		{
			name: "poisson rate too high for dt",
			src:  okHead + "inputs:\n  - {name: noise, size: 2, poisson: {rate_hz: 2000, seed: 1}}\n",
			want: []string{`net.yaml:8:47: rate_hz 2000 with dt 1ms is a spike probability of 2 per step; it must be at most 1, so rate_hz ≤ 1000 for this dt`},
		},
		{
			name: "negative seed",
			src:  okHead + "inputs:\n  - {name: noise, size: 2, poisson: {rate_hz: 10, seed: -1}}\n",
			want: []string{`net.yaml:8:57: seed must be in 0..18446744073709551615; got -1`},
		},
		{
			name: "empty file",
			src:  "  \n\n",
			want: []string{`net.yaml:1:1: empty network file`},
		},
		{
			name: "only comments",
			src:  "# to do\n",
			want: []string{`net.yaml:1:1: empty network file`},
		},
		{
			name: "garbage bytes",
			src:  "dt: 1ms\nun\x00\xff\xfe",
			want: []string{`net.yaml:2:3: control character U+0000 is not allowed in a network file (is this a binary file?)`},
		},
		{
			name: "binary file",
			path: "testdata/bad/garbage.bin",
			want: []string{`testdata/bad/garbage.bin:1:1: the network file is not UTF-8 text: invalid byte 0x89`},
		},
		{
			name: "JSON syntax error",
			path: "testdata/bad/syntax_error.json",
			want: []string{`testdata/bad/syntax_error.json:4:3: JSON syntax error: invalid character '"' after object key:value pair (a ',' is probably missing before it)`},
		},
		{
			name: "JSON truncated",
			path: "net.json",
			src:  "{\"dt\": \"1ms\",\n \"units\": \"hardware\"\n",
			want: []string{`net.json:2:21: JSON syntax error: unexpected end of JSON input (a '}' or ']' is probably missing)`},
		},
		{
			name: "JSON trailing comma",
			path: "net.json",
			src:  "{\"dt\": \"1ms\", \"units\": \"hardware\",\n}\n",
			want: []string{`net.json:2:1: JSON syntax error: invalid character '}' looking for beginning of object key string`},
		},
		{
			name: "YAML unclosed list",
			path: "testdata/bad/syntax_error.yaml",
			want: []string{`testdata/bad/syntax_error.yaml:5:5: YAML syntax error: did not find expected ',' or ']'`},
		},
		{
			name: "YAML bad indentation",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n   neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:6:4: YAML syntax error: did not find expected '-' indicator (a list item must start with '- ' at the same indentation as the other items)`},
		},
		{
			name: "YAML tab indentation",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n\t- name: exc\n",
			want: []string{`net.yaml:4:1: YAML syntax error: found character that cannot start any token`},
		},
		{
			name: "YAML missing colon",
			src:  "dt: 1ms\nunits hardware\npopulations: []\n",
			want: []string{`net.yaml:2:1: YAML syntax error: could not find expected ':'`},
		},
		{
			name: "YAML unknown alias",
			src:  okHead + "inputs: *nothing\n",
			want: []string{`net.yaml:7:9: YAML alias *nothing refers to no anchor`},
		},
		{
			name: "two YAML documents",
			src:  okHead + "---\ndt: 2ms\n",
			want: []string{`net.yaml:8:1: a second YAML document`},
		},
		{
			name: "top level is a list",
			src:  "- dt: 1ms\n- units: hardware\n",
			want: []string{`net.yaml:1:1: the network file must be a mapping of fields (name, dt, units, populations, inputs, projections, probes); got a list`},
		},
		{
			name: "duplicate name",
			src:  okHead + "inputs:\n  - {name: exc, size: 2, poisson: {rate_hz: 10, seed: 1}}\n",
			want: []string{`net.yaml:8:12: duplicate name "exc": already used by the population at 4:11`},
		},
		{
			name: "duplicate key",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    size: 5\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:6:5: duplicate field "size" in population; it is already given at 5:5`},
		},
		{
			name: "duplicate key in JSON",
			path: "net.json",
			src:  `{"dt": "1ms", "units": "hardware", "dt": "2ms", "inputs": [{"name": "a", "size": 1, "poisson": {"rate_hz": 1, "seed": 1}}]}`,
			want: []string{`net.json:1:36: duplicate field "dt" in network; it is already given at 1:2`},
		},
		{
			name: "probe of unknown population",
			src:  okHead + "probes:\n  - {population: exd, record: [spikes]}\n",
			want: []string{`net.yaml:8:18: unknown population "exd" in probe; did you mean "exc"? (defined: exc)`},
		},
		{
			name: "probe of an input's voltage",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, poisson: {rate_hz: 10, seed: 1}}\nprobes:\n  - {population: stim, record: [spikes, v]}\n",
			want: []string{`net.yaml:10:41: input "stim" has no v; an input's probe records only spikes`},
		},
		{
			name: "probe of an unknown signal",
			src:  okHead + "probes:\n  - {population: exc, record: [spike, voltage]}\n",
			want: []string{
				`net.yaml:8:32: unknown signal "spike" in record; did you mean "spikes"?`,
				`net.yaml:8:39: unknown signal "voltage" in record; did you mean "v"?`,
			},
		},
		{
			name: "probe neurons out of range and twice",
			src:  okHead + "probes:\n  - {population: exc, record: [v], neurons: [1, 4, 1]}\n",
			want: []string{
				`net.yaml:8:49: neurons[1] must be in 0..3; got 4`,
				`net.yaml:8:52: neuron 1 is listed twice in neurons (first at 8:46)`,
			},
		},
		{
			name: "record not a list",
			src:  okHead + "probes:\n  - {population: exc, record: spikes}\n",
			want: []string{`net.yaml:8:31: record must be a list of signals from spikes, u, v, such as [spikes]; got the string "spikes"`},
		},
		{
			name: "projection to an input",
			src:  okHead + "inputs:\n  - {name: stim, size: 2, poisson: {rate_hz: 10, seed: 1}}\nprojections:\n  - {pre: exc, post: stim, connectivity: all_to_all, weight: 1}\n",
			want: []string{`net.yaml:10:22: post "stim" is an input; inputs cannot receive synapses`},
		},
		{
			name: "unknown connectivity",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: all_to_al, weight: 1}\n",
			want: []string{`net.yaml:8:41: unknown connectivity "all_to_al"; did you mean "all_to_all"?`},
		},
		{
			name: "connectivity with two rules",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {list: [[0, 0]], fixed_probability: {p: 1, seed: 1}}, weight: 1}\n",
			want: []string{`net.yaml:8:58: connectivity has both list and fixed_probability; keep exactly one rule`},
		},
		{
			name: "probability out of range",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {fixed_probability: {p: 0, seed: 1}}, weight: 1}\n",
			want: []string{`net.yaml:8:65: p must be in (0, 1]`},
		},
		{
			name: "list index out of range",
			src:  okHead + "projections:\n  - {pre: exc, post: exc, connectivity: {list: [[0, 4, 1]]}}\n",
			want: []string{`net.yaml:8:53: list[0] post index must be in 0..3; got 4`},
		},
		{
			name: "duplicate projection name",
			src:  okHead + "projections:\n  - {name: p, pre: exc, post: exc, connectivity: all_to_all, weight: 1}\n  - {name: p, pre: exc, post: exc, connectivity: one_to_one, weight: 1}\n",
			want: []string{`net.yaml:9:12: duplicate projection name "p": already used at 8:12`},
		},
		{
			name: "invalid name",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: 2nd layer\n    size: 4\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:4:11: population name "2nd layer" is not a valid name`},
		},
		{
			name: "name as a number",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: 7\n    size: 4\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:4:11: population name must be a string (quote it if it looks like a number or a boolean); got 7`},
		},
		{
			name: "per-neuron list of the wrong length",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {du: 410, dv: 410, vth: 100, v_init: [1, 2, 3]}\n",
			want: []string{`net.yaml:6:50: v_init lists 3 values but the population has 4 neurons`},
		},
		{
			name: "bias too large for 24 bits",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {du: 410, dv: 410, vth: 100, bias_mant: [1, 4095, 4095, 2], bias_exp: 12}\n",
			want: []string{`net.yaml:6:57: bias_mant << bias_exp must be within ±8388607 (24 bits); neuron 1 has 4095 << 12 = 16773120 (and 1 more neuron)`},
		},
		{
			name: "neuron model unknown",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n    neuron: {model: izhikevich, du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:6:21: unknown neuron model "izhikevich" (allowed: lif, if)`},
		},
		{
			name: "missing neuron",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size: 4\n",
			want: []string{`net.yaml:4:5: missing mandatory field "neuron" in population "exc"`},
		},
		{
			name: "no populations",
			src:  "dt: 1ms\nunits: hardware\npopulations: []\n",
			want: []string{`net.yaml:3:14: the network has no populations`},
		},
		{
			name: "populations not a list",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  name: exc\n  size: 4\n",
			want: []string{`net.yaml:4:3: populations must be a list of populations, each item starting with '- name:'; got a mapping`},
		},
		{
			name: "mistake in an anchor used twice is reported once",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - {name: a, size: 1, neuron: &n {du: 1, dv: 1, vth: 1, tau: 3}}\n  - {name: b, size: 1, neuron: *n}\n",
			want: []string{`net.yaml:4:58: unknown field "tau" in neuron`},
		},
		{
			name: "null value",
			src:  "dt: 1ms\nunits: hardware\npopulations:\n  - name: exc\n    size:\n    neuron: {du: 410, dv: 410, vth: 100}\n",
			want: []string{`net.yaml:5:10: size must be an integer in 1..16777216; got nothing (null); give a value or remove the field`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.src != "" {
				assertParseErrors(t, tc.path, tc.src, tc.want...)
				return
			}
			g, err := netfile.ParseFile(tc.path)
			assert.Nil(t, g, "no graph with errors")
			assertErrors(t, err, tc.want...)
		})
	}
}

// TestThreeMistakes checks that one run reports every mistake of a file.
func TestThreeMistakes(t *testing.T) {
	_, err := netfile.ParseFile("testdata/bad/three_mistakes.yaml")
	assertErrors(t, err,
		`testdata/bad/three_mistakes.yaml:5:5: unknown field "sise" in population; did you mean "size"?`,
		`testdata/bad/three_mistakes.yaml:9:11: unknown population "exx" in post; did you mean "exc"?`,
		`testdata/bad/three_mistakes.yaml:11:13: weight must be in -256..255; got 300`,
	)
	assert.Contains(t, err.Error(), "(3 errors)")
}

// TestErrorsSortedAcrossFiles checks the order of errors from the network file
// and from a raster file it names.
func TestErrorsSortedAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.csv"), []byte("step,index\n1,9\n"), 0o644))
	net := filepath.Join(dir, "n.yaml")
	src := "dt: 1ms\nunits: hardware\ninputs:\n  - {name: a, size: 2, raster: {file: r.csv}}\n  - {name: b, size: 0, raster: {spikes: []}}\n"
	require.NoError(t, os.WriteFile(net, []byte(src), 0o644))
	_, err := netfile.ParseFile(net)
	assertErrors(t, err,
		net+":5:21: size must be in 1..16777216; got 0",
		filepath.Join(dir, "r.csv")+":2:3: index must be in 0..1; got 9",
	)
}

// TestRasterFileErrors covers the CSV raster format.
func TestRasterFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"no header", "1,0\n2,1\n", []string{"r.csv:1:1: raster file must start with the header line step,index"}},
		{"other header", "t,i\n2,1\n", []string{"r.csv:1:1: raster file must start with the header line step,index"}},
		{"empty", "", []string{"r.csv:1:1: raster file is empty"}},
		{"three fields", "step,index\n1,0,5\n", []string{"r.csv:2:1: a raster line holds step,index; got 3 fields"}},
		{"bad quote", "step,index\n1,0\"x\"\n", []string{"r.csv:2:4: raster file is not valid CSV: bare \" in non-quoted-field"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "r.csv"), []byte(tc.csv), 0o644))
			src := "dt: 1ms\nunits: hardware\ninputs:\n  - {name: a, size: 2, raster: {file: r.csv}}\n"
			_, err := netfile.Parse(filepath.Join(dir, "n.yaml"), []byte(src))
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = filepath.Join(dir, w)
			}
			assertErrors(t, err, want...)
		})
	}
}

// TestRasterFileNotRegular refuses to read a directory (or a device) as a raster.
func TestRasterFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "r.csv"), 0o755))
	src := "dt: 1ms\nunits: hardware\ninputs:\n  - {name: a, size: 2, raster: {file: r.csv}}\n"
	_, err := netfile.Parse(filepath.Join(dir, "n.yaml"), []byte(src))
	assertErrors(t, err, filepath.Join(dir, "n.yaml")+":4:39: raster file "+filepath.Join(dir, "r.csv")+" is not a regular file")
}

// TestAliasBomb checks that aliases cannot expand a small file without bound.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("dt: 1ms\nunits: hardware\nx: &a [[1, 0]")
	for i := range 3000 {
		fmt.Fprintf(&b, ", [%d, 0]", i+2)
	}
	b.WriteString("]\ninputs:\n")
	for i := range 2000 {
		b.WriteString("  - {name: i" + strings.Repeat("x", i%7) + ", size: 1, raster: {spikes: *a}}\n")
	}
	_, err := netfile.Parse("bomb.yaml", []byte(b.String()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aliases expand the network file to more than")
}
