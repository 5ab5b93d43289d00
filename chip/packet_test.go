package chip_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/router"
)

// Two sources, one graded and one binary, each one hop north of its sink.
// On small (2×2 tiles, one core per tile) and placed in order they sit
// on tiles (0, 0) and (1, 0), their sinks on (0, 1) and (1, 1).
const packetNet = `name: packets
dt: 1ms
units: hardware
populations:
  - {name: graded, size: 4, neuron: {du: 4095, dv: 4095, vth: 10, bias_mant: 1000, graded_bits: 4}}
  - {name: binary, size: 4, neuron: {du: 4095, dv: 4095, vth: 10, bias_mant: 1000}}
  - {name: gsink, size: 4, neuron: {model: if, vth: 40}}
  - {name: bsink, size: 4, neuron: {model: if, vth: 40}}
projections:
  - {pre: graded, post: gsink, connectivity: one_to_one, weight: 2}
  - {pre: binary, post: bsink, connectivity: one_to_one, weight: 2}
probes:
  - {population: graded, record: [spikes]}
  - {population: gsink, record: [spikes]}
  - {population: bsink, record: [spikes]}
`

func runPackets(t *testing.T, spec preset.Spec) *chip.Result {
	t.Helper()
	g, err := netfile.Parse("packets.yaml", []byte(packetNet))
	require.NoError(t, err)
	img, _, err := compiler.CompileWith(g, spec, compiler.Options{Placement: compiler.PlaceInOrder})
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: 40, Seed: 1})
	require.NoError(t, err)
	return res
}

// spikeKeys is which neuron fired in which step, without the time.
func spikeKeys(r *chip.Result) []spikeKey {
	out := make([]spikeKey, 0, len(r.Spikes))
	for _, s := range r.Spikes {
		out = append(out, spikeKey{s.Step, s.Population, s.Neuron})
	}
	return out
}

// linkFlits is the flits the router of tile (x, y) sent through port.
func linkFlits(rep chip.Report, x, y int, port string) uint64 {
	for _, l := range rep.Links {
		if l.Tile == [2]int{x, y} && l.Port == port {
			return l.Flits
		}
	}
	return 0
}

// With 24-bit flits a binary spike (24-bit Loihi header) is still one
// flit but a graded one (header + 4-bit payload) takes two: the
// cycle-accurate mesh carries twice the flits of graded packets — and
// charges them — while the network computes exactly what it computes with
// one-flit packets.
func TestGradedPacketsTakeMoreFlits(t *testing.T) {
	one := preset.Small()
	one.MeshModel = preset.MeshCycle
	narrow := one
	narrow.Name = "small-narrow"
	narrow.Packet = router.LoihiPacketFormat()
	narrow.Packet.Name, narrow.Packet.FlitBits = "narrow", 24
	require.NoError(t, narrow.Validate())
	require.Equal(t, 1, one.PacketFormat().Flits(4))
	require.Equal(t, 1, narrow.PacketFormat().Flits(0))
	require.Equal(t, 2, narrow.PacketFormat().Flits(4))

	a, b := runPackets(t, one), runPackets(t, narrow)
	sinkSpikes := map[int32]int{}
	for _, s := range a.Spikes {
		sinkSpikes[s.Population]++
	}
	require.Positive(t, sinkSpikes[2], "the graded sink must fire")
	require.Positive(t, sinkSpikes[3], "the binary sink must fire")
	assert.Equal(t, spikeKeys(a), spikeKeys(b), "packet size changes when spikes arrive, never which")

	ra, rb := a.Report, b.Report
	assert.Equal(t, ra.Mesh.Injected, rb.Mesh.Injected, "the same packets")
	assert.Equal(t, ra.Mesh.Delivered, rb.Mesh.Delivered)

	// Graded packets leave tile (0, 0) north; binary ones tile (1, 0).
	graded := linkFlits(ra, 0, 0, "north")
	require.Positive(t, graded)
	assert.Equal(t, 2*graded, linkFlits(rb, 0, 0, "north"), "graded packets: two flits each")
	assert.Equal(t, 2*linkFlits(ra, 0, 1, "local"), linkFlits(rb, 0, 1, "local"), "and two flits ejected each")
	bin := linkFlits(ra, 1, 0, "north")
	require.Positive(t, bin)
	assert.Equal(t, bin, linkFlits(rb, 1, 0, "north"), "binary packets: one flit each")

	// Hops count flits, so the report charges the extra flits.
	assert.Equal(t, ra.Ops.HopsNS+graded, rb.Ops.HopsNS)
	assert.Equal(t, ra.Ops.HopsEW, rb.Ops.HopsEW)
	assert.Equal(t, ra.Energy.HopNSFJ+graded*narrow.Mesh.Router.HopNS.EnergyFJ, rb.Energy.HopNSFJ)
	assert.GreaterOrEqual(t, rb.HardwareTimePS, ra.HardwareTimePS, "longer packets never arrive earlier")

	// The per-hop model moves packets, not flits: the format does not
	// change it at all.
	hopOne, hopNarrow := one, narrow
	hopOne.MeshModel, hopNarrow.MeshModel = preset.MeshHop, preset.MeshHop
	ha, hb := runPackets(t, hopOne), runPackets(t, hopNarrow)
	assert.Equal(t, spikeKeys(a), spikeKeys(ha))
	ha.Report.Preset, ha.Report.ImageSHA256 = "", ""
	hb.Report.Preset, hb.Report.ImageSHA256 = "", ""
	assert.Equal(t, ha.Report, hb.Report)
}
