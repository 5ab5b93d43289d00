package router

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestRouter is the router of tile (1, 1) on a 3×3 mesh, one local port.
// Node ids are tiles: East of it is node 5, North node 7, West 3, South 1.
func newTestRouter(t *testing.T, s VCSpec) *VCRouter {
	t.Helper()
	r, err := NewVCRouter(s, Placement{X: 1, Y: 1, Width: 3, Height: 3, LocalPorts: 1})
	require.NoError(t, err)
	return r
}

const (
	nodeEast  = 5
	nodeNorth = 7
	nodeHere  = 4
)

// packet writes a packet of size flits into input VC (p, vc), all usable
// from cycle at.
func packet(t *testing.T, r *VCRouter, p Port, vc int, id, key int32, size int, at int64) {
	t.Helper()
	for f := 0; f < size; f++ {
		var flags uint8
		if f == 0 {
			flags |= FlagHead
		}
		if f == size-1 {
			flags |= FlagTail
		}
		require.True(t, r.Accept(p, vc, id, key, flags, at), "flit %d of packet %d", f, id)
	}
}

// event is a departure seen in a cycle, in a compact form for tables.
type event struct {
	Cycle   int64
	Packet  int32
	In      Port
	Out     Port
	OutVC   uint8
	Flags   uint8
	Freed   bool
	InVC    uint8
	comment string
}

func run(r *VCRouter, from, to int64) []event {
	var out []event
	for c := from; c < to; c++ {
		for _, d := range r.Step(c) {
			out = append(out, event{Cycle: c, Packet: d.Packet, In: d.InPort, InVC: d.InVC, Out: d.OutPort,
				OutVC: d.OutVC, Flags: d.Flags, Freed: d.Freed})
		}
	}
	return out
}

func TestVCSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*VCSpec)
		want string
	}{
		{"default", func(*VCSpec) {}, ""},
		{"lookahead", func(s *VCSpec) { s.RouteCycles = 0 }, ""},
		{"no vcs", func(s *VCSpec) { s.VCs = 0 }, "vcs"},
		{"no buffer", func(s *VCSpec) { s.BufferFlits = 0 }, "buffer_flits"},
		{"zero link", func(s *VCSpec) { s.LinkCycles = 0 }, "link_cycles"},
		{"zero va", func(s *VCSpec) { s.VCAllocCycles = 0 }, "vc_alloc_cycles"},
		{"negative credit", func(s *VCSpec) { s.CreditCycles = -1 }, "credit_cycles"},
	}
	for _, tc := range tests {
		s := DefaultVCSpec()
		tc.mod(&s)
		err := s.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, tc.want, tc.name)
		}
	}
	assert.Equal(t, 5, DefaultVCSpec().HopCycles())
	assert.Equal(t, 4, MinimalVCSpec().HopCycles())
}

func TestNewVCRouterErrors(t *testing.T) {
	s := DefaultVCSpec()
	_, err := NewVCRouter(s, Placement{X: 3, Y: 0, Width: 3, Height: 3, LocalPorts: 1})
	assert.ErrorContains(t, err, "not on a 3×3 mesh")
	_, err = NewVCRouter(s, Placement{Width: 3, Height: 3, LocalPorts: 0})
	assert.ErrorContains(t, err, "local ports")
	s.VCs = 16
	_, err = NewVCRouter(s, Placement{Width: 3, Height: 3, LocalPorts: 1})
	assert.ErrorContains(t, err, "input VCs")
}

func TestLocalPorts(t *testing.T) {
	assert.Equal(t, Local, LocalPort(0))
	assert.Equal(t, NumPorts, LocalPort(1))
	for i := 0; i < 12; i++ {
		assert.Equal(t, i, LocalIndex(LocalPort(i)))
	}
	assert.Equal(t, -1, LocalIndex(North))
	assert.Equal(t, "local2", LocalPort(2).String())
	assert.Equal(t, "east", East.String())
	// routing to a tile with 3 local ports: node = tile·3 + core
	r, err := NewVCRouter(DefaultVCSpec(), Placement{X: 1, Y: 1, Width: 3, Height: 3, LocalPorts: 3})
	require.NoError(t, err)
	assert.Equal(t, 7, r.NumPorts())
	assert.Equal(t, MaskOf(LocalPort(2)), r.Route(4*3+2))
	assert.Equal(t, MaskOf(East), r.Route(5*3+1))
	assert.Equal(t, PortMask(0), r.Route(9*3), "no such node")
}

