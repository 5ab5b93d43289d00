package netfile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// eventsHead is okHead with an inputs list to which the cases add an
// events source; tiny4x4.bin holds five ATIS events on a 4×4 sensor
// (testdata/events/README.md).
const eventsHead = okHead + "inputs:\n"

func TestEventsSource(t *testing.T) {
	src := eventsHead + `  - name: dvs
    size: 8
    events: {file: events/tiny4x4.bin, sensor: [4, 4], pool: 2}
projections:
  - {pre: dvs, post: exc, connectivity: all_to_all, weight: 5}
`
	g, err := netfile.Parse("testdata/net.yaml", []byte(src))
	require.NoError(t, err)
	var in *graph.InputSource
	for _, p := range g.Populations {
		if p.Name == "dvs" {
			in = p.Input
		}
	}
	require.NotNil(t, in)
	assert.Equal(t, graph.InputRaster, in.Kind)
	assert.Equal(t, "testdata/events/tiny4x4.bin", in.File)
	// 2×2 squares, OFF plane 0..3, ON plane 4..7; step 1 starts at the
	// first event (t = 1000 µs); the second event (same square, same
	// step) merges into the first.
	assert.Equal(t, []graph.Spike{{Step: 1, Index: 4}, {Step: 2, Index: 3}, {Step: 4, Index: 1}, {Step: 6, Index: 7}}, in.Spikes)

	// a crop of the right half, ON only, one pixel a channel, from 2 ms on
	src = eventsHead + `  - name: dvs
    size: 8
    events: {file: events/tiny4x4.bin, sensor: [4, 4], crop: [2, 0, 2, 4], polarity: on, start_us: 2000}
`
	g, err = netfile.Parse("testdata/net.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []graph.Spike{{Step: 4, Index: 7}}, g.Populations[1].Input.Spikes, "x 3, y 3 → 2·3 + 1; 5000 µs after the window's start")

	// the file's clock: step 1 begins at t = 0 µs, so the event at 6000 µs
	// is in step 7
	src = eventsHead + `  - name: dvs
    size: 8
    events: {file: events/tiny4x4.bin, sensor: [4, 4], crop: [2, 0, 2, 4], polarity: on, t0_us: 0}
`
	g, err = netfile.Parse("testdata/net.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []graph.Spike{{Step: 7, Index: 7}}, g.Populations[1].Input.Spikes)
}

func TestEventsSourceErrors(t *testing.T) {
	const file = "file: events/tiny4x4.bin"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"no sensor size", "  - {name: dvs, size: 8, events: {" + file + "}}\n",
			[]string{`testdata/net.yaml:8:34: the ATIS .bin recording tiny4x4.bin does not state its sensor size; add sensor: [width, height] (its events reach x = 3, y = 3)`}},
		{"size does not match", "  - {name: dvs, size: 9, events: {" + file + ", sensor: [4, 4], pool: 2}}\n",
			[]string{`testdata/net.yaml:8:23: size is 9 but the events source has 8 channels: 2×2 squares of 2×2 pixels × 2 polarity planes (split); set size: 8`}},
		{"events outside the sensor", "  - {name: dvs, size: 18, events: {" + file + ", sensor: [3, 3]}}\n",
			[]string{`testdata/net.yaml:8:70: recording tiny4x4.bin: events reach x = 3, y = 3, outside the 3×3 sensor`}},
		{"unknown polarity", "  - {name: dvs, size: 16, events: {" + file + ", sensor: [4, 4], polarity: both}}\n",
			[]string{`testdata/net.yaml:8:88: unknown polarity "both" (allowed: split, merge, on, off)`}},
		{"crop outside", "  - {name: dvs, size: 8, events: {" + file + ", sensor: [4, 4], crop: [3, 0, 2, 2]}}\n",
			[]string{`testdata/net.yaml:8:34: crop 2×2 at (3, 0) is not inside the 4×4 sensor`}},
		{"crop of three values", "  - {name: dvs, size: 8, events: {" + file + ", sensor: [4, 4], crop: [0, 0, 2]}}\n",
			[]string{`testdata/net.yaml:8:83: crop has 3 values; it is [x, y, width, height]`}},
		{"empty crop", "  - {name: dvs, size: 8, events: {" + file + ", sensor: [4, 4], crop: [0, 0, 0, 2]}}\n",
			[]string{`testdata/net.yaml:8:83: crop width and height must be at least 1; got 0×2`}},
		{"missing file", "  - {name: dvs, size: 8, events: {file: events/none.aedat4, sensor: [4, 4]}}\n",
			[]string{`testdata/net.yaml:8:41: cannot read event recording: events: open testdata/events/none.aedat4: no such file or directory (a relative path is relative to the network file's directory)`}},
		{"not a recording", "  - {name: dvs, size: 8, events: {file: events/README.md, sensor: [4, 4]}}\n",
			[]string{`testdata/net.yaml:8:41: cannot read event recording: events: testdata/events/README.md: not a known event-camera format`}},
		{"no file", "  - {name: dvs, size: 8, events: {sensor: [4, 4]}}\n",
			[]string{`testdata/net.yaml:8:34: missing mandatory field "file" in events`}},
		{"two sources", "  - {name: dvs, size: 8, poisson: {rate_hz: 5, seed: 1}, events: {" + file + "}}\n",
			[]string{`testdata/net.yaml:8:58: input "dvs" has both poisson and events; keep exactly one source`}},
		{"negative start", "  - {name: dvs, size: 32, events: {" + file + ", sensor: [4, 4], start_us: -1}}\n",
			[]string{`testdata/net.yaml:8:88: start_us must be in 0..9007199254740992; got -1`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertParseErrors(t, "testdata/net.yaml", eventsHead+tc.src, tc.want...)
		})
	}
}
