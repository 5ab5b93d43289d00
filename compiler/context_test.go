package compiler

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// A compilation stops when its context is done: before it starts, and in
// the middle of annealing (cancelled from the first progress report, so
// the test does not depend on timing).
func TestCompileContextStops(t *testing.T) {
	g, err := netfile.Parse("net.yaml", []byte(header+`populations:
  - {name: a, size: 300, neuron: {du: 1, dv: 1, vth: 1}}
  - {name: b, size: 300, neuron: {du: 1, dv: 1, vth: 1}}
projections:
  - {pre: a, post: b, connectivity: {fixed_probability: {p: 0.1, seed: 1}}, weight: 1}
  - {pre: b, post: a, connectivity: {fixed_probability: {p: 0.1, seed: 2}}, weight: 1}
`))
	require.NoError(t, err)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = CompileContext(done, g, preset.Loihi(), Options{})
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "compile")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := 0
	_, _, err = CompileContext(ctx, g, preset.Loihi(), Options{Progress: func(done, total int) {
		reports++
		cancel()
	}})
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, reports, 3, "annealing goes on after the cancel")

	// the same network compiles when nothing cancels it
	img, _, err := CompileContext(context.Background(), g, preset.Loihi(), Options{})
	require.NoError(t, err)
	require.NotNil(t, img)
}
