package chip_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// hopTracer keeps the hop events of a run and ignores the rest.
type hopTracer struct{ hops []chip.PacketEvent }

func (h *hopTracer) Sweep(step, core int32, startPS, durPS int64, active, inactive int)             {}
func (h *hopTracer) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, p uint64) {}
func (h *hopTracer) Spike(step int32, timePS int64, population, neuron int32)                       {}
func (h *hopTracer) Learn(step, core int32, startPS, durPS int64, updates int)                      {}
func (h *hopTracer) EndStep(step int32, startPS, workEndPS, endPS int64)                            {}
func (h *hopTracer) Packet(ev chip.PacketEvent) {
	if ev.Kind == chip.PacketHop {
		h.hops = append(h.hops, ev)
	}
}

// With the cycle-accurate mesh, traces show every router-to-router move of
// every spike packet, as with the per-hop model: the same number of moves
// as the report's hops, each between neighbouring tiles, lasting at least
// a cycle, in a packet's order along its path.
func TestCycleMeshTracesHops(t *testing.T) {
	for _, model := range []string{preset.MeshHop, preset.MeshCycle} {
		t.Run(model, func(t *testing.T) {
			spec := spread(model)
			img, _, err := compiler.CompileFileWith("testdata/random_net.yaml", spec, compiler.Options{Placement: compiler.PlaceInOrder})
			require.NoError(t, err)
			c, err := chip.New(img)
			require.NoError(t, err)
			tr := &hopTracer{}
			res, err := c.Run(context.Background(), chip.Options{Steps: 10, Seed: 3, Tracer: tr})
			require.NoError(t, err)
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
			_, err = c.Run(context.Background(), chip.Options{Steps: 2, Seed: 3})
			require.NoError(t, err)
			assert.Len(t, tr.hops, n)
		})
	}
}
