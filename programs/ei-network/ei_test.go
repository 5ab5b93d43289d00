package einetwork_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
	einetwork "github.com/tessera-sim/tessera/programs/ei-network"
)

const steps = 400

// rates runs g on loihi and returns the mean firing rate (Hz) of each
// population.
func rates(t *testing.T, g *graph.Graph) (map[string]float64, chip.Report) {
	t.Helper()
	img, stats, err := compiler.Compile(g, preset.Loihi())
	require.NoError(t, err)
	require.Greater(t, stats.CoresUsed, 1, "the network must span several cores")
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: 1})
	require.NoError(t, err)
	count := map[string]int{}
	for _, s := range res.Spikes {
		count[res.Populations[s.Population]]++
	}
	secs := float64(steps) * float64(g.DtPS) * 1e-12
	out := map[string]float64{}
	for _, name := range []string{"exc", "inh"} {
		out[name] = float64(count[name]) / float64(g.Population(name).Size) / secs
	}
	return out, res.Report
}

// The network settles into low, irregular-regime rates, and it is the
// recurrent inhibition that holds it there: without it, excitation runs
// away.
func TestBalancedActivity(t *testing.T) {
	g, err := netfile.Parse(einetwork.File, einetwork.Network)
	require.NoError(t, err)
	r, rep := rates(t, g)
	t.Logf("with inhibition: exc %.1f Hz, inh %.1f Hz", r["exc"], r["inh"])
	assert.InDelta(t, 11, r["exc"], 8, "excitatory rate")
	assert.InDelta(t, 11, r["inh"], 8, "inhibitory rate")
	assert.Greater(t, rep.Ops.HopsEW+rep.Ops.HopsNS, uint64(0), "spikes cross the mesh")
	assert.Equal(t, rep.Mesh.Injected, rep.Mesh.Delivered)

	for i := range g.Projections {
		if g.Projections[i].Pre == "inh" {
			g.Projections[i].Weight = 0
		}
	}
	free, _ := rates(t, g)
	t.Logf("without inhibition: exc %.1f Hz", free["exc"])
	assert.Greater(t, free["exc"], 3*r["exc"], "removing inhibition must raise excitatory firing")
}
