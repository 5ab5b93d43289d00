package mesh

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/router"
)

func newNet(t testing.TB, s NetSpec) *Network {
	t.Helper()
	n, err := NewNetwork(s)
	require.NoError(t, err)
	return n
}

func smallSpec(w, h int) NetSpec {
	s := DefaultNetSpec()
	s.Width, s.Height = w, h
	return s
}

// A lone packet takes exactly the analytic zero-load latency, for every
// pair of nodes and several pipelines, link lengths and packet sizes.
func TestNetZeroLoadLatency(t *testing.T) {
	odd := smallSpec(4, 3)
	odd.Router = router.VCSpec{VCs: 3, BufferFlits: 16, RouteCycles: 2, VCAllocCycles: 1, SwitchAllocCycles: 2,
		SwitchCycles: 0, LinkCycles: 3, CreditCycles: 2}
	odd.LinkNSCycles, odd.InjectCycles, odd.EjectCycles = 5, 2, 3
	minimal := smallSpec(4, 3)
	minimal.Router = router.MinimalVCSpec()
	twoCores := smallSpec(3, 2)
	twoCores.LocalPorts = 2
	table := smallSpec(4, 3)
	table.Routing = RoutingTable
	specs := map[string]NetSpec{"conventional": smallSpec(4, 3), "minimal": minimal, "odd": odd,
		"two cores per tile": twoCores, "table": table}
	for name, s := range specs {
		n := newNet(t, s)
		id := uint64(0)
		for _, size := range []int{1, 4, 8} {
			for src := 0; src < n.Nodes(); src++ {
				for dst := 0; dst < n.Nodes(); dst++ {
					start := n.Now() + 3
					id++
					require.NoError(t, n.Inject(src, dst, id, size, start))
					require.NoError(t, n.Advance(start+200))
					got := n.TakeDelivered(nil)
					require.Len(t, got, 1)
					d := got[0]
					assert.Equal(t, id, d.ID)
					assert.Equal(t, int32(dst), d.Node)
					assert.Equal(t, s.ZeroLoadCycles(src, dst, size), d.DeliveredCycle-start,
						"%s: %d→%d, %d flits", name, src, dst, size)
					assert.Equal(t, start, d.EnteredCycle)
					st, dt := src/s.LocalPorts, dst/s.LocalPorts
					want := abs(st%s.Width-dt%s.Width) + abs(st/s.Width-dt/s.Width) + 1
					assert.Equal(t, int32(want), d.Hops)
				}
			}
		}
		require.NoError(t, n.Check(), name)
		assert.False(t, n.Busy())
	}
	// the conventional pipeline: 5 cycles per router, +1 (ejection) +size−1
	s := smallSpec(8, 8)
	assert.Equal(t, int64(5*1+1), s.ZeroLoadCycles(0, 0, 1))
	assert.Equal(t, int64(5*15+1+3), s.ZeroLoadCycles(0, 63, 4))
}

// Delivered packets report their latency parts and the network jumps over
// idle stretches instead of running them.
func TestNetAdvanceSkipsIdle(t *testing.T) {
	n := newNet(t, smallSpec(4, 4))
	far := int64(1_000_000_000)
	require.NoError(t, n.Inject(0, 15, 1, 2, far))
	c, ok := n.NextCycle()
	assert.True(t, ok)
	assert.Equal(t, far, c)
	assert.True(t, n.Busy())
	require.NoError(t, n.Advance(far+100))
	got := n.TakeDelivered(nil)
	require.Len(t, got, 1)
	assert.Equal(t, far+n.Spec().ZeroLoadCycles(0, 15, 2), got[0].DeliveredCycle)
	_, ok = n.NextCycle()
	assert.False(t, ok)
	assert.LessOrEqual(t, n.RouterCounters(0).BusyCycles, uint64(10))
	assert.ErrorContains(t, n.Inject(0, 1, 2, 1, 5), "already at cycle")
}

