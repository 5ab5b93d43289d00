package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

const (
	testNet    = "testdata/net.yaml"
	testPreset = "testdata/preset.yaml"
	testSteps  = 30
)

// grid2x2 sweeps each kind of key: the seed and the drive's rate vary, a
// preset field takes one value.
func grid2x2() Grid {
	return Grid{
		{Key: "seed", Values: []string{"1", "2"}},
		{Key: "preset.core.syn_op.energy_fj", Values: []string{"30000"}},
		{Key: "net.inputs.drive.poisson.rate_hz", Values: []string{"50", "200"}},
	}
}

func newSweep(t *testing.T, cfg Config) *Sweep {
	t.Helper()
	if cfg.Network == "" {
		cfg.Network = testNet
	}
	if cfg.Preset == "" {
		cfg.Preset = "small"
	}
	if cfg.Steps == 0 {
		cfg.Steps = testSteps
	}
	if cfg.Out == "" {
		cfg.Out = t.TempDir()
	}
	s, err := New(cfg)
	require.NoError(t, err)
	return s
}

// directRun compiles and runs the test network as tessera run would, with
// the drive's rate edited in the text of a copy of the file and the
// preset's synaptic op energy set in the Spec: a path independent of the
// sweep's tree editing.
func directRun(t *testing.T, seed uint64, rate string, synOpFJ uint64) *chip.Result {
	t.Helper()
	dir := t.TempDir()
	text, err := os.ReadFile(testNet)
	require.NoError(t, err)
	edited := strings.Replace(string(text), "rate_hz: 100", "rate_hz: "+rate, 1)
	require.NotEqual(t, string(text), edited)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "net.yaml"), []byte(edited), 0o644))
	stim, err := os.ReadFile("testdata/stim.csv")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stim.csv"), stim, 0o644))

	g, err := netfile.ParseFile(filepath.Join(dir, "net.yaml"))
	require.NoError(t, err)
	spec := preset.Small()
	spec.Core.SynOp.EnergyFJ = synOpFJ
	img, _, err := compiler.CompileWith(g, spec, compiler.Options{Placement: compiler.PlaceAnneal})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: testSteps, Seed: seed})
	require.NoError(t, err)
	return res
}

// Each row of a sweep is what a direct run of its configuration gives,
// report.json byte for byte.
func TestSweepMatchesDirectRuns(t *testing.T) {
	s := newSweep(t, Config{Grid: grid2x2(), Jobs: 2})
	var progress []int
	s.cfg.Progress = func(done, total int) {
		assert.Equal(t, 4, total)
		progress = append(progress, done)
	}
	rows, err := s.Run(context.Background())
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []int{1, 2, 3, 4}, progress)
	assert.Equal(t, int64(2), s.compiles.Load(), "one compilation per rate: runs that differ in their seed share an image")
	assert.Nil(t, s.images, "the cache goes with the sweep")

	seeds := map[string]uint64{"1": 1, "2": 2}
	distinct := map[uint64]bool{}
	for run, row := range rows {
		assert.Equal(t, run, row.Run)
		vals := s.cfg.Grid.Values(run)
		assert.Equal(t, vals, row.Values)
		res := directRun(t, seeds[vals[0]], vals[2], 30000)
		assert.Equal(t, MetricsOf(&res.Report), row.Metrics, "run %d", run)
		var want bytes.Buffer
		require.NoError(t, res.WriteReport(&want))
		got, err := os.ReadFile(filepath.Join(s.RunDir(run), "report.json"))
		require.NoError(t, err)
		assert.Equal(t, want.String(), string(got), "run %d report.json", run)
		assert.NoFileExists(t, filepath.Join(s.RunDir(run), "spikes.csv"), "spikes.csv only when asked")
		assert.Positive(t, row.Metrics.SynOps)
		distinct[row.Metrics.TotalFJ] = true
	}
	assert.Len(t, distinct, 4, "every configuration is a different run")

	csv, err := os.ReadFile(filepath.Join(s.cfg.Out, SummaryFile))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	require.Len(t, lines, 5)
	assert.Equal(t, "run,seed,preset.core.syn_op.energy_fj,net.inputs.drive.poisson.rate_hz,"+
		"steps,spikes,input_spikes,syn_ops,packets,hops,total_fj,dynamic_fj,static_fj,hardware_time_ps,pj_per_syn_op", lines[0])
	assert.True(t, strings.HasPrefix(lines[2], "1,1,30000,200,30,"), lines[2])
	assert.True(t, strings.HasPrefix(lines[3], "2,2,30000,50,30,"), lines[3])

	m, err := ReadManifest(s.cfg.Out)
	require.NoError(t, err)
	assert.Equal(t, s.cfg.Grid, m.Grid)
	assert.Equal(t, 4, m.Runs)
	assert.Equal(t, "small", m.Preset)
	assert.True(t, filepath.IsAbs(m.Network))
	assert.Equal(t, []string{"sweep", m.Network, "--steps", "30", "--out", s.cfg.Out, "--preset", "small",
		"--set", "seed=1,2", "--set", "preset.core.syn_op.energy_fj=30000", "--set", "net.inputs.drive.poisson.rate_hz=50,200",
		"--placement", "anneal", "--place-seed", "0"}, m.Command)
}

