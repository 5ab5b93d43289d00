package trace

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
)

type netCase struct {
	name  string
	file  string
	spec  preset.Spec
	steps int
}

var nets = []netCase{
	{"two-pop/small", twoPop, preset.Small(), 6},
	{"random-net/loihi", randomNet, preset.Loihi(), 40},
	{"random-net/spread", randomNet, spread(), 8},
}

// spread is Loihi with small cores, two per tile, on a 4×8 mesh: the random
// network spans 8 tiles and its packets hop east-west and north-south.
func spread() preset.Spec {
	s := preset.Loihi()
	s.Name = "loihi-spread"
	s.Core.MaxNeurons = 128
	s.Mesh.Width, s.Mesh.Height, s.Mesh.CoresPerTile = 4, 8, 2
	return s
}

// vcdRun runs img for steps with a VCD writer and returns the file and the
// result.
func vcdRun(t *testing.T, img *image.Image, steps int, f Filter) ([]byte, *chip.Result) {
	t.Helper()
	var buf bytes.Buffer
	v, err := NewVCD(&buf, LayoutOf(img), f)
	require.NoError(t, err)
	res := runNet(t, img, steps, v)
	require.NoError(t, v.Close())
	return buf.Bytes(), res
}

// checkVCD cross-checks a parsed VCD of a whole run against its result:
// every spike of every selected neuron at the exact picosecond, the step
// counter at every step start, each core's busy time, routers drained.
func checkVCD(t *testing.T, d *vcdDoc, res *chip.Result, l Layout, f Filter) {
	t.Helper()
	assert.Equal(t, "1ps", d.timescale)
	assert.Equal(t, expectedSpikes(t, res, l, f), d.spikes(), "spike times")

	var start int64
	for k, dur := range res.StepTimePS {
		assert.Equal(t, uint64(k+1), d.valueAt("chip.step", start), "step at %d ps", start)
		start += dur
	}
	end := start
	for _, cr := range res.Report.Cores {
		name := fmt.Sprintf("chip.tile_%d_%d.core_%d.busy", cr.Tile[0], cr.Tile[1], cr.ID)
		assert.Equal(t, cr.BusyPS, d.highPS(name, end), name)
	}
	for _, rr := range res.Report.Routers {
		name := fmt.Sprintf("chip.tile_%d_%d.router.packets", rr.Tile[0], rr.Tile[1])
		assert.Equal(t, uint64(0), d.valueAt(name, end), name)
		if hops := rr.HopsEW + rr.HopsNS; hops > 0 {
			valid := d.highPS(fmt.Sprintf("chip.tile_%d_%d.router.valid", rr.Tile[0], rr.Tile[1]), end)
			assert.Positive(t, valid, "router %v sent %d packets", rr.Tile, hops)
			assert.LessOrEqual(t, valid, rr.BusyPS, "router %v: valid at most its ports' busy time", rr.Tile)
		}
	}
	assert.Positive(t, d.highPS("chip.barrier", end))
	assert.Less(t, d.highPS("chip.barrier", end), end)
}

func TestVCDRealNetworks(t *testing.T) {
	for _, nc := range nets {
		t.Run(nc.name, func(t *testing.T) {
			img := compileNet(t, nc.file, nc.spec)
			l := LayoutOf(img)
			// The neurons spikes.csv records: the cross-check is exact.
			neurons, err := ParseNeurons("probed", &l)
			require.NoError(t, err)
			f := Filter{Neurons: neurons}
			out, res := vcdRun(t, img, nc.steps, f)
			require.NotEmpty(t, res.Spikes)
			d, err := parseVCD(bytes.NewReader(out))
			require.NoError(t, err)
			checkVCD(t, d, res, l, f)

			// The spikes CSV, read back, says the same.
			var csv bytes.Buffer
			require.NoError(t, res.WriteSpikesCSV(&csv))
			var fromCSV []string
			for _, line := range strings.Split(strings.TrimSpace(csv.String()), "\n")[1:] {
				var step, n int32
				var ps int64
				var pop string
				parts := strings.Split(line, ",")
				require.Len(t, parts, 4)
				_, err := fmt.Sscan(parts[0], &step)
				require.NoError(t, err)
				_, err = fmt.Sscan(parts[1], &ps)
				require.NoError(t, err)
				pop = parts[2]
				_, err = fmt.Sscan(parts[3], &n)
				require.NoError(t, err)
				fromCSV = append(fromCSV, spikeKey(pop, n, ps))
			}
			assert.ElementsMatch(t, fromCSV, d.spikes())

			// Deterministic: the same run writes the same bytes.
			again, _ := vcdRun(t, img, nc.steps, f)
			assert.Equal(t, out, again)
		})
	}
}

