package preset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinsValid(t *testing.T) {
	for _, name := range Names() {
		s, err := Lookup(name)
		require.NoError(t, err)
		assert.NoError(t, s.Validate(), name)
		assert.Equal(t, name, s.Name)
	}
	_, err := Lookup("loihi2")
	assert.ErrorContains(t, err, `unknown preset "loihi2"`)
}

// The loihi preset carries Davies et al. 2018, Table 2 (0.75 V).
func TestLoihiTable2(t *testing.T) {
	s := Loihi()
	assert.Equal(t, uint64(23_600), s.Core.SynOp.EnergyFJ)
	assert.Equal(t, int64(3_500), s.Core.SynOp.LatencyPS)
	assert.Equal(t, uint64(120_000), s.Core.SynUpdate.EnergyFJ)
	assert.Equal(t, uint64(81_000), s.Core.NeuronActive.EnergyFJ)
	assert.Equal(t, uint64(52_000), s.Core.NeuronInactive.EnergyFJ)
	assert.Equal(t, uint64(1_700), s.Core.SpikeOut.EnergyFJ)
	assert.Equal(t, uint64(3_000), s.Mesh.Router.HopEW.EnergyFJ)
	assert.Equal(t, int64(6_500), s.Mesh.Router.HopNS.LatencyPS)
	assert.Equal(t, 128, s.Mesh.Cores())
	assert.Equal(t, int64(113_000), s.Barrier.LatencyPS(1))
	assert.Equal(t, int64(465_000), s.Barrier.LatencyPS(32))
	assert.Equal(t, int64(465_000), s.Barrier.LatencyPS(40))
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"override", "base: small\nname: mine\ncore:\n  max_neurons: 8\n", ""},
		{"default base", "name: mine\nstatic_power_nw: 1000\n", ""},
		{"typo", "name: mine\ncore:\n  max_nerons: 8\n", "max_nerons"},
		{"unknown base", "base: spinnaker\nname: x\n", `unknown base preset "spinnaker"`},
		{"invalid", "name: x\nmesh:\n  width: 0\n", "width and height"},
		{"syntax", "name: [\n", "preset p.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("p.yaml", []byte(tc.text))
			if tc.want != "" {
				assert.ErrorContains(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "mine", s.Name)
		})
	}
	s, err := Parse("p.yaml", []byte("base: small\nname: mine\ncore:\n  max_neurons: 8\n"))
	require.NoError(t, err)
	assert.Equal(t, 8, s.Core.MaxNeurons)
	assert.Equal(t, Small().Core.MaxAxons, s.Core.MaxAxons, "fields not named keep the base value")
}

func TestLookupFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mine.yaml")
	require.NoError(t, os.WriteFile(p, []byte("name: mine\nbarrier:\n  energy_fj: 5\n"), 0o644))
	s, err := Lookup(p)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), s.Barrier.EnergyFJ)
	_, err = Lookup(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Error(t, err)
}

func TestStaticEnergy(t *testing.T) {
	s := Spec{StaticPowerNW: 2_000_000}                                             // 2 mW
	assert.Equal(t, uint64(2_000_000_000_000), s.StaticEnergyFJ(1_000_000_000_000)) // 1 s → 2 mJ
	assert.Equal(t, uint64(0), s.StaticEnergyFJ(-5))
	s.StaticPowerNW = 1 << 62
	assert.Equal(t, ^uint64(0), s.StaticEnergyFJ(1<<62), "saturates instead of wrapping")
}