// Whatever the number of jobs, sweep.csv is the same, byte for byte.
func TestSweepDeterministic(t *testing.T) {
	var csvs []string
	for _, jobs := range []int{1, 2} {
		s := newSweep(t, Config{Grid: grid2x2(), Jobs: jobs, Spikes: true})
		_, err := s.Run(context.Background())
		require.NoError(t, err)
		csv, err := os.ReadFile(filepath.Join(s.cfg.Out, SummaryFile))
		require.NoError(t, err)
		csvs = append(csvs, string(csv))
		assert.FileExists(t, filepath.Join(s.RunDir(3), "spikes.csv"))
	}
	assert.Equal(t, csvs[0], csvs[1])
}

// A preset file is the base of preset keys; its own overrides stay.
func TestSweepPresetFile(t *testing.T) {
	s := newSweep(t, Config{Preset: testPreset, Grid: Grid{
		{Key: "preset.mesh.width", Values: []string{"2", "3"}},
		{Key: "preset.static_power_nw", Values: []string{"0", "2000000"}},
	}, Steps: 10})
	rows, err := s.Run(context.Background())
	require.NoError(t, err)
	assert.Zero(t, rows[0].Metrics.StaticFJ)
	assert.Positive(t, rows[1].Metrics.StaticFJ)
	// The file's synaptic op energy (20 pJ) is kept under the sweep's fields.
	var rep chip.Report
	data, err := os.ReadFile(filepath.Join(s.RunDir(2), "report.json"))
	require.NoError(t, err)
	require.NoError(t, jsonUnmarshal(data, &rep))
	assert.Equal(t, 3, rep.Layout.Width)
	assert.Equal(t, rep.Ops.SynOps*20000, rep.Energy.SynOpFJ)

	// Sweeping the built-in a preset starts from.
	s = newSweep(t, Config{Grid: Grid{{Key: "preset.base", Values: []string{"small", "loihi"}}}, Steps: 5})
	rows, err = s.Run(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, rows[0].Metrics.HardwareTimePS, rows[1].Metrics.HardwareTimePS)
}

