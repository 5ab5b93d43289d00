package trace

import (
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
)

// stepProbe checks the writers' buffers at every step end: the VCD keeps
// at most one change per signal (falling edges due after the step's end),
// the Perfetto writer no router change and no flow.
type stepProbe struct {
	t      *testing.T
	v      *VCD
	p      *Perfetto
	maxBuf int // most changes the VCD buffered within a step
	steps  int
}

func (s *stepProbe) Sweep(step, core int32, startPS, durPS int64, active, inactive int) {
	s.v.Sweep(step, core, startPS, durPS, active, inactive)
	s.p.Sweep(step, core, startPS, durPS, active, inactive)
}

func (s *stepProbe) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64) {
	s.v.Synapses(step, core, startPS, durPS, axon, ops, packet)
	s.p.Synapses(step, core, startPS, durPS, axon, ops, packet)
}

func (s *stepProbe) Spike(step int32, timePS int64, population, neuron int32) {
	s.v.Spike(step, timePS, population, neuron)
	s.p.Spike(step, timePS, population, neuron)
}

func (s *stepProbe) Learn(step, core int32, startPS, durPS int64, updates int) {
	s.v.Learn(step, core, startPS, durPS, updates)
	s.p.Learn(step, core, startPS, durPS, updates)
}

func (s *stepProbe) Packet(ev chip.PacketEvent) {
	s.v.Packet(ev)
	s.p.Packet(ev)
}

func (s *stepProbe) EndStep(step int32, startPS, workEndPS, endPS int64) {
	s.maxBuf = max(s.maxBuf, len(s.v.ch.buf)+4) // + this call's own changes
	s.v.EndStep(step, startPS, workEndPS, endPS)
	s.p.EndStep(step, startPS, workEndPS, endPS)
	s.steps++
	if len(s.v.ch.buf) > len(s.v.vars) {
		s.t.Fatalf("step %d: the VCD kept %d changes for %d signals", step, len(s.v.ch.buf), len(s.v.vars))
	}
	if len(s.p.pkts.buf) != 0 || len(s.p.flows) != 0 {
		s.t.Fatalf("step %d: the Perfetto writer kept %d changes and %d flows", step, len(s.p.pkts.buf), len(s.p.flows))
	}
}

func probeRun(t *testing.T, img *image.Image, steps int) *stepProbe {
	l := LayoutOf(img)
	v, err := NewVCD(io.Discard, l, Filter{})
	require.NoError(t, err)
	p, err := NewPerfetto(io.Discard, l, Filter{}, &img.Preset)
	require.NoError(t, err)
	s := &stepProbe{t: t, v: v, p: p}
	runNet(t, img, steps, s)
	require.NoError(t, v.Close())
	require.NoError(t, p.Close())
	require.Equal(t, steps, s.steps)
	return s
}

// TestMemoryDoesNotGrowWithTheRun: the writers hold one step, whatever the
// run's length: their buffers are drained at every step end, the VCD's
// capacity follows the busiest step (append doubling), and the heap they
// keep after 500 steps is about what it is after 50.
func TestMemoryDoesNotGrowWithTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 550 steps")
	}
	img := compileNet(t, randomNet, preset.Loihi())
	short := probeRun(t, img, 50)
	long := probeRun(t, img, 500)
	for _, s := range []*stepProbe{short, long} {
		assert.LessOrEqual(t, cap(s.v.ch.buf), 2*s.maxBuf+64, "VCD buffer capacity follows one step")
	}

	heap := func(steps int) uint64 {
		l := LayoutOf(img)
		v, err := NewVCD(io.Discard, l, Filter{})
		require.NoError(t, err)
		p, err := NewPerfetto(io.Discard, l, Filter{}, &img.Preset)
		require.NoError(t, err)
		c, err := chip.New(img)
		require.NoError(t, err)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = c.Run(context.Background(), chip.Options{Steps: steps, Seed: 7, Tracer: Tee(v, p)})
		require.NoError(t, err)
		runtime.GC()
		runtime.ReadMemStats(&after)
		require.NoError(t, v.Close())
		require.NoError(t, p.Close())
		runtime.KeepAlive(c)
		return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
	}
	h50, h500 := heap(50), heap(500)
	t.Logf("heap kept: %d B after 50 steps, %d B after 500", h50, h500)
	assert.Less(t, h500, h50+2<<20, "the heap kept grows with the run")
}
