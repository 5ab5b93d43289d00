package trace

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
)

// tiny is a hand-made layout: a 2×2 mesh, one core per tile, cores 0 and 3
// in use, one input and one neuron population.
func tiny() Layout {
	return Layout{Network: "tiny", Preset: "hand", Width: 2, Height: 2, CoresPerTile: 1,
		Cores: []CoreInfo{{ID: 0}, {ID: 3, X: 1, Y: 1}},
		Populations: []Population{
			{Name: "in", Size: 4, Input: true, Probed: []int32{1}},
			{Name: "exc", Size: 20, Slice: []Slice{{Core: 0, Start: 0, Count: 10}, {Core: 3, Start: 10, Count: 10}},
				Probed: []int32{2, 15}},
		},
		HopEWPS: 10, HopNSPS: 20, NeuronActivePS: 4}
}

func TestParseKinds(t *testing.T) {
	k, err := ParseKinds("sweep, packets")
	require.NoError(t, err)
	assert.Equal(t, KindSweep|KindPackets, k)
	assert.Equal(t, "sweep,packets", k.String())
	k, err = ParseKinds("all")
	require.NoError(t, err)
	assert.Equal(t, AllKinds, k)
	_, err = ParseKinds("sweep,hops")
	assert.ErrorContains(t, err, `unknown event kind "hops"`)
	_, err = ParseKinds(" , ")
	assert.ErrorContains(t, err, "no event kind")
}

