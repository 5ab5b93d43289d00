package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/events"
	"github.com/tessera-sim/tessera/tools/refdata"
)

func TestEventsCommand(t *testing.T) {
	dir := refdata.Dir(t, "events")
	bin := filepath.Join(dir, "nmnist_atis_tonic.bin")
	out, err := run(t, "events", bin, filepath.Join(dir, "synthetic_aedat31.aedat"))
	require.NoError(t, err)
	assert.Contains(t, out, bin+": ATIS .bin, sensor size not stated")
	assert.Contains(t, out, "4325 events (2145 ON, 2180 OFF) over 310.52 ms: t 654 … 311175 µs")
	assert.Contains(t, out, "pixels reached: x ≤ 33, y ≤ 33")
	assert.Contains(t, out, "synthetic_aedat31.aedat: AEDAT 3.1")
	assert.Contains(t, out, "6344 events (3171 ON, 3173 OFF)")

	csvPath := filepath.Join(t.TempDir(), "digit.csv")
	out, err = run(t, "events", bin, "--csv", csvPath)
	require.NoError(t, err)
	assert.Contains(t, out, "wrote "+csvPath)
	got, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(dir, "nmnist_atis_tonic.bin.expected.csv"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(got), "\n")
	require.Len(t, lines, 4325+2, "header, one line an event, and the empty string after the last newline")
	assert.Equal(t, string(want), strings.Join(lines[:2001], ""), "the first 2000 events as the reference decoded them")

	// a preview of an events source: the counts agree with Map's
	out, err = run(t, "events", bin, "--dt", "1ms", "--sensor", "34x34", "--pool", "2")
	require.NoError(t, err)
	rec, err := events.ReadFile(bin)
	require.NoError(t, err)
	m, err := rec.Map(events.Retina{Width: 34, Height: 34, Pool: 2}, events.Timing{StepPS: 1e9})
	require.NoError(t, err)
	assert.Contains(t, out, "events source (size: 578): 578 channels: 17×17 squares of 2×2 pixels × 2 polarity planes (split)")
	assert.Contains(t, out, fmt.Sprintf("at dt 1ms: %d spikes in steps 1 … %d; of 4325 events in the window %d merged",
		len(m.Spikes), m.Spikes[len(m.Spikes)-1].Step, m.Merged))
	out, err = run(t, "events", bin, "--dt", "1ms", "--sensor", "34x34", "--crop", "0,0,10,34", "--polarity", "on", "--t0-us", "0", "--duration-us", "1000")
	require.NoError(t, err)
	assert.Contains(t, out, "events source (size: 340): 340 channels: 10×34 pixels × 1 polarity plane (on)")
	assert.Contains(t, out, "after the window")
	for _, bad := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--dt", "1ms"}, "give --sensor WIDTHxHEIGHT"},
		{[]string{"--dt", "1ms", "--sensor", "34"}, `--sensor "34" is not WIDTHxHEIGHT`},
		{[]string{"--dt", "1ms", "--sensor", "20x20"}, "outside the 20×20 sensor"},
		{[]string{"--dt", "1ms", "--sensor", "34x34", "--crop", "1,2"}, "is not X,Y,WIDTH,HEIGHT"},
		{[]string{"--dt", "1ms", "--sensor", "34x34", "--polarity", "both"}, `got "both"`},
		{[]string{"--dt", "fast", "--sensor", "34x34"}, "needs a unit"},
		{[]string{"--pool", "2"}, "--pool sets up an events source preview; give --dt too"},
	} {
		_, err = run(t, append([]string{"events", bin}, bad.flags...)...)
		assert.ErrorContains(t, err, bad.want, "%v", bad.flags)
	}

	_, err = run(t, "events", bin, bin, "--csv", csvPath)
	assert.ErrorContains(t, err, "--csv converts one recording; 2 were given")
	_, err = run(t, "events", filepath.Join(dir, "README.md"))
	assert.ErrorContains(t, err, "not a known event-camera format")
}