// A packet a callback injects during Advance for the cycle being run
// leaves its source queue in that cycle when the network interfaces are
// still to be stepped in it (deliveries come before them), else in the
// next (hops are made after them).
func TestNetInjectFromCallback(t *testing.T) {
	n := newNet(t, smallSpec(4, 4))
	var got []Delivery
	n.OnDeliver(func(d Delivery) {
		got = append(got, d)
		if d.ID == 1 {
			require.NoError(t, n.Inject(5, 10, 2, 1, n.Now()))
		}
	})
	n.OnHop(func(h Hop) {
		if h.ID == 2 {
			require.NoError(t, n.Inject(6, 9, 3, 1, n.Now()))
			n.OnHop(nil)
		}
	})
	require.NoError(t, n.Inject(0, 15, 1, 1, 0))
	require.NoError(t, n.Advance(1000))
	require.Len(t, got, 3)
	for _, d := range got {
		wait := map[uint64]int64{1: 0, 2: 0, 3: 1}[d.ID]
		assert.Equal(t, d.CreatedCycle+wait, d.EnteredCycle, "packet %d", d.ID)
		assert.Equal(t, d.EnteredCycle+n.Spec().ZeroLoadCycles(int(d.Src), int(d.Node), 1), d.DeliveredCycle, "packet %d", d.ID)
	}
	assert.NoError(t, n.Check())
}

func TestNetInjectErrors(t *testing.T) {
	n := newNet(t, smallSpec(2, 2))
	assert.ErrorContains(t, n.Inject(-1, 0, 1, 1, 0), "source node")
	assert.ErrorContains(t, n.Inject(0, 0, 1, 0, 0), "packet size")
	err := n.Inject(0, 4, 1, 1, 0)
	assert.ErrorIs(t, err, ErrNoRoute)
	assert.Equal(t, NetStats{Injected: 1, Dropped: 1}, n.Stats())
	assert.NoError(t, n.Check())
	assert.ErrorContains(t, n.InjectMulticast(0, 0, 1, 1, 0), "multicast group")
}

// Under heavy backpressure (one VC, two-flit buffers, packets longer than a
// buffer, far more offered than the mesh carries) nothing is lost: every
// packet arrives exactly once, at its destination.
func TestNetConservationUnderBackpressure(t *testing.T) {
	for _, vcs := range []int{1, 2} {
		s := smallSpec(4, 4)
		s.Router.VCs, s.Router.BufferFlits = vcs, 2
		n := newNet(t, s)
		rng := rand.New(rand.NewPCG(1, uint64(vcs)))
		dst := map[uint64]int32{}
		seen := map[uint64]int{}
		n.OnDeliver(func(d Delivery) {
			seen[d.ID]++
			assert.Equal(t, dst[d.ID], d.Node)
			assert.False(t, d.Dropped)
		})
		id := uint64(0)
		for c := int64(0); c < 1500; c++ {
			for src := 0; src < n.Nodes(); src++ {
				if rng.IntN(2) == 0 {
					id++
					d := rng.IntN(n.Nodes())
					dst[id] = int32(d)
					require.NoError(t, n.Inject(src, d, id, 1+rng.IntN(5), c))
				}
			}
			require.NoError(t, n.Advance(c+1))
			if c%100 == 0 {
				require.NoError(t, n.Check())
			}
		}
		assert.True(t, n.Busy())
		for n.Busy() {
			require.NoError(t, n.Advance(n.Now()+1000))
		}
		require.NoError(t, n.Advance(n.Now()+100)) // credits home
		require.NoError(t, n.Check())
		assert.Len(t, seen, int(id))
		for k, v := range seen {
			require.Equal(t, 1, v, "packet %d", k)
		}
		st := n.Stats()
		assert.Equal(t, id, st.Delivered)
		assert.Equal(t, st.FlitsInjected, st.FlitsEjected)
		var stalls uint64
		maxQ := 0
		for tile := 0; tile < 16; tile++ {
			stalls += n.RouterCounters(Tile(tile)).CreditStalls
			maxQ = max(maxQ, n.RouterCounters(Tile(tile)).MaxQueueFlits)
		}
		assert.Positive(t, stalls, "backpressure must have stalled flits")
		assert.Equal(t, 2*vcs, maxQ, "buffers filled up, never beyond their depth")
		assert.Positive(t, n.NodeCounters(0).MaxSourceQueue)
	}
}