func TestRRPick(t *testing.T) {
	tests := []struct {
		set      uint32
		ptr, n   int
		want     int
		describe string
	}{
		{0b0001, 0, 4, 0, "only bit"},
		{0b0101, 1, 4, 2, "first at or after the pointer"},
		{0b0101, 3, 4, 0, "wraps around"},
		{0b1000, 0, 4, 3, "last bit"},
		{0b1111, 2, 4, 2, "pointer's own bit"},
		{0b10000000, 5, 8, 7, ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, rrPick(tc.set, tc.ptr, tc.n), "%+v", tc)
	}
	assert.Equal(t, 3, rrDist(1, 2, 4))
	assert.Equal(t, 0, rrDist(2, 2, 4))
}

// The stages of a head flit take their configured cycles: a head usable at
// cycle 0 wins the switch at RouteCycles+VCAllocCycles.
func TestPipelineTiming(t *testing.T) {
	for _, rc := range []int{0, 1, 3} {
		for _, va := range []int{1, 2} {
			s := DefaultVCSpec()
			s.RouteCycles, s.VCAllocCycles = rc, va
			r := newTestRouter(t, s)
			packet(t, r, West, 0, 1, nodeEast, 3, 0)
			ev := run(r, 0, 20)
			require.Len(t, ev, 3)
			for f, e := range ev {
				assert.Equal(t, int64(rc+va+f), e.Cycle, "rc=%d va=%d flit %d: body flits follow at one per cycle", rc, va, f)
				assert.Equal(t, East, e.Out)
				assert.True(t, e.Freed)
			}
			assert.True(t, r.Idle())
		}
	}
}

// Flits that arrive later than the head are not usable before they arrive.
func TestFlitAvailability(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	require.True(t, r.Accept(West, 0, 1, nodeEast, FlagHead, 0))
	require.True(t, r.Accept(West, 0, 1, nodeEast, 0, 5))
	require.True(t, r.Accept(West, 0, 1, nodeEast, FlagTail, 6))
	ev := run(r, 0, 20)
	require.Len(t, ev, 3)
	assert.Equal(t, []int64{2, 5, 6}, []int64{ev[0].Cycle, ev[1].Cycle, ev[2].Cycle})
}

// Two packets from two input ports for one output port: VC allocation
// gives the first output VC to the input VC nearest its pointer (Local,
// index 0, before West, index 4) and the other VC a cycle later; switch
// allocation then alternates between the input ports, round robin.
func TestAllocatorsTwoInputsOneOutput(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	packet(t, r, Local, 0, 10, nodeEast, 4, 0)
	packet(t, r, West, 0, 20, nodeEast, 4, 0)
	got := run(r, 0, 20)
	want := []event{
		{Cycle: 2, Packet: 10, In: Local, Out: East, OutVC: 0, Flags: FlagHead, Freed: true},
		{Cycle: 3, Packet: 20, In: West, Out: East, OutVC: 1, Flags: FlagHead, Freed: true},
		{Cycle: 4, Packet: 10, In: Local, Out: East, OutVC: 0, Freed: true},
		{Cycle: 5, Packet: 20, In: West, Out: East, OutVC: 1, Freed: true},
		{Cycle: 6, Packet: 10, In: Local, Out: East, OutVC: 0, Freed: true},
		{Cycle: 7, Packet: 20, In: West, Out: East, OutVC: 1, Freed: true},
		{Cycle: 8, Packet: 10, In: Local, Out: East, OutVC: 0, Flags: FlagTail, Freed: true},
		{Cycle: 9, Packet: 20, In: West, Out: East, OutVC: 1, Flags: FlagTail, Freed: true},
	}
	assert.Equal(t, want, got)
	c := r.Counters()
	assert.Equal(t, uint64(6), c.SwitchConflicts, "cycles 3..8 had two bidders for East")
	assert.Equal(t, uint64(8), c.HopsEW)
	assert.False(t, r.OutVCHeld(East, 0))
	assert.False(t, r.OutVCHeld(East, 1))
	assert.Equal(t, 8-4, r.Credits(East, 0))
}

