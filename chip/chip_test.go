package chip_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/image"
)

func compileRun(t *testing.T, file string, spec preset.Spec, opts chip.Options) *chip.Result {
	t.Helper()
	// In-order placement: the hand-worked hops below depend on it.
	img, _, err := compiler.CompileFileWith(file, spec, compiler.Options{Placement: compiler.PlaceInOrder})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), opts)
	require.NoError(t, err)
	return res
}

// TestTwoPopulationsByHand checks spike times, probes, op counts, energy and
// hardware time of a tiny chain against values worked out by hand.
//
// stim spikes in steps 1 and 2 → a (du=4095: u is this step's input only;
// dv=0: v never decays; vth=100 → 6400). Step 2: u=100<<6=6400, v=6400,
// not > 6400. Step 3: u=6400, v=12800 > 6400 → a fires, v=0. b receives
// 200<<6=12800 in step 4 > 150<<6=9600 → b fires in step 4.
func TestTwoPopulationsByHand(t *testing.T) {
	spec := preset.Small()
	res := compileRun(t, "testdata/two_pop.yaml", spec, chip.Options{Steps: 6, Seed: 1})

	type sp struct {
		step   int32
		pop    string
		neuron int32
	}
	var got []sp
	for _, s := range res.Spikes {
		got = append(got, sp{s.Step, res.Populations[s.Population], s.Neuron})
	}
	assert.Equal(t, []sp{{1, "stim", 0}, {2, "stim", 0}, {3, "a", 0}, {4, "b", 0}}, got)

	var uv [][2]int32
	for _, p := range res.Probes {
		uv = append(uv, [2]int32{p.U, p.V})
	}
	assert.Equal(t, [][2]int32{{0, 0}, {6400, 6400}, {6400, 0}, {0, 0}, {0, 0}, {0, 0}}, uv)

	rep := res.Report
	// Ops by hand: 3 synaptic ops (two input spikes, one from a); a is
	// active in steps 2, 3, 4 (u≠0 entering 4), b in 4 and 5; the other 7
	// of 12 updates are inactive; one packet leaves a core (a → b), one
	// hop east (core 0 at tile (0,0) → core 1 at tile (1,0)); inputs enter
	// at tile (0,0) and need no hop.
	assert.Equal(t, chip.Ops{SynOps: 3, NeuronActive: 5, NeuronInactive: 7, Spikes: 2, SpikesOut: 1,
		InputSpikes: 2, HopsEW: 1, Barriers: 6}, rep.Ops)
	c := spec.Core
	e := rep.Energy
	assert.Equal(t, 3*c.SynOp.EnergyFJ, e.SynOpFJ)
	assert.Equal(t, 5*c.NeuronActive.EnergyFJ, e.NeuronActiveFJ)
	assert.Equal(t, 7*c.NeuronInactive.EnergyFJ, e.NeuronInactiveFJ)
	assert.Equal(t, 1*c.SpikeOut.EnergyFJ, e.SpikeOutFJ)
	assert.Equal(t, 1*spec.Mesh.Router.HopEW.EnergyFJ, e.HopEWFJ)
	assert.Equal(t, e.SynOpFJ+e.NeuronActiveFJ+e.NeuronInactiveFJ+e.SpikeOutFJ+e.HopEWFJ, e.DynamicFJ)
	assert.Equal(t, e.DynamicFJ+e.StaticFJ, e.TotalFJ)
	// Sum over cores equals the chip totals.
	var perCore uint64
	for _, cr := range rep.Cores {
		perCore += cr.EnergyFJ
	}
	assert.Equal(t, e.Energy.Total(), perCore)

	// Step 1: both one-neuron cores sweep an inactive neuron (5.3 ns); the
	// input spike reaches core 0 at once and waits for the sweep, then one
	// synaptic op (3.5 ns); then the barrier for 2 tiles on a 4-tile chip:
	// 113 ns + (465−113) ns · 1/3.
	barrier := int64(113_000 + (465_000-113_000)/3)
	assert.Equal(t, c.NeuronInactive.LatencyPS+c.SynOp.LatencyPS+barrier, rep.StepTimePS[0])
	var sum int64
	for _, d := range rep.StepTimePS {
		sum += d
	}
	assert.Equal(t, sum, rep.HardwareTimePS)
	assert.Equal(t, uint64(3), rep.Mesh.Injected)
	assert.Equal(t, rep.Mesh.Injected, rep.Mesh.Delivered)
}

// TestDeterminism runs the same image with several worker counts and both
// queues: every output byte must be identical.
func TestDeterminism(t *testing.T) {
	img, _, err := compiler.CompileFile("testdata/random_net.yaml", preset.Loihi())
	require.NoError(t, err)
	var want []byte
	for _, opts := range []chip.Options{
		{Steps: 50, Seed: 7, Workers: 1},
		{Steps: 50, Seed: 7, Workers: 2},
		{Steps: 50, Seed: 7, Workers: 8, Queue: "heap"},
	} {
		c, err := chip.New(img)
		require.NoError(t, err)
		res, err := c.Run(context.Background(), opts)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, res.WriteReport(&buf))
		require.NoError(t, res.WriteSpikesCSV(&buf))
		require.NoError(t, res.WriteProbesCSV(&buf))
		require.Greater(t, res.Report.Ops.Spikes, uint64(0), "the test network must be active")
		if want == nil {
			want = buf.Bytes()
			continue
		}
		assert.True(t, bytes.Equal(want, buf.Bytes()), "output differs with %+v", opts)
	}
	// A different seed changes the Poisson input.
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 50, Seed: 8})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.WriteSpikesCSV(&buf))
	assert.NotEqual(t, want[len(want)-buf.Len():], buf.Bytes())
}

func TestRunErrors(t *testing.T) {
	img, _, err := compiler.CompileFile("testdata/two_pop.yaml", preset.Small())
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	_, err = c.Run(context.Background(), chip.Options{Steps: 0})
	assert.ErrorContains(t, err, "steps must be ≥ 1")
	_, err = c.Run(context.Background(), chip.Options{Steps: 1, Queue: "fifo"})
	assert.ErrorContains(t, err, "unknown queue")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Run(ctx, chip.Options{Steps: 5})
	assert.ErrorIs(t, err, context.Canceled)

	bad := *img
	bad.Cores = append([]image.Core(nil), img.Cores...)
	bad.Cores[0].SynNeuron = []uint32{99}
	_, err = chip.New(&bad)
	assert.Error(t, err)
}

// Model options written in the network file reach the cores: a refractory
// period spaces spikes, and a graded spike (payload clamp(1000>>6, 1, 15) =
// 15) adds weight·payload at its target.
func TestModelOptionsEndToEnd(t *testing.T) {
	res := compileRun(t, "testdata/model_options.yaml", preset.Small(), chip.Options{Steps: 10})
	var steps []int32
	for _, s := range res.Spikes {
		steps = append(steps, s.Step)
	}
	assert.Equal(t, []int32{1, 4, 7, 10}, steps)
	require.Len(t, res.Probes, 10)
	assert.Equal(t, int32(0), res.Probes[0].U)
	for _, p := range res.Probes[1:] {
		assert.Equal(t, int32(2*15<<6), p.U, "step %d", p.Step)
	}
}
