package chip_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/mesh"
)

// hopTracer keeps the hop events of a run (and, in all, every packet
// event) and ignores the rest.
type hopTracer struct{ hops, all []chip.PacketEvent }

func (h *hopTracer) Sweep(step, core int32, startPS, durPS int64, active, inactive int)             {}
func (h *hopTracer) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, p uint64) {}
func (h *hopTracer) Spike(step int32, timePS int64, population, neuron int32)                       {}
func (h *hopTracer) Learn(step, core int32, startPS, durPS int64, updates int)                      {}
func (h *hopTracer) EndStep(step int32, startPS, workEndPS, endPS int64)                            {}
func (h *hopTracer) Packet(ev chip.PacketEvent) {
	h.all = append(h.all, ev)
	if ev.Kind == chip.PacketHop {
		h.hops = append(h.hops, ev)
	}
}

// tracedRun runs random_net for 10 steps on spec with a hopTracer.
func tracedRun(t *testing.T, spec preset.Spec) (*chip.Chip, *chip.Result, *hopTracer) {
	t.Helper()
	img, _, err := compiler.CompileFileWith("testdata/random_net.yaml", spec, compiler.Options{Placement: compiler.PlaceInOrder})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	tr := &hopTracer{}
	res, err := c.Run(context.Background(), chip.Options{Steps: 10, Seed: 3, Tracer: tr})
	require.NoError(t, err)
	return c, res, tr
}

// With the cycle-accurate mesh, traces show every router-to-router move of
// every spike packet, as with the per-hop model: the same number of moves
// as the report's hops, each between neighbouring tiles, lasting at least
// a cycle, in a packet's order along its path.
func TestCycleMeshTracesHops(t *testing.T) {
	for _, model := range []string{preset.MeshHop, preset.MeshCycle} {
		t.Run(model, func(t *testing.T) {
			spec := spread(model)
			c, res, tr := tracedRun(t, spec)
			ops := res.Report.Ops
			require.Greater(t, ops.HopsEW+ops.HopsNS, uint64(100))
			assert.Equal(t, ops.HopsEW+ops.HopsNS+ops.ChipHops, uint64(len(tr.hops)))
			w := int32(spec.Mesh.Width)
			last := map[uint64]chip.PacketEvent{}
			for _, ev := range tr.hops {
				dx, dy := ev.ToTile%w-ev.FromTile%w, ev.ToTile/w-ev.FromTile/w
				assert.Equal(t, int32(1), max(dx, -dx)+max(dy, -dy), "hop %+v joins neighbours", ev)
				assert.Greater(t, ev.TimePS, ev.FromPS)
				if prev, ok := last[ev.Packet]; ok {
					assert.Equal(t, prev.ToTile, ev.FromTile, "packet %d goes on from where it arrived", ev.Packet)
					assert.GreaterOrEqual(t, ev.FromPS, prev.TimePS)
				}
				last[ev.Packet] = ev
			}
			// a second run without a tracer reports nothing into the old one
			n := len(tr.hops)
			_, err := c.Run(context.Background(), chip.Options{Steps: 2, Seed: 3})
			require.NoError(t, err)
			assert.Len(t, tr.hops, n)
		})
	}
}

// With the cycle-accurate mesh, a traced hop says how long the packet's
// head waited at the router it left beyond the zero-load pipeline. Then a
// packet's latency is its injection channel, a pipeline at every router, its
// moves, its waits and the ejection, plus whatever it waited at its last
// router (not traced): never less, and exactly that (to the cycle the
// injection is rounded up to) for a packet that met no one. From one router
// to the next, a head leaves exactly a pipeline and its wait after it
// became usable. Some waits are
// not 0 when the spikes of a step queue up; with the per-hop model none is
// (its waits come from the output port).
func TestCycleMeshHopWaits(t *testing.T) {
	for _, model := range []string{preset.MeshHop, preset.MeshCycle} {
		t.Run(model, func(t *testing.T) {
			spec := spread(model)
			_, _, tr := tracedRun(t, spec)
			if model == preset.MeshHop {
				for _, ev := range tr.hops {
					require.Zero(t, ev.WaitPS, "%+v", ev)
				}
				return
			}
			ns := mesh.NetSpecFrom(spec.Mesh) // the cycle network's spec, as the chip builds it
			cyc, rs := ns.CyclePS, ns.Router
			pipe := int64(rs.RouteCycles+rs.VCAllocCycles) * cyc
			eject := int64(rs.SwitchAllocCycles+rs.SwitchCycles+ns.EjectCycles) * cyc // one-flit spikes
			type books struct{ inject, moves, waits, hops, lastArrive int64 }
			per := map[uint64]*books{}
			waited, minSlack := 0, int64(math.MaxInt64)
			for _, ev := range tr.all {
				b := per[ev.Packet]
				if b == nil {
					b = &books{}
					per[ev.Packet] = b
				}
				switch ev.Kind {
				case chip.PacketInject:
					b.inject = ev.TimePS
				case chip.PacketHop:
					require.GreaterOrEqual(t, ev.WaitPS, int64(0))
					require.Zero(t, ev.WaitPS%cyc, "a whole number of cycles")
					if ev.WaitPS > 0 {
						waited++
					}
					if b.hops > 0 {
						// from one router to the next: usable, pipeline, wait, gone
						require.Equal(t, b.lastArrive+pipe+ev.WaitPS, ev.FromPS, "packet %d hop %d", ev.Packet, b.hops)
					}
					b.lastArrive = ev.TimePS
					b.moves += ev.TimePS - ev.FromPS
					b.waits += ev.WaitPS
					b.hops++
				case chip.PacketDeliver:
					zeroLoad := int64(ns.InjectCycles)*cyc + (b.hops+1)*pipe + b.moves + eject
					slack := ev.TimePS - b.inject - zeroLoad - b.waits
					require.GreaterOrEqual(t, slack, int64(0), "packet %d", ev.Packet)
					minSlack = min(minSlack, slack)
				}
			}
			assert.Positive(t, waited, "spikes sent at the start of a step queue up somewhere")
			assert.Less(t, minSlack, cyc, "a packet that met no one is on time to the cycle")
		})
	}
}