// TestVCDGTKWave converts a trace with GTKWave's vcd2fst, reads it back with
// fst2vcd and checks the round trip kept every spike and step.
func TestVCDGTKWave(t *testing.T) {
	vcd2fst, err1 := exec.LookPath("vcd2fst")
	fst2vcd, err2 := exec.LookPath("fst2vcd")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("vcd2fst and fst2vcd (GTKWave) must be on PATH in CI: %v %v", err1, err2)
		}
		t.Skip("vcd2fst/fst2vcd not on PATH: install gtkwave to check VCD files with GTKWave's reader")
	}
	img := compileNet(t, randomNet, spread())
	l := LayoutOf(img)
	neurons, err := ParseNeurons("probed", &l)
	require.NoError(t, err)
	f := Filter{Neurons: neurons}
	out, res := vcdRun(t, img, 30, f)

	dir := t.TempDir()
	in, fst := filepath.Join(dir, "run.vcd"), filepath.Join(dir, "run.fst")
	require.NoError(t, os.WriteFile(in, out, 0o644))
	var stderr bytes.Buffer
	cmd := exec.Command(vcd2fst, in, fst)
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "vcd2fst: %s", stderr.String())
	require.Empty(t, strings.TrimSpace(stderr.String()), "vcd2fst wrote to stderr")

	stderr.Reset()
	cmd = exec.Command(fst2vcd, fst)
	cmd.Stderr = &stderr
	back, err := cmd.Output()
	require.NoError(t, err, "fst2vcd: %s", stderr.String())
	require.Empty(t, strings.TrimSpace(stderr.String()), "fst2vcd wrote to stderr")

	d, err := parseVCD(bytes.NewReader(back))
	require.NoError(t, err, "fst2vcd's output")
	orig, err := parseVCD(bytes.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, orig.names(), d.names(), "signals survive the round trip")
	checkVCD(t, d, res, l, f)
}

