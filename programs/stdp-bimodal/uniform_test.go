package stdpbimodal

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// With one projection whose synapses start uniformly random in 0..255 (the
// Brian2 script's start), 100 s of STDP also leave a bimodal distribution.
func TestUniformStart(t *testing.T) {
	img, _, err := compiler.CompileFile("net-uniform.yaml", preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 100_000, Seed: Seed})
	require.NoError(t, err)
	var start, end []int32
	start = append(start, img.Cores[0].Plastic[0].Weights...)
	for _, w := range res.Weights {
		end = append(end, w.Weight)
	}
	require.Len(t, end, 1000)
	h0, h := Histogram(start), Histogram(end)
	s0, s := ShapeOf(h0), ShapeOf(h)
	t.Logf("start %v, 100 s %v; low %.1f%%, middle %.1f%%, high %.1f%%; output %.1f Hz",
		h0, h, 100*s.Low, 100*s.Middle, 100*s.High, float64(res.Report.Ops.Spikes)/100)
	assert.InDelta(t, 0.2, s0.Middle, 0.05, "the start is uniform")
	assert.Greater(t, s.Low+s.High, 0.55, "most weights at the ends")
	assert.Less(t, s.Middle, 0.15, "a hollow middle")
	assert.Greater(t, s.Low, 0.25)
	assert.Greater(t, s.High, 0.2)
}