// A routing cycle with one VC and packets longer than a buffer deadlocks;
// the watchdog reports it instead of hanging.
func TestNetWatchdogReportsDeadlock(t *testing.T) {
	s := smallSpec(2, 2)
	s.Routing = RoutingTable
	s.Router.VCs, s.Router.BufferFlits = 1, 2
	s.WatchdogCycles = 200
	n := newNet(t, s)
	// clockwise ring 0 → 1 → 3 → 2 → 0; every packet goes two hops round it.
	next := map[Tile]router.Port{0: router.East, 1: router.North, 3: router.West, 2: router.South}
	ring := []int{0, 1, 3, 2}
	for i, src := range ring {
		dst := ring[(i+2)%4]
		mid := ring[(i+1)%4]
		require.NoError(t, n.SetRoute(Tile(src), int32(dst), router.MaskOf(next[Tile(src)])))
		require.NoError(t, n.SetRoute(Tile(mid), int32(dst), router.MaskOf(next[Tile(mid)])))
	}
	for i, src := range ring {
		require.NoError(t, n.Inject(src, ring[(i+2)%4], uint64(i), 20, 0))
	}
	err := n.Advance(100_000)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrDeadlock)
	var de *DeadlockError
	require.True(t, errors.As(err, &de))
	assert.Len(t, de.Tiles, 4)
	assert.Less(t, de.Cycle, int64(1000))
	assert.ErrorIs(t, n.Advance(200_000), ErrDeadlock, "stays failed")
	assert.NoError(t, n.Check(), "stuck, but nothing lost")
	n.Reset()
	assert.NoError(t, n.Advance(10))
}

func TestNetSetRouteErrors(t *testing.T) {
	s := smallSpec(2, 2)
	n := newNet(t, s)
	assert.ErrorContains(t, n.SetRoute(0, 1, router.MaskOf(router.East)), "no table entry", "xy routing has no unicast table")
	s.Routing = RoutingTable
	n = newNet(t, s)
	assert.ErrorContains(t, n.SetRoute(0, 1, router.MaskOf(router.West)), "no port west")
	assert.ErrorContains(t, n.SetRoute(9, 1, 0), "tile 9")
	assert.NoError(t, n.SetRoute(0, 1, router.MaskOf(router.East)))
}

// A table entry with no port drops the packet, and the drop is reported.
func TestNetTableDrop(t *testing.T) {
	s := smallSpec(3, 1)
	s.Routing = RoutingTable
	n := newNet(t, s)
	require.NoError(t, n.SetRoute(1, 2, 0))
	require.NoError(t, n.Inject(0, 2, 9, 3, 0))
	require.NoError(t, n.Advance(100))
	got := n.TakeDelivered(nil)
	require.Len(t, got, 1)
	assert.True(t, got[0].Dropped)
	assert.Equal(t, int32(1), got[0].Node)
	st := n.Stats()
	assert.Equal(t, uint64(1), st.Dropped)
	assert.Zero(t, st.Delivered)
	require.NoError(t, n.Check())
	assert.Equal(t, uint64(3), n.RouterCounters(1).Dropped)
}

// A multicast packet follows the XY tree of its group and is delivered once
// at every destination, nowhere else; each copy no earlier than a unicast
// packet would be.
func TestNetMulticast(t *testing.T) {
	s := smallSpec(4, 4)
	s.MulticastGroups = 2
	n := newNet(t, s)
	dsts := []int{5, 10, 15, 3, 12, 0}
	require.NoError(t, n.AddMulticastTree(1, 0, dsts))
	for _, size := range []int{1, 4} {
		start := n.Now()
		require.NoError(t, n.InjectMulticast(0, 1, 77, size, start))
		require.NoError(t, n.Advance(start+300))
		got := n.TakeDelivered(nil)
		var nodes []int
		for _, d := range got {
			nodes = append(nodes, int(d.Node))
			assert.Equal(t, uint64(77), d.ID)
			assert.GreaterOrEqual(t, d.DeliveredCycle-start, s.ZeroLoadCycles(0, int(d.Node), size))
		}
		assert.ElementsMatch(t, dsts, nodes)
		require.NoError(t, n.Check())
	}
	st := n.Stats()
	assert.Equal(t, uint64(2), st.Delivered)
	assert.Equal(t, uint64(12), st.Deliveries)
	assert.ErrorContains(t, n.AddMulticastTree(2, 0, dsts), "out of range")
}

// Counters and energy: east-west and north-south hops are charged their
// own energies; link counters see the flits.
func TestNetCountersAndEnergy(t *testing.T) {
	s := smallSpec(3, 3)
	n := newNet(t, s)
	require.NoError(t, n.Inject(0, 8, 1, 4, 0)) // (0,0) → (2,2): 2 hops east, 2 north
	require.NoError(t, n.Advance(200))
	assert.Equal(t, 4*(2*s.Cost.HopEW.EnergyFJ+2*s.Cost.HopNS.EnergyFJ), n.EnergyFJ())
	lc := n.LinkCounters(0, router.East)
	assert.Equal(t, uint64(4), lc.Flits)
	assert.Equal(t, 4*s.Cost.HopEW.EnergyFJ, lc.EnergyFJ)
	assert.Equal(t, 1, lc.LatencyCycles)
	assert.Equal(t, 4, lc.MaxQueueFlits, "the whole packet sat in the next router's west buffer")
	assert.Equal(t, uint64(4), n.LinkCounters(8, router.Local).Flits)
	assert.Equal(t, uint64(4), n.NodeCounters(8).FlitsEjected)
	assert.Equal(t, uint64(1), n.NodeCounters(8).PacketsDelivered)
	st := n.Stats()
	assert.Equal(t, uint64(4*5), st.FlitHops)
	assert.Equal(t, uint64(1), st.Entered)
}

