package chip_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// spread is Loihi with 128-neuron cores, so the test network spans many
// tiles and its spikes cross the mesh.
func spread(model string) preset.Spec {
	s := preset.Loihi()
	s.Core.MaxNeurons = 128
	s.MeshModel = model
	return s
}

type spikeKey struct{ step, pop, neuron int32 }

func runModel(t *testing.T, model string, workers int) *chip.Result {
	t.Helper()
	img, _, err := compiler.CompileFileWith("testdata/random_net.yaml", spread(model), compiler.Options{Placement: compiler.PlaceInOrder})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 30, Seed: 3, Workers: workers})
	require.NoError(t, err)
	return res
}

// The cycle-accurate mesh changes when spikes arrive, never what the
// network computes; both models route XY, so they count the same hops.
func TestMeshModelsAgree(t *testing.T) {
	hop := runModel(t, preset.MeshHop, 1)
	cyc := runModel(t, preset.MeshCycle, 1)
	keys := func(r *chip.Result) []spikeKey {
		var out []spikeKey
		for _, s := range r.Spikes {
			out = append(out, spikeKey{s.Step, s.Population, s.Neuron})
		}
		return out
	}
	require.Greater(t, len(hop.Spikes), 100)
	assert.Equal(t, keys(hop), keys(cyc))
	h, c := hop.Report, cyc.Report
	require.Greater(t, h.Ops.HopsEW+h.Ops.HopsNS, uint64(1000), "the network must use the mesh")
	assert.Equal(t, h.Ops.HopsEW, c.Ops.HopsEW)
	assert.Equal(t, h.Ops.HopsNS, c.Ops.HopsNS)
	assert.Equal(t, h.Energy.HopEWFJ+h.Energy.HopNSFJ, c.Energy.HopEWFJ+c.Energy.HopNSFJ)
	assert.Equal(t, c.Mesh.Injected, c.Mesh.Delivered)
	assert.NotEmpty(t, c.Links)
	assert.Empty(t, h.Links)
	assert.Positive(t, c.MeshCyclePS, "the cycle mesh's clock, for link utilisation")
	assert.Zero(t, h.MeshCyclePS)
	cycles := c.HardwareTimePS / c.MeshCyclePS
	for _, l := range c.Links {
		assert.LessOrEqual(t, l.Flits, uint64(cycles), "%v %s: at most one flit per cycle", l.Tile, l.Port)
	}
	var linkFlits uint64
	for _, l := range c.Links {
		if !strings.HasPrefix(l.Port, "local") {
			linkFlits += l.Flits
		}
	}
	assert.Equal(t, c.Ops.HopsEW+c.Ops.HopsNS, linkFlits, "router hops = flits on router-to-router links")
	t.Logf("hardware time: hop model %d ps, cycle model %d ps", h.HardwareTimePS, c.HardwareTimePS)

	// Deterministic whatever the workers.
	again := runModel(t, preset.MeshCycle, 2)
	assert.Equal(t, cyc.Report, again.Report)
}

func TestMeshModelValidate(t *testing.T) {
	s := preset.Loihi()
	s.MeshModel = "wormhole"
	assert.ErrorContains(t, s.Validate(), `mesh_model must be "hop" or "cycle"`)
}
