package cli

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBench(t *testing.T) {
	js := filepath.Join(t.TempDir(), "bench.json")
	out, err := run(t, "bench", "--only", "mesh", "--time", "20ms", "--json", js)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out) // header, two rows, "wrote"
	assert.Regexp(t, `^benchmark +metric +value +unit$`, lines[0])
	for _, l := range lines[1:3] {
		assert.Regexp(t, `^mesh +8×8 uniform, [14]-flit packets, load [0-9.]+ +[0-9.]+ [kMG] +flit-hops/s$`, l)
	}
	assert.Equal(t, "wrote "+js, lines[3])

	data, err := os.ReadFile(js)
	require.NoError(t, err)
	var got benchJSON
	require.NoError(t, json.Unmarshal(data, &got))
	assert.Equal(t, "20ms", got.TimePerBenchmark)
	require.Len(t, got.Results, 1)
	assert.Equal(t, "mesh", got.Results[0].Name)
	require.Len(t, got.Results[0].Metrics, 2)
	assert.Equal(t, "flit-hops/s", got.Results[0].Metrics[0].Unit)
	assert.Positive(t, got.Results[0].Metrics[0].Value)
}

// --cpuprofile writes a profile that pprof can read (and that names the
// code it measured).
func TestBenchCPUProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	_, err := run(t, "bench", "--only", "sched", "--time", "50ms", "--cpuprofile", prof)
	require.NoError(t, err)
	f, err := os.Open(prof)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f) // a pprof profile is a gzipped protocol buffer
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	for _, s := range []string{"samples", "cpu", "nanoseconds"} { // its sample types
		assert.Contains(t, string(raw), s)
	}
	_, err = run(t, "bench", "--only", "sched", "--time", "1ms", "--cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir", "p"))
	assert.ErrorContains(t, err, "--cpuprofile")
}

func TestBenchErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--only", "core,noc"}, `unknown benchmark "noc": valid names are core, sched, mesh, chip`},
		{[]string{"--time", "0s"}, "--time must be > 0"},
		{[]string{"--time", "-1s"}, "--time must be > 0"},
		{[]string{"extra"}, "unknown command"},
	} {
		_, err := run(t, append([]string{"bench"}, tc.args...)...)
		assert.ErrorContains(t, err, tc.want, tc.args)
	}
}

func TestSIValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{0.5, "0.5"},
		{3.14159, "3.14"},
		{13.44, "13.4"},
		{531.2, "531"},
		{999.4, "999"},
		{999.6, "1.00 k"},
		{6720, "6.72 k"},
		{1.89e9, "1.89 G"},
		{2.5e12, "2.50 T"},
		{123.4e6, "123 M"},
	} {
		assert.Equal(t, tc.want, siValue(tc.v), "%v", tc.v)
	}
}