// One input port, two VCs, two different output ports: the input port reads
// one flit per cycle, so its VCs take turns (input-side round robin).
func TestAllocatorsOneInputTwoVCs(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	packet(t, r, West, 0, 1, nodeEast, 3, 0)
	packet(t, r, West, 1, 2, nodeNorth, 3, 0)
	got := run(r, 0, 20)
	require.Len(t, got, 6)
	var order []string
	for _, e := range got {
		order = append(order, fmt.Sprintf("%d:%d>%s", e.Cycle, e.Packet, e.Out))
	}
	assert.Equal(t, []string{"2:1>east", "3:2>north", "4:1>east", "5:2>north", "6:1>east", "7:2>north"}, order)
}

// Four input ports contend for one output VC at a time (one VC per port):
// VC allocation serves them round robin, each packet holding the output VC
// until its tail has gone.
func TestVCAllocRoundRobin(t *testing.T) {
	s := DefaultVCSpec()
	s.VCs = 1
	r := newTestRouter(t, s)
	for _, p := range []Port{South, North, West, Local} {
		packet(t, r, p, 0, int32(p), nodeEast, 2, 0)
	}
	got := run(r, 0, 40)
	require.Len(t, got, 8)
	var order []Port
	for _, e := range got {
		if e.Flags&FlagHead != 0 {
			order = append(order, e.In)
		}
	}
	assert.Equal(t, []Port{Local, West, North, South}, order)
	for i := 1; i < len(got); i++ {
		assert.Greater(t, got[i].Cycle, got[i-1].Cycle)
	}
	assert.Positive(t, r.Counters().VCAllocStalls)
}

// A flit leaves only with a credit for the downstream VC; a returned credit
// lets the next one go.
func TestCreditFlow(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	r.SetCredits(East, 2)
	packet(t, r, West, 0, 1, nodeEast, 5, 0)
	ev := run(r, 0, 10)
	require.Len(t, ev, 2, "two credits, two flits")
	assert.Equal(t, 0, r.Credits(East, 0))
	assert.Positive(t, r.Counters().CreditStalls)
	assert.Positive(t, r.PortCounters(East).CreditStalls)
	r.Credit(East, 0)
	ev = run(r, 10, 11)
	require.Len(t, ev, 1)
	assert.Equal(t, int64(10), ev[0].Cycle)
	r.Credit(East, 0)
	r.Credit(East, 0)
	ev = run(r, 11, 20)
	require.Len(t, ev, 2)
	assert.Equal(t, FlagTail, ev[1].Flags)
	assert.True(t, r.Idle())
	// overflow is refused and counted
	s := DefaultVCSpec()
	s.BufferFlits = 2
	r2 := newTestRouter(t, s)
	packet(t, r2, West, 0, 1, nodeEast, 2, 0)
	assert.False(t, r2.Accept(West, 0, 2, nodeEast, FlagHead|FlagTail, 0))
	r2.Credit(East, 0)
	assert.Equal(t, uint64(2), r2.Counters().Overflows)
}

// With two VCs a packet blocked downstream does not block a packet for
// another output behind it; with one VC it does (head-of-line blocking).
func TestVirtualChannelsAvoidHOLBlocking(t *testing.T) {
	for _, vcs := range []int{1, 2} {
		s := DefaultVCSpec()
		s.VCs = vcs
		r := newTestRouter(t, s)
		r.SetCredits(East, 0)
		packet(t, r, West, 0, 1, nodeEast, 2, 0)
		packet(t, r, West, vcs-1, 2, nodeNorth, 2, 0)
		ev := run(r, 0, 30)
		if vcs == 1 {
			assert.Empty(t, ev, "the north packet waits behind the blocked east one")
		} else {
			require.Len(t, ev, 2)
			assert.Equal(t, North, ev[0].Out)
		}
	}
}

// The next packet in a VC starts route computation the cycle after the
// previous tail left.
func TestBackToBackPacketsInOneVC(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	packet(t, r, West, 0, 1, nodeEast, 1, 0)
	packet(t, r, West, 0, 2, nodeEast, 1, 0)
	ev := run(r, 0, 20)
	require.Len(t, ev, 2)
	assert.Equal(t, int64(2), ev[0].Cycle)
	assert.Equal(t, int64(5), ev[1].Cycle, "RC 3, VA 4, SA 5")
}

