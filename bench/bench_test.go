package bench

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunAll(t *testing.T) {
	var started []string
	res, err := Run(context.Background(), Spec{Time: 5 * time.Millisecond}, func(name string) {
		started = append(started, name)
	})
	require.NoError(t, err)
	assert.Equal(t, Names(), started)

	units := map[string][]string{
		"core":  {"syn-events/s", "syn-events/s", "neuron-updates/s"},
		"sched": {"ns/event", "ns/event", "ns/event", "×"},
		"mesh":  {"flit-hops/s", "flit-hops/s"},
		"chip":  {"syn-events/s", "packets/s", "steps/s"},
	}
	require.Len(t, res, len(units))
	for i, r := range res {
		assert.Equal(t, Names()[i], r.Name)
		var got []string
		for _, m := range r.Metrics {
			got = append(got, m.Unit)
			assert.NotEmpty(t, m.Name)
			assert.True(t, m.Value > 0 && !math.IsInf(m.Value, 0), "%s: %s = %v %s", r.Name, m.Name, m.Value, m.Unit)
		}
		assert.Equal(t, units[r.Name], got, r.Name)
	}
}

func TestRunOnly(t *testing.T) {
	res, err := Run(context.Background(), Spec{Time: time.Millisecond, Only: []string{"sched", "core", "sched"}}, nil)
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.Equal(t, "core", res[0].Name) // the order of Names, not of Only
	assert.Equal(t, "sched", res[1].Name)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string // substrings of the error; none: valid
	}{
		{"default", DefaultSpec(), nil},
		{"some", Spec{Time: time.Millisecond, Only: []string{"mesh", "chip"}}, nil},
		{"zero time", Spec{}, []string{"time per benchmark must be > 0, got 0s"}},
		{"negative time", Spec{Time: -time.Second}, []string{"got -1s"}},
		{"unknown", Spec{Time: time.Second, Only: []string{"core", "noc"}},
			[]string{`unknown benchmark "noc"`, "valid names are core, sched, mesh, chip"}},
		{"every problem", Spec{Only: []string{"x"}}, []string{"must be > 0", `unknown benchmark "x"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if len(tc.want) == 0 {
				assert.NoError(t, err)
				return
			}
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
	_, err := Run(context.Background(), Spec{Time: time.Second, Only: []string{"nope"}}, nil)
	assert.ErrorContains(t, err, `unknown benchmark "nope"`)
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, DefaultSpec(), func(string) { t.Error("no benchmark should start") })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, res)

	// Cancelled in the middle of a long measurement, each benchmark stops
	// promptly.
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stop := time.AfterFunc(20*time.Millisecond, cancel)
			defer stop.Stop()
			t0 := time.Now()
			_, err := Run(ctx, Spec{Time: time.Hour, Only: []string{name}}, nil)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(t0), 5*time.Second)
		})
	}
}

func TestEmbeddedNetworkIsTheChipTestdata(t *testing.T) {
	const path = "../chip/testdata/random_net.yaml"
	want, err := os.ReadFile(path)
	require.NoError(t, err, "the chip benchmark's network is %s", path)
	assert.Equal(t, string(want), string(randomNet), "bench/random_net.yaml must be a copy of %s", path)
}

func TestMeter(t *testing.T) {
	var m meter
	calls := 0
	require.NoError(t, m.run(context.Background(), 20*time.Millisecond, func(n int64) error {
		calls++
		time.Sleep(time.Duration(n) * 100 * time.Microsecond)
		return nil
	}))
	assert.GreaterOrEqual(t, m.elapsed, 19*time.Millisecond)
	assert.Less(t, m.elapsed, 60*time.Millisecond)
	assert.Greater(t, m.ops, int64(calls), "batches grow beyond one op")
}
