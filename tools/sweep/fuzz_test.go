package sweep

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseSet feeds --set arguments, then applies the first value of any
// net.* key it accepts to a small network tree: neither may panic, and what
// ParseSet accepts must be a valid one-parameter grid.
func FuzzParseSet(f *testing.F) {
	for _, s := range []string{
		"seed=1,2,3", "seed=1..10:3", "net.inputs.stim.poisson.rate_hz=0.1..0.3:0.1",
		"net.populations.exc.neuron.vth=5", "net.projections.0.weight=-3", "preset.mesh.width=2,4",
		"net.a=../x.csv", "net.a=1e3..2e3:500", "seed=9223372036854775806..9223372036854775807",
		"net.populations.v1.l4.size=1", "net.user.a=1", "net.dt.x=[1", "preset.core.syn_op.energy_fj={a: 1}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSet(s)
		if err != nil {
			return
		}
		if err := (Grid{p}).Validate(); err != nil {
			t.Fatalf("ParseSet(%q) = %+v, which Validate rejects: %v", s, p, err)
		}
		k, err := parseKey(p.Key)
		if err != nil {
			t.Fatalf("ParseSet(%q) accepted key %q that parseKey rejects: %v", s, p.Key, err)
		}
		val, err := scalarNode(p.Values[0])
		if err != nil {
			return
		}
		switch k.kind {
		case keyNet:
			root, err := netTree("net.yaml", []byte(treeText))
			if err != nil {
				t.Fatal(err)
			}
			if setNet(root, k.path, val) == nil {
				if _, err := yaml.Marshal(root); err != nil {
					t.Fatalf("set %s: the tree no longer encodes: %v", p.Key, err)
				}
			}
		case keyPreset:
			if checkPresetPath(k.path) == nil {
				root, _ := presetTree("p.yaml", nil)
				_ = setPreset(root, k.path, val)
			}
		}
	})
}
