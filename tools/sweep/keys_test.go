package sweep

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const treeText = `dt: 1ms
inputs:
  - name: stim
    size: 2
    poisson: {rate_hz: 10, seed: 1}
populations:
  - name: exc
    size: 4
    neuron: {du: 1, vth: 10}
  - name: v1.l4
    size: 2
  - {size: 3}
projections:
  - {pre: stim, post: exc, weight: 5}
shared: &anchor {a: 1}
user: *anchor
`

// set applies key=value to a fresh tree of treeText and returns the
// re-encoded text.
func set(t *testing.T, k, v string) (string, error) {
	t.Helper()
	root, err := netTree("net.yaml", []byte(treeText))
	require.NoError(t, err)
	parsed, err := parseKey(k)
	require.NoError(t, err)
	val, err := scalarNode(v)
	require.NoError(t, err)
	if err := setNet(root, parsed.path, val); err != nil {
		return "", err
	}
	out, err := yaml.Marshal(root)
	require.NoError(t, err)
	return string(out), nil
}

// lookup reads a dotted path of plain mapping keys and list indices from
// YAML text, to check where a value landed.
func lookup(t *testing.T, text string, path ...any) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(text), &v))
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

func TestSetNet(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		path       []any
		want       any
	}{
		{"net.dt", "2ms", []any{"dt"}, "2ms"},
		{"net.inputs.stim.poisson.rate_hz", "40", []any{"inputs", 0, "poisson", "rate_hz"}, 40},
		{"net.inputs.0.poisson.rate_hz", "12.5", []any{"inputs", 0, "poisson", "rate_hz"}, 12.5},
		{"net.populations.exc.neuron.vth", "99", []any{"populations", 0, "neuron", "vth"}, 99},
		{"net.populations.exc.neuron.dv", "7", []any{"populations", 0, "neuron", "dv"}, 7}, // added: absent in the file
		{"net.populations.v1.l4.size", "8", []any{"populations", 1, "size"}, 8},            // a name with a dot
		{"net.populations.2.size", "5", []any{"populations", 2, "size"}, 5},
		{"net.projections.0.weight", "-3", []any{"projections", 0, "weight"}, -3},
		{"net.projections.0.post", "v1.l4", []any{"projections", 0, "post"}, "v1.l4"},
		{"net.user", "{b: 2}", []any{"user", "b"}, 2}, // replacing an alias use is fine
		{"net.populations.exc.neuron.vth", "'12'", []any{"populations", 0, "neuron", "vth"}, "12"},
	} {
		out, err := set(t, tc.key, tc.value)
		require.NoError(t, err, tc.key)
		assert.Equal(t, tc.want, lookup(t, out, tc.path...), tc.key)
	}
	// The rest of the file is untouched.
	out, err := set(t, "net.populations.exc.neuron.vth", "99")
	require.NoError(t, err)
	assert.Equal(t, 10, lookup(t, out, "inputs", 0, "poisson", "rate_hz"))
	assert.Equal(t, 1, lookup(t, out, "populations", 0, "neuron", "du"))
}

// A path that does not exist names what exists where it stopped matching.
func TestSetNetErrors(t *testing.T) {
	for key, want := range map[string]string{
		"net.input.stim.size":              `net has no field "input"; did you mean "inputs"? (it has: dt, inputs, populations, projections, shared, user)`,
		"net.inputs.stimm.size":            `net.inputs has no item named or numbered "stimm"; did you mean "stim"? (its items: stim; or by index 0..0)`,
		"net.populations.inh.size":         `net.populations has no item named or numbered "inh" (its items: exc, v1.l4; or by index 0..2)`,
		"net.projections.1.weight":         `net.projections has no item named or numbered "1" (its items are numbered 0..0)`,
		"net.projections.01.weight":        `no item named or numbered "01"`,
		"net.populations.exc.nueron.vth":   `net.populations.exc has no field "nueron"; did you mean "neuron"? (it has: name, size, neuron)`,
		"net.dt.x":                         `net.dt is a value ("1ms"), not a mapping or list: nothing inside it to set for net.dt.x`,
		"net.user.a":                       `net.user is a YAML alias (*anchor)`,
		"net.populations.exc.neuron.vth.x": `net.populations.exc.neuron.vth is a value ("10")`,
	} {
		_, err := set(t, key, "1")
		assert.ErrorContains(t, err, want, key)
	}
}

func TestCheckPresetPath(t *testing.T) {
	for _, ok := range [][]string{
		{"base"}, {"mesh", "width"}, {"core", "syn_op", "energy_fj"}, {"mesh", "router", "hop_ew", "latency_ps"},
		{"mesh_model"}, {"static_power_nw"}, {"packet", "flit_bits"}, {"core"},
	} {
		assert.NoError(t, checkPresetPath(ok), ok)
	}
	for path, want := range map[string]string{
		"mesh.widht":               `preset.mesh has no field "widht"; did you mean "width"? (it has: width, height, cores_per_tile, router, chip_width, chip_height, chip_link)`,
		"core.synop.energy_fj":     `preset.core has no field "synop"; did you mean "syn_op"?`,
		"bsae":                     `preset has no field "bsae"; did you mean "base"? (it has: base, name, core, mesh, barrier, static_power_nw, tick_ps, mesh_model, packet)`,
		"mesh.width.x":             `preset.mesh.width is a value: a sweep cannot set a node inside it`,
		"packet.fields.0.bits":     `preset.packet.fields is a list`,
		"core.syn_op.energy_fj.nj": `preset.core.syn_op.energy_fj is a value`,
	} {
		err := checkPresetPath(strings.Split(path, "."))
		assert.ErrorContains(t, err, want, path)
	}
}

func TestSetPreset(t *testing.T) {
	root, err := presetTree("p.yaml", []byte("base: small\ncore:\n  max_delay: 7\n"))
	require.NoError(t, err)
	require.NoError(t, setPreset(root, []string{"core", "syn_op", "energy_fj"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "5"}))
	require.NoError(t, setPreset(root, []string{"mesh", "width"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "3"}))
	require.NoError(t, setPreset(root, []string{"base"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "loihi"}))
	out, err := yaml.Marshal(root)
	require.NoError(t, err)
	assert.Equal(t, "base: loihi\ncore:\n    max_delay: 7\n    syn_op:\n        energy_fj: 5\nmesh:\n    width: 3\n", string(out))

	root, err = presetTree("p.yaml", []byte("core: 3\n"))
	require.NoError(t, err)
	assert.ErrorContains(t, setPreset(root, []string{"core", "max_delay"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "5"}),
		"preset.core: the preset file has a value there, not a mapping")
}
