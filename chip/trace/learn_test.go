package trace

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// Learning phases reach the tracer: their updates add up to the report's.
func TestLearnEvents(t *testing.T) {
	img, _, err := compiler.CompileFile("../../programs/stdp-pattern/net.yaml", preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	rec := NewRecorder(1 << 16)
	res, err := c.Run(context.Background(), chip.Options{Steps: 400, Tracer: rec})
	require.NoError(t, err)
	var updates uint64
	var phases int
	for _, e := range rec.Events() {
		if e.Kind == EventLearn {
			phases++
			updates += uint64(e.Ops)
			assert.Equal(t, int64(e.Ops)*img.Preset.Core.SynUpdate.LatencyPS, e.DurPS)
		}
	}
	require.Less(t, rec.Total(), uint64(1<<16), "the ring kept every event")
	assert.Positive(t, phases)
	assert.Equal(t, res.Report.Ops.SynUpdates, updates)
}