// Mistakes in keys are found before anything runs, with what exists.
func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"net path", Config{Grid: Grid{{Key: "net.inputs.drive.poison.rate_hz", Values: []string{"1"}}}},
			`net.inputs.drive has no field "poison"; did you mean "poisson"? (it has: name, size, poisson)`},
		{"net item", Config{Grid: Grid{{Key: "net.populations.ex.size", Values: []string{"1"}}}},
			`net.populations has no item named or numbered "ex"; did you mean "exc"? (its items: exc, inh; or by index 0..1)`},
		{"preset field", Config{Grid: Grid{{Key: "preset.core.syn_op.energy", Values: []string{"1"}}}},
			`preset.core.syn_op has no field "energy"; did you mean "energy_fj"? (it has: energy_fj, latency_ps)`},
		{"seed", Config{Grid: Grid{{Key: "seed", Values: []string{"1", "-1"}}}}, `seed "-1": a seed is a whole number ≥ 0`},
		{"value", Config{Grid: Grid{{Key: "net.dt", Values: []string{"[1"}}}}, `net.dt: value "[1" is not a YAML value`},
		{"json", Config{Network: "../../compiler/netfile/testdata/two_populations.json", Grid: Grid{{Key: "net.dt", Values: []string{"2ms"}}}},
			"net.* keys edit a YAML network file (.yaml or .yml)"},
		{"nir dt", Config{Network: "model.nir"}, "a NIR graph stores no time step"},
		{"preset name", Config{Preset: "loihi2"}, `unknown preset "loihi2"`},
		{"steps", Config{Steps: -1}, "steps must be ≥ 1"},
		{"missing network", Config{Network: "testdata/none.yaml"}, "none.yaml"},
		{"two errors", Config{Grid: Grid{{Key: "seed", Values: []string{"x"}}, {Key: "net.dtt.x", Values: []string{"1"}}}},
			"a seed is a whole number ≥ 0\nnet has no field \"dtt\"; did you mean \"dt\"?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg.Network == "" {
				cfg.Network = testNet
			}
			if cfg.Steps == 0 {
				cfg.Steps = 5
			}
			cfg.Out = t.TempDir()
			_, err := New(cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// A value the preset or network reader rejects fails its run, named by
// number and values, and stops the sweep.
func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		grid Grid
		want []string
	}{
		{"preset value", Grid{{Key: "seed", Values: []string{"1", "2"}}, {Key: "preset.mesh.width", Values: []string{"2", "x"}}},
			[]string{"run 1 (seed=1 preset.mesh.width=x): preset base small with the sweep's fields", "cannot unmarshal !!str `x`"}},
		{"preset check", Grid{{Key: "preset.mesh.width", Values: []string{"0"}}},
			[]string{"run 0 (preset.mesh.width=0)", "width"}},
		{"net value", Grid{{Key: "net.populations.exc.neuron.vth", Values: []string{"-5"}}},
			[]string{"run 0 (net.populations.exc.neuron.vth=-5)", "vth"}},
		{"net field", Grid{{Key: "net.populations.exc.neuron.vht", Values: []string{"5"}}},
			[]string{"run 0 (net.populations.exc.neuron.vht=5)", `unknown field "vht" in neuron`,
				"(positions are in the network with this run's values, saved as "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSweep(t, Config{Grid: tc.grid, Steps: 3, Jobs: 1})
			_, err := s.Run(context.Background())
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.NoFileExists(t, filepath.Join(s.cfg.Out, SummaryFile))
		})
	}
}

func TestRunCancelled(t *testing.T) {
	s := newSweep(t, Config{Grid: Grid{{Key: "seed", Values: []string{"1", "2", "3"}}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Run(ctx)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

// An empty grid is one run of the network as it is: tessera run's figures.
func TestEmptyGrid(t *testing.T) {
	s := newSweep(t, Config{Steps: testSteps})
	rows, err := s.Run(context.Background())
	require.NoError(t, err)
	require.Len(t, rows, 1)
	g, err := netfile.ParseFile(testNet)
	require.NoError(t, err)
	img, _, err := compiler.CompileWith(g, preset.Small(), compiler.Options{})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: testSteps, Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, MetricsOf(&res.Report), rows[0].Metrics)
}

func TestRunDirWidth(t *testing.T) {
	s := &Sweep{cfg: Config{Out: "/o", Grid: Grid{{Key: "seed", Values: values(12345)}}}}
	assert.Equal(t, "/o/runs/00042", s.RunDir(42))
	s = &Sweep{cfg: Config{Out: "/o", Grid: Grid{{Key: "seed", Values: values(3)}}}}
	assert.Equal(t, "/o/runs/0002", s.RunDir(2))
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// The image cache compiles each key once, however many take it at once,
// and forgets a key when its last configuration has taken it.
func TestImageCache(t *testing.T) {
	c := newImageCache([]string{"a", "b", "a", "a"}) // runs 0, 2 and 3 share key "a"
	var builds atomic.Int64
	build := func() (*image.Image, error) {
		builds.Add(1)
		return &image.Image{Name: "x"}, nil
	}
	var wg sync.WaitGroup
	runsOfA := []int{0, 2, 3}
	imgs := make([]*image.Image, len(runsOfA))
	for i, run := range runsOfA {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img, err := c.take(run, build)
			assert.NoError(t, err)
			imgs[i] = img
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), builds.Load())
	assert.Same(t, imgs[0], imgs[1])
	assert.Same(t, imgs[0], imgs[2])
	assert.NotContains(t, c.entries, "a", "taken by all three")
	_, err := c.take(1, func() (*image.Image, error) { return nil, errors.New("boom") })
	assert.EqualError(t, err, "boom")
	assert.Empty(t, c.entries)
}
