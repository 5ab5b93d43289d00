package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

	_, err = run(t, "events", bin, bin, "--csv", csvPath)
	assert.ErrorContains(t, err, "--csv converts one recording; 2 were given")
	_, err = run(t, "events", filepath.Join(dir, "README.md"))
	assert.ErrorContains(t, err, "not a known event-camera format")
}