func TestParseNeurons(t *testing.T) {
	l := tiny()
	for _, tc := range []struct {
		in   string
		want map[string][]int32
		err  string
	}{
		{"exc:0-3,7,in:2", map[string][]int32{"exc": {0, 1, 2, 3, 7}, "in": {2}}, ""},
		{"exc", map[string][]int32{"exc": nil}, ""},
		{"exc,exc:3", map[string][]int32{"exc": nil}, ""},
		{"all", nil, ""},
		{"", nil, ""},
		{"probed", map[string][]int32{"in": {1}, "exc": {2, 15}}, ""},
		{"inh:3", nil, `no population "inh" (populations: in, exc)`},
		{"exc:3-1", nil, "not an index or a range"},
		{"exc:x", nil, "not an index or a range"},
	} {
		got, err := ParseNeurons(tc.in, &l)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseIDsAndTiles(t *testing.T) {
	l := tiny()
	ids, err := ParseIDs("0,3,5-7")
	require.NoError(t, err)
	assert.Equal(t, []int32{0, 3, 5, 6, 7}, ids)
	_, err = ParseIDs("1,-2")
	assert.Error(t, err)
	tiles, err := ParseTiles("1:1,0-1", &l)
	require.NoError(t, err)
	assert.Equal(t, []int32{3, 0, 1}, tiles)
	_, err = ParseTiles("2:0", &l)
	assert.ErrorContains(t, err, "x in 0..1")
}

func TestAppendUS(t *testing.T) {
	for ps, want := range map[int64]string{0: "0", 1: "0.000001", 2100: "0.0021", 1_000_000: "1",
		1_234_567_890: "1234.56789", -500: "-0.0005"} {
		assert.Equal(t, want, string(appendUS(nil, ps)), "%d ps", ps)
	}
}

func TestLayoutCheck(t *testing.T) {
	l := tiny()
	require.NoError(t, l.Check())
	assert.Equal(t, int32(0), l.coreOf(1, 9))
	assert.Equal(t, int32(3), l.coreOf(1, 10))
	assert.Equal(t, int32(-1), l.coreOf(1, 20))
	assert.Equal(t, int32(-1), l.coreOf(0, 1))
	l.Cores = append(l.Cores, CoreInfo{ID: 2})
	l.Width = 0
	err := l.Check()
	assert.ErrorContains(t, err, "each must be > 0")
}

// TestVCDOrdersAStep feeds a step whose events come out of time order (a
// sweep reported whole before packets that arrive earlier, a spike whose
// pulse ends after a zero-length barrier) and checks the file is in time
// order with the values the calls describe.
func TestVCDOrdersAStep(t *testing.T) {
	var buf bytes.Buffer
	v, err := NewVCD(&buf, tiny(), Filter{})
	require.NoError(t, err)
	// Step 1 over [0, 100): core 3 sweeps [0, 40), exc[12] (on core 3)
	// fires at 40; its packet goes 3 → 1 → 0 (two hops) and core 0 serves
	// it over [70, 75); core 0 swept [0, 30).
	v.Sweep(1, 3, 0, 40, 2, 8)
	v.Spike(1, 40, 1, 12)
	v.Packet(chip.PacketEvent{Kind: chip.PacketInject, Packet: 1, Step: 1, FromPS: 42, TimePS: 42, FromTile: 3, ToTile: 3})
	v.Sweep(1, 0, 0, 30, 0, 10)
	v.Packet(chip.PacketEvent{Kind: chip.PacketHop, Packet: 1, Step: 1, FromPS: 42, TimePS: 62, FromTile: 3, ToTile: 1})
	v.Packet(chip.PacketEvent{Kind: chip.PacketHop, Packet: 1, Step: 1, FromPS: 62, TimePS: 70, FromTile: 1, ToTile: 0})
	v.Packet(chip.PacketEvent{Kind: chip.PacketDeliver, Packet: 1, Step: 1, FromPS: 70, TimePS: 70, FromTile: 0, ToTile: 0})
	v.Synapses(1, 0, 70, 5, 0, 3, 1)
	v.EndStep(1, 0, 75, 100)
	// Step 2 over [100, 110): exc[3] fires at its very end and the barrier
	// takes no time: the pulse's end falls in step 3.
	v.Sweep(2, 0, 100, 10, 1, 9)
	v.Spike(2, 110, 1, 3)
	v.EndStep(2, 100, 110, 110)
	v.Sweep(3, 0, 110, 10, 0, 10)
	v.EndStep(3, 110, 120, 130)
	require.NoError(t, v.Close())

	d, err := parseVCD(&buf)
	require.NoError(t, err, buf.String())
	assert.Equal(t, []string{"exc/12@40", "exc/3@110"}, d.spikes())
	at := func(name string, t int64) uint64 { return d.valueAt("chip."+name, t) }
	assert.Equal(t, uint64(1), at("tile_1_1.core_3.op", 39))
	assert.Equal(t, uint64(0), at("tile_1_1.core_3.op", 40))
	assert.Equal(t, uint64(2), at("tile_0_0.core_0.op", 72))
	assert.Equal(t, uint64(0), at("tile_0_0.core_0.busy", 75))
	// Packets: at router 3 from 42 to 62, router 1 from 62 to 70.
	assert.Equal(t, uint64(1), at("tile_1_1.router.packets", 50))
	assert.Equal(t, uint64(0), at("tile_1_1.router.packets", 62))
	assert.Equal(t, uint64(1), at("tile_1_0.router.packets", 65))
	assert.Equal(t, uint64(0), at("tile_0_0.router.packets", 70))
	// valid: the hop's last 20 ps (north-south) at router 3, 10 (east-west)
	// at router 1.
	assert.Equal(t, uint64(0), at("tile_1_1.router.valid", 41))
	assert.Equal(t, uint64(1), at("tile_1_1.router.valid", 42))
	assert.Equal(t, int64(20), d.highPS("chip.tile_1_1.router.valid", 130))
	assert.Equal(t, uint64(0), at("tile_1_0.router.valid", 61))
	assert.Equal(t, uint64(1), at("tile_1_0.router.valid", 62))
	assert.Equal(t, int64(8), d.highPS("chip.tile_1_0.router.valid", 130), "never before the packet arrived")
	assert.Equal(t, uint64(1), at("barrier", 80))
	assert.Equal(t, uint64(0), at("barrier", 100))
	assert.Equal(t, uint64(3), at("step", 110))
	assert.Equal(t, uint64(1), at("pop_exc.n3.spike", 110))
	assert.Equal(t, uint64(0), at("pop_exc.n3.spike", 111))
	assert.Equal(t, int64(130), d.changes[len(d.changes)-1].t, "the file ends at the run's end")
}
