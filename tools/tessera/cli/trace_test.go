package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runTrace executes tessera with args, the trace command registered, and
// returns stdout, stderr and the error.
func runTrace(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	registered := false
	for _, c := range root.Commands() {
		registered = registered || c.Name() == "trace"
	}
	if !registered {
		root.AddCommand(traceCmd())
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

const twoPopNet = "../../../chip/testdata/two_pop.yaml"

// vcdTimesInOrder checks a VCD's timestamps never decrease and returns its
// signal declarations.
func vcdTimesInOrder(t *testing.T, vcd string) []string {
	t.Helper()
	var vars []string
	last := int64(-1)
	for _, line := range strings.Split(vcd, "\n") {
		if strings.HasPrefix(line, "$var ") {
			vars = append(vars, line)
		}
		if strings.HasPrefix(line, "#") {
			ts, err := strconv.ParseInt(line[1:], 10, 64)
			require.NoError(t, err, line)
			require.GreaterOrEqual(t, ts, last, "time goes back at %s", line)
			last = ts
		}
	}
	require.True(t, strings.Contains(vcd, "$timescale 1ps $end"))
	require.True(t, strings.Contains(vcd, "$enddefinitions $end"))
	return vars
}

func TestTraceVCD(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "two.vcd")
	out, _, err := runTrace(t, "trace", twoPopNet, "--preset", "small", "--steps", "6", "-o", file, "-q")
	require.NoError(t, err)
	assert.Contains(t, out, "wrote "+file+": vcd trace of 6 steps")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	vcd := string(data)
	vars := vcdTimesInOrder(t, vcd)
	for _, want := range []string{"step", "barrier", "busy", "op", "packets", "valid", "spike"} {
		assert.True(t, strings.Contains(strings.Join(vars, "\n"), " "+want+" $end"), "signal %s declared", want)
	}
	// The probed neurons (stim, a, b) have a spike signal: a fires at
	// 489766 ps and b at 738199 ps (see chip's TestTwoPopulationsByHand).
	assert.Contains(t, vcd, "$scope module pop_a $end")
	assert.Contains(t, vcd, "\n#489766\n")
	assert.Contains(t, vcd, "\n#738199\n")

	// An image runs the same, and "-" writes to stdout.
	img := filepath.Join(dir, "two.tsi")
	_, err = run(t, "compile", twoPopNet, "--preset", "small", "-o", img)
	require.NoError(t, err)
	stdout, stderr, err := runTrace(t, "trace", img, "--steps", "6", "-o", "-")
	require.NoError(t, err)
	assert.Equal(t, vcd, stdout)
	assert.Contains(t, stderr, "wrote -: vcd trace of 6 steps")
}

func TestTracePerfetto(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "two.json")
	out, _, err := runTrace(t, "trace", twoPopNet, "--preset", "small", "--steps", "6", "-o", file, "-q")
	require.NoError(t, err)
	assert.Contains(t, out, "perfetto trace of 6 steps")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	names := map[string]int{}
	for _, e := range doc.TraceEvents {
		for _, k := range []string{"name", "ph", "ts", "pid", "tid"} {
			require.Contains(t, e, k)
		}
		names[e["name"].(string)]++
	}
	assert.Equal(t, 12, names["sweep"], "2 cores × 6 steps")
	assert.Equal(t, 3, names["synapses"], "3 packets delivered")
	assert.Equal(t, 6, names["energy"])
	assert.Equal(t, 1, names["hop"])

	_, _, err = runTrace(t, "trace", twoPopNet, "--preset", "small", "--steps", "6", "-o", file, "--no-energy",
		"--format", "perfetto")
	require.NoError(t, err)
	data, err = os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"energy"`)
}

func TestTraceFiltersAndFlightRecorder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.vcd")
	_, _, err := runTrace(t, "trace", twoPopNet, "--preset", "small", "--steps", "6", "-o", file,
		"--cores", "1", "--tiles", "1:0", "--kinds", "sweep,spikes,packets", "--neurons", "b", "--from-ps", "400000")
	require.NoError(t, err)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	vcd := string(data)
	vcdTimesInOrder(t, vcd)
	assert.Contains(t, vcd, "core_1")
	assert.NotContains(t, vcd, "core_0")
	assert.NotContains(t, vcd, "tile_0_0")
	assert.NotContains(t, vcd, "barrier")
	assert.NotContains(t, vcd, "pop_a")
	assert.Contains(t, vcd, "pop_b")
	assert.Contains(t, vcd, "\n#400000\n$dumpvars\n")

	out, _, err := runTrace(t, "trace", twoPopNet, "--preset", "small", "--steps", "6", "-o", file, "--last", "10")
	require.NoError(t, err)
	assert.Contains(t, out, "the last 10 of")
	data, err = os.ReadFile(file)
	require.NoError(t, err)
	vcdTimesInOrder(t, string(data))
}

func TestTraceBadFlags(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "two.tsi")
	_, err := run(t, "compile", twoPopNet, "--preset", "small", "-o", img)
	require.NoError(t, err)
	file := filepath.Join(dir, "x.vcd")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "fst"}, `unknown trace format "fst"`},
		{[]string{"--cores", "3"}, "core 3 is not in use (cores in use: 0,1)"},
		{[]string{"--cores", "a"}, "--cores:"},
		{[]string{"--tiles", "5:0"}, "--tiles:"},
		{[]string{"--neurons", "c:1"}, `--neurons: neurons "c:1": no population "c"`},
		{[]string{"--neurons", "a:4"}, `population "a" has neurons 0..0, not 4`},
		{[]string{"--kinds", "hops"}, `--kinds: unknown event kind "hops"`},
		{[]string{"--from-ps", "10", "--to-ps", "5"}, "is empty"},
		{[]string{"--preset", "loihi"}, "--preset applies to network files"},
	} {
		args := append([]string{"trace", img, "-o", file, "--steps", "2"}, tc.args...)
		_, _, err := runTrace(t, args...)
		assert.ErrorContains(t, err, tc.want, "%v", tc.args)
	}
}
