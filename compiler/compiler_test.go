package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

func compileText(t *testing.T, spec preset.Spec, text string) (*image.Image, Stats, error) {
	t.Helper()
	g, err := netfile.Parse("net.yaml", []byte(text))
	require.NoError(t, err)
	return Compile(g, spec)
}

const header = "dt: 1ms\nunits: hardware\n"

func TestCapacityErrors(t *testing.T) {
	tests := []struct {
		name, net string
		want      []string
	}{
		{"too many cores", header + `populations:
  - {name: big, size: 100, neuron: {du: 1, dv: 1, vth: 1}}
`, []string{"net.yaml", "network needs 7 cores, preset small has 4"}},
		{"delay over the preset's limit", header + `populations:
  - {name: a, size: 2, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: a, post: a, connectivity: all_to_all, weight: 1, delay: 20}
`, []string{"net.yaml:6:5", "4 synapses have delays outside 0..15 (preset small)"}},
		{"axons", header + `inputs:
  - {name: wide, size: 40, raster: {spikes: [[1, 0]]}}
populations:
  - {name: a, size: 2, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: wide, post: a, connectivity: all_to_all, weight: 1}
`, []string{"net.yaml:6:5", "population a: neuron 0 alone needs 40 input axons, a core of preset small has 32"}},
		{"routes", header + `populations:
  - {name: src, size: 16, neuron: {du: 1, dv: 1, vth: 1}}
  - {name: dst, size: 48, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: src, post: dst, connectivity: all_to_all, weight: 1}
`, []string{"net.yaml:4:5", "population src: neurons 0..15 need 48 output routes, a core of preset small has 32"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := preset.Small()
			spec.Core.MaxRoutes = 32
			_, _, err := compileText(t, spec, tc.net)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// Slices shrink to fit the synapse memory and axon limits.
func TestPartitionShrinksSlices(t *testing.T) {
	spec := preset.Small()
	img, stats, err := compileText(t, spec, header+`inputs:
  - {name: in, size: 30, raster: {spikes: [[1, 0]]}}
populations:
  - {name: a, size: 16, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: in, post: a, connectivity: all_to_all, weight: 255, delay: 1}
`)
	require.NoError(t, err)
	// Each of the 30 axons reaches every neuron of a slice of n: densely
	// encoded, n entries of 8 weight + 4 delay bits plus a 4-bit start, so
	// 30·(12n+4) ≤ 4096 bits allows n = 11.
	assert.Equal(t, 2, stats.CoresUsed)
	var counts []int32
	for _, p := range img.Populations {
		if p.Name == "a" {
			for _, s := range p.Slices {
				counts = append(counts, s.Count)
			}
		}
	}
	assert.Equal(t, []int32{11, 5}, counts)
	assert.Equal(t, 30*16, stats.Synapses)
	for _, c := range img.Cores {
		assert.Equal(t, 30, c.NumAxons())
	}
}

// The fixed-probability rule is fixed by its seed, and p is respected.
func TestFixedProbabilitySeeded(t *testing.T) {
	net := func(seed int) string {
		return header + fmt.Sprintf(`populations:
  - {name: a, size: 200, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: a, post: a, connectivity: {fixed_probability: {p: 0.1, seed: %d}}, weight: 1}
`, seed)
	}
	img1, s1, err := compileText(t, preset.Loihi(), net(1))
	require.NoError(t, err)
	img2, _, err := compileText(t, preset.Loihi(), net(1))
	require.NoError(t, err)
	_, s3, err := compileText(t, preset.Loihi(), net(2))
	require.NoError(t, err)
	assert.Equal(t, img1, img2)
	assert.NotEqual(t, s1.Synapses, s3.Synapses)
	assert.InDelta(t, 4000, s1.Synapses, 300) // 200·200·0.1, ±4.7σ
}

// compile → write → read gives the same image.
func TestImageRoundTrip(t *testing.T) {
	img, _, err := CompileFile("../chip/testdata/random_net.yaml", preset.Loihi())
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "net.tsi")
	require.NoError(t, image.WriteFile(p, img))
	back, err := image.ReadFile(p)
	require.NoError(t, err)
	img.Normalize()
	back.Normalize()
	assert.Equal(t, img, back)
}

func TestCompileFileErrors(t *testing.T) {
	_, _, err := CompileFile(filepath.Join(t.TempDir(), "nope.yaml"), preset.Small())
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// A plastic synapse reserves the full weight field of its sign mode in
// synapse memory, whatever weight it starts at: learning resources are
// capacity like any other.
func TestPlasticSynapsesReserveFullWeights(t *testing.T) {
	net := func(plastic string) string {
		return header + `inputs:
  - {name: in, size: 31, raster: {spikes: [[1, 0]]}}
populations:
  - {name: a, size: 16, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: in, post: a, connectivity: all_to_all, weight: 1` + plastic + `}
`
	}
	_, static, err := compileText(t, preset.Small(), net(""))
	require.NoError(t, err)
	assert.Equal(t, 1, static.CoresUsed, "31 axons × (16 one-bit weights + 4) bits fit one core")
	_, plastic, err := compileText(t, preset.Small(), net(", plasticity: {rule: pair_stdp}"))
	require.NoError(t, err)
	// Mixed sign mode: 10-bit weights; 31 × (16·10 + 4) = 5084 > 4096 bits.
	assert.Equal(t, 2, plastic.CoresUsed)
}
