package chip_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/events"
	"github.com/tessera-sim/tessera/tools/refdata"
)

// TestEventsInputEndToEnd compiles and runs a network whose input is an
// N-MNIST recording (the reference sample of shared/reference/events): its
// 34×34 pixels in 2×2 squares, both polarities merged, drive one LIF
// neuron each, strong enough to fire on one input spike. Every spike the
// retina makes must reach the chip as an input spike, and each relay
// neuron must fire exactly in the steps after its square had events.
func TestEventsInputEndToEnd(t *testing.T) {
	rec := filepath.Join(refdata.Dir(t, "events"), "nmnist_atis_tonic.bin")
	net := fmt.Sprintf(`dt: 1ms
units: hardware
populations:
  - name: relay
    size: 289
    neuron: {du: 4095, dv: 4095, vth: 10}
inputs:
  - name: retina
    size: 289
    events: {file: %q, sensor: [34, 34], pool: 2, polarity: merge}
projections:
  - {pre: retina, post: relay, connectivity: one_to_one, weight: 100}
probes:
  - {population: retina, record: [spikes]}
  - {population: relay, record: [spikes]}
`, rec)
	path := filepath.Join(t.TempDir(), "net.yaml")
	require.NoError(t, os.WriteFile(path, []byte(net), 0o644))
	img, _, err := compiler.CompileFile(path, preset.Loihi())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	const steps = 320 // the recording spans 310.5 ms
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: 1})
	require.NoError(t, err)

	r, err := events.ReadFile(rec)
	require.NoError(t, err)
	m, err := r.Map(events.Retina{Width: 34, Height: 34, Pool: 2, Polarity: events.Merge}, events.Timing{StepPS: 1_000_000_000})
	require.NoError(t, err)
	require.NotEmpty(t, m.Spikes)
	require.LessOrEqual(t, int(m.Spikes[len(m.Spikes)-1].Step), steps)
	assert.Equal(t, uint64(len(m.Spikes)), res.InputSpikes)

	type key struct{ step, neuron int32 }
	in, out := map[key]bool{}, map[key]bool{}
	for _, s := range res.Spikes {
		switch res.Populations[s.Population] {
		case "retina":
			in[key{s.Step, s.Neuron}] = true
		case "relay":
			out[key{s.Step, s.Neuron}] = true
		}
	}
	want := map[key]bool{}
	for _, s := range m.Spikes {
		want[key{s.Step, s.Index}] = true
	}
	assert.Equal(t, want, in, "the retina's spikes are the mapped events")
	// a relay fires in the step after each input spike, and only then
	relayed := map[key]bool{}
	for k := range in {
		if k.step < steps {
			relayed[key{k.step + 1, k.neuron}] = true
		}
	}
	assert.Equal(t, relayed, out)
}