// A multicast fork sends every flit on each branch; a slot is freed (credit
// upstream) when its last branch has sent it; each branch holds its own
// output VC.
func TestMulticastFork(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	table := []PortMask{MaskOf(East, North, Local)}
	r.SetTable(100, table)
	assert.Equal(t, MaskOf(East, North, Local), r.Route(100))
	assert.Equal(t, MaskOf(East), r.Route(nodeEast), "node keys stay XY")
	packet(t, r, West, 0, 7, 100, 3, 0)
	ev := run(r, 0, 30)
	require.Len(t, ev, 9)
	per := map[Port]int{}
	freed := 0
	lastCycle := int64(-1)
	for _, e := range ev {
		per[e.Out]++
		if e.Freed {
			freed++
		}
		assert.Greater(t, e.Cycle, lastCycle, "one flit per cycle from the input port")
		lastCycle = e.Cycle
	}
	assert.Equal(t, map[Port]int{East: 3, North: 3, Local: 3}, per)
	assert.Equal(t, 3, freed, "one credit per flit")
	assert.True(t, r.Idle())
	for _, p := range []Port{East, North, Local} {
		assert.False(t, r.OutVCHeld(p, 0))
		assert.Equal(t, 5, r.Credits(p, 0))
	}
}

// A multicast packet longer than the buffer gets through: branches advance
// independently and the buffer frees as the slowest branch moves.
func TestMulticastLongerThanBuffer(t *testing.T) {
	s := DefaultVCSpec()
	s.BufferFlits = 2
	r := newTestRouter(t, s)
	r.SetTable(100, []PortMask{MaskOf(East, North)})
	sent := 0
	var events []event
	for c := int64(0); c < 100; c++ {
		for sent < 6 && r.CanAccept(West, 0) {
			var f uint8
			if sent == 0 {
				f = FlagHead
			}
			if sent == 5 {
				f |= FlagTail
			}
			require.True(t, r.Accept(West, 0, 1, 100, f, c))
			sent++
		}
		for _, d := range r.Step(c) {
			events = append(events, event{Cycle: c, Out: d.OutPort})
			// the downstream routers consume at once
			r.Credit(d.OutPort, int(d.OutVC))
		}
	}
	assert.Equal(t, 12, len(events))
	assert.True(t, r.Idle())
}

// A key without route drops the packet: its flits are discarded, one per
// cycle, each freeing its slot.
func TestNoRouteDrops(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	packet(t, r, West, 0, 3, 999, 2, 0)
	ev := run(r, 0, 10)
	require.Len(t, ev, 2)
	for _, e := range ev {
		assert.Equal(t, NoPort, e.Out)
		assert.True(t, e.Freed)
	}
	assert.Equal(t, uint64(2), r.Counters().Dropped)
	assert.True(t, r.Idle())
}

func TestStepAllocs(t *testing.T) {
	r := newTestRouter(t, DefaultVCSpec())
	c := int64(0)
	allocs := testing.AllocsPerRun(100, func() {
		packet(t, r, West, 0, 1, nodeEast, 2, c)
		packet(t, r, Local, 1, 2, nodeNorth, 2, c)
		for end := c + 8; c < end; c++ {
			for _, d := range r.Step(c) {
				r.Credit(d.OutPort, int(d.OutVC))
			}
		}
	})
	assert.Zero(t, allocs)
}

// Route decodes node keys with a fast division; check it against the plain
// one on odd mesh shapes.
func TestRouteDecode(t *testing.T) {
	for _, pl := range []Placement{{X: 0, Y: 2, Width: 1, Height: 5, LocalPorts: 1}, {X: 2, Y: 1, Width: 7, Height: 3, LocalPorts: 3},
		{X: 5, Y: 0, Width: 13, Height: 1, LocalPorts: 12}} {
		r, err := NewVCRouter(DefaultVCSpec(), pl)
		require.NoError(t, err)
		for key := 0; key < pl.Width*pl.Height*pl.LocalPorts; key++ {
			tile, l := key/pl.LocalPorts, key%pl.LocalPorts
			want := RouteXY(pl.X, pl.Y, tile%pl.Width, tile/pl.Width)
			if want == Local {
				want = LocalPort(l)
			}
			assert.Equal(t, MaskOf(want), r.Route(int32(key)), "%+v key %d", pl, key)
		}
	}
}