// Same inputs, same outputs.
func TestNetDeterministic(t *testing.T) {
	runOnce := func() []Delivery {
		n := newNet(t, smallSpec(4, 4))
		rng := rand.New(rand.NewPCG(3, 4))
		id := uint64(0)
		for c := int64(0); c < 300; c++ {
			for src := 0; src < 16; src++ {
				if rng.Float64() < 0.2 {
					id++
					require.NoError(t, n.Inject(src, rng.IntN(16), id, 4, c))
				}
			}
		}
		require.NoError(t, n.Advance(5000))
		return n.TakeDelivered(nil)
	}
	a, b := runOnce(), runOnce()
	assert.Equal(t, a, b)
	assert.NotEmpty(t, a)
}

func TestNetSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*NetSpec)
		want string
	}{
		{"default", func(*NetSpec) {}, ""},
		{"zero width", func(s *NetSpec) { s.Width = 0 }, "width and height"},
		{"local ports", func(s *NetSpec) { s.LocalPorts = 0 }, "local_ports"},
		{"too many vcs", func(s *NetSpec) { s.LocalPorts, s.Router.VCs = 4, 16 }, "input VCs"},
		{"router", func(s *NetSpec) { s.Router.LinkCycles = 0 }, "link_cycles"},
		{"routing", func(s *NetSpec) { s.Routing = "adaptive" }, "routing"},
		{"inject", func(s *NetSpec) { s.InjectCycles = 0 }, "inject_cycles"},
		{"cycle", func(s *NetSpec) { s.CyclePS = 0 }, "cycle_ps"},
		{"watchdog", func(s *NetSpec) { s.WatchdogCycles = 0 }, "watchdog"},
		{"huge tables", func(s *NetSpec) { s.Width, s.Height, s.Routing = 4096, 4096, RoutingTable }, "too large"},
	}
	for _, tc := range tests {
		s := DefaultNetSpec()
		tc.mod(&s)
		err := s.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, tc.want, tc.name)
		}
	}
	_, err := NewNetwork(NetSpec{})
	assert.Error(t, err)
}

// The chip's presets map onto the cycle model with about their hop
// latencies.
func TestNetSpecFrom(t *testing.T) {
	ms := DefaultSpec() // loihi: 8×4 tiles of 4 cores, 4.1 ns EW, 6.5 ns NS
	s := NetSpecFrom(ms)
	require.NoError(t, s.Validate())
	assert.Equal(t, 4, s.LocalPorts)
	assert.Equal(t, 128, s.Nodes())
	ew := int64(s.Router.HopCycles()) * s.CyclePS
	ns := int64(s.Router.HopCycles()-s.Router.LinkCycles+s.linkNS()) * s.CyclePS
	assert.InDelta(t, ms.Router.HopEW.LatencyPS, ew, float64(s.CyclePS))
	assert.InDelta(t, ms.Router.HopNS.LatencyPS, ns, float64(s.CyclePS))
	n := newNet(t, s)
	assert.Equal(t, int64(3), n.CycleAt(2*s.CyclePS+1))
	assert.Equal(t, 2*s.CyclePS, n.TimePS(2))
	assert.Equal(t, 4*3+2, n.Node(3, 2))
	assert.Equal(t, Tile(3), n.NodeTile(14))
}

// Steady-state injection and advancing allocate nothing.
func TestNetZeroAllocs(t *testing.T) {
	n := newNet(t, smallSpec(8, 8))
	rng := rand.New(rand.NewPCG(5, 6))
	id := uint64(0)
	n.OnDeliver(func(Delivery) {})
	step := func() {
		c := n.Now()
		for src := 0; src < 64; src++ {
			if rng.IntN(16) == 0 {
				id++
				_ = n.Inject(src, rng.IntN(64), id, 4, c)
			}
		}
		_ = n.Advance(c + 1)
	}
	for i := 0; i < 3000; i++ {
		step()
	}
	assert.Zero(t, testing.AllocsPerRun(2000, step))
	require.NoError(t, n.Check())
}
