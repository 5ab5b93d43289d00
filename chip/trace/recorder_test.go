package trace

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
)

func TestRecorderKeepsTheLastN(t *testing.T) {
	img := compileNet(t, randomNet, spread())
	const n = 500
	last := NewRecorder(n)
	all := NewRecorder(1 << 22)
	runNet(t, img, 6, Tee(last, nil, all))
	require.Less(t, all.Total(), uint64(all.Cap()), "the big recorder kept everything")
	require.Greater(t, all.Len(), n)

	assert.Equal(t, n, last.Len())
	assert.Equal(t, n, last.Cap())
	assert.Equal(t, all.Total(), last.Total())
	every := all.Events()
	assert.Equal(t, every[len(every)-n:], last.Events())
	assert.Equal(t, EventEndStep, last.Events()[n-1].Kind, "the run ends with a step end")

	// Dump replays the same calls, in order.
	again := NewRecorder(n)
	last.Dump(again)
	assert.Equal(t, last.Events(), again.Events())

	// A recorder that has not wrapped holds everything, in order.
	small := NewRecorder(10)
	for i := range 4 {
		small.Spike(1, int64(i), 0, int32(i))
	}
	require.Equal(t, 4, small.Len())
	for i, e := range small.Events() {
		assert.Equal(t, EventSpike, e.Kind)
		assert.Equal(t, int32(i), e.Neuron)
	}
	small.Reset()
	assert.Zero(t, small.Len())
	assert.Empty(t, small.Events())
	assert.Equal(t, 1, NewRecorder(0).Cap())
}

// TestRecorderAfterAFailedRun stops a run half way (a cancelled context,
// as a failing run would) and dumps the flight recorder into both writers.
func TestRecorderAfterAFailedRun(t *testing.T) {
	img := compileNet(t, randomNet, spread())
	c, err := chip.New(img)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := NewRecorder(2000)
	_, err = c.Run(ctx, chip.Options{Steps: 50, Seed: 3, Tracer: rec, Progress: func(done, total int) {
		if done == 5 {
			cancel()
		}
	}})
	require.Error(t, err)
	require.True(t, errors.Is(err, context.Canceled))
	require.Equal(t, 2000, rec.Len())

	var vb, pb bytes.Buffer
	l := LayoutOf(img)
	v, err := NewVCD(&vb, l, Filter{})
	require.NoError(t, err)
	p, err := NewPerfetto(&pb, l, Filter{}, &img.Preset)
	require.NoError(t, err)
	rec.Dump(Tee(v, p))
	require.NoError(t, v.Close())
	require.NoError(t, p.Close())

	d, err := parseVCD(&vb)
	require.NoError(t, err, "a dump of a partial step is still a valid VCD")
	require.NotEmpty(t, d.changes)
	evs := parsePerfetto(t, pb.Bytes())
	checkStructure(t, evs)
	assert.Positive(t, count(evs, func(e pev) bool { return e.Ph == "X" }))
}

func TestTee(t *testing.T) {
	a, b := NewRecorder(8), NewRecorder(8)
	tr := Tee(a, b)
	tr.Sweep(1, 2, 0, 10, 1, 1)
	tr.Synapses(1, 2, 10, 5, 3, 4, 9)
	tr.Spike(1, 7, 0, 1)
	tr.Packet(chip.PacketEvent{Kind: chip.PacketInject, Packet: 9})
	tr.EndStep(1, 0, 15, 20)
	assert.Equal(t, a.Events(), b.Events())
	assert.Len(t, a.Events(), 5)
	e := a.Events()[1]
	assert.Equal(t, Event{Kind: EventSynapses, Step: 1, Core: 2, StartPS: 10, DurPS: 5, Axon: 3, Ops: 4,
		Packet: chip.PacketEvent{Packet: 9}}, e)
}