// TestVCDFilters checks that each filter drops exactly its part: the
// filtered trace's signals are a subset of the full one's, with the same
// value at the window's start and the same changes inside the window.
func TestVCDFilters(t *testing.T) {
	img := compileNet(t, randomNet, spread())
	l := LayoutOf(img)
	const steps = 8
	kinds := KindSweep | KindPackets | KindSpikes
	full, res := vcdRun(t, img, steps, Filter{Kinds: kinds})
	// From the start of step 4 (the busiest) to two thirds of the run.
	from := res.StepTimePS[0] + res.StepTimePS[1] + res.StepTimePS[2]
	to := 2 * res.Report.HardwareTimePS / 3
	c := l.Cores[1]
	tile := l.CoreTile(l.Cores[2].ID) + 1
	f := Filter{FromPS: from, ToPS: to, Cores: []int32{c.ID}, Tiles: []int32{tile}, Kinds: kinds,
		Neurons: map[string][]int32{"exc": {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "drive": nil}}
	part, _ := vcdRun(t, img, steps, f)
	assert.Less(t, len(part), len(full)/4, "the filtered trace is much smaller")

	fd, err := parseVCD(bytes.NewReader(full))
	require.NoError(t, err)
	pd, err := parseVCD(bytes.NewReader(part))
	require.NoError(t, err)

	tx, ty := l.TileXY(tile)
	want := []string{
		"chip.step",
		fmt.Sprintf("chip.tile_%d_%d.core_%d.busy", c.X, c.Y, c.ID),
		fmt.Sprintf("chip.tile_%d_%d.core_%d.op", c.X, c.Y, c.ID),
		fmt.Sprintf("chip.tile_%d_%d.router.packets", tx, ty),
		fmt.Sprintf("chip.tile_%d_%d.router.valid", tx, ty),
	}
	for i := range 10 {
		want = append(want, fmt.Sprintf("chip.pop_exc.n%d.spike", i))
	}
	for i := range 64 {
		want = append(want, fmt.Sprintf("chip.pop_drive.n%d.spike", i))
	}
	assert.ElementsMatch(t, want, pd.names(), "exactly the selected signals (no barrier: not a selected kind)")

	// Time: nothing before the window's start or at/after its end.
	require.NotEmpty(t, pd.changes)
	assert.Equal(t, from, pd.changes[0].t)
	for _, ch := range pd.changes {
		assert.True(t, ch.t >= from && ch.t < to || ch.t == to, "change at %d outside [%d, %d]", ch.t, from, to)
	}
	for _, name := range pd.names() {
		assert.Equal(t, fd.valueAt(name, from), pd.valueAt(name, from), "%s at the window's start", name)
		var fw, pw []vcdChange
		for _, ch := range fd.series(name) {
			if ch.t > from && ch.t < to {
				fw = append(fw, vcdChange{t: ch.t, id: "", val: ch.val})
			}
		}
		for _, ch := range pd.series(name) {
			if ch.t > from {
				pw = append(pw, vcdChange{t: ch.t, id: "", val: ch.val})
			}
		}
		assert.Equal(t, fw, pw, "%s inside the window", name)
	}
	for _, name := range want[1:4] {
		assert.Greater(t, len(pd.series(name)), 2, "%s changes in the window", name)
	}
	// Spikes of the selected neurons in the window, and no others.
	require.NotEmpty(t, pd.spikes())
	assert.Equal(t, expectedSpikesAll(t, fd, f), pd.spikes())

	// Kinds: barrier only.
	bar, _ := vcdRun(t, img, steps, Filter{Kinds: KindBarrier})
	bd, err := parseVCD(bytes.NewReader(bar))
	require.NoError(t, err)
	assert.Equal(t, []string{"chip.barrier", "chip.step"}, bd.names())
}

// expectedSpikesAll is the spikes of a full VCD that filter f keeps.
func expectedSpikesAll(t *testing.T, full *vcdDoc, f Filter) []string {
	var out []string
	for _, k := range full.spikes() {
		pop, rest, _ := strings.Cut(k, "/")
		var n int32
		var ps int64
		_, err := fmt.Sscanf(rest, "%d@%d", &n, &ps)
		require.NoError(t, err)
		idx, ok := f.Neurons[pop]
		if !ok || ps < f.FromPS || ps >= f.ToPS {
			continue
		}
		if idx == nil || contains(idx, n) {
			out = append(out, k)
		}
	}
	return out
}

func contains(s []int32, x int32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestVCDIdentifiers(t *testing.T) {
	seen := map[string]bool{}
	for i := range 94*94 + 200 {
		id := vcdID(i)
		require.Regexp(t, printableID, id)
		require.False(t, seen[id], "id %q repeats at %d", id, i)
		seen[id] = true
	}
	assert.Equal(t, "!", vcdID(0))
	assert.Equal(t, "~", vcdID(93))
	assert.Equal(t, "!!", vcdID(94))
}

func TestVCDBadFilter(t *testing.T) {
	img := compileNet(t, twoPop, preset.Small())
	l := LayoutOf(img)
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{Cores: []int32{3}}, "core 3 is not in use"},
		{Filter{Tiles: []int32{9}}, "tile 9 is outside the 2×2 mesh"},
		{Filter{Neurons: map[string][]int32{"c": nil}}, `no population "c"`},
		{Filter{Neurons: map[string][]int32{"a": {1}}}, `population "a" has neurons 0..0, not 1`},
		{Filter{FromPS: 10, ToPS: 5}, "is empty"},
	} {
		_, err := NewVCD(&bytes.Buffer{}, l, tc.f)
		assert.ErrorContains(t, err, tc.want)
		_, err = NewPerfetto(&bytes.Buffer{}, l, tc.f, nil)
		assert.ErrorContains(t, err, tc.want)
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteErrors(t *testing.T) {
	img := compileNet(t, twoPop, preset.Small())
	_, err := NewVCD(errWriter{}, LayoutOf(img), Filter{})
	assert.ErrorContains(t, err, "disk full")
	_, err = NewPerfetto(errWriter{}, LayoutOf(img), Filter{}, nil)
	assert.ErrorContains(t, err, "disk full")
}
