package mesh

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/router"
)

// goldenDigests are digests of everything observable about a network run
// (every Delivery in order, NextCycle/Busy between chunks, stats, router,
// link and node counters, energy) for scenarios that cover the model's
// corners: pipelines, VC counts, shallow buffers, several cores per tile,
// longer north-south links, table routing with drops, multicast forks,
// saturation and drain. They were recorded with the first version of the
// model; an optimisation must not change a single cycle of them.
var goldenDigests = map[string]string{
	"default 8x8 saturating":     "b5fa05b1ffc9bc1e20807cce5c65b5da",
	"default 8x8 moderate 1flit": "0dc526fe78a042585a8a630151e1632a",
	"minimal 4x4 1vc":            "02466258c7bcb185cfe66d3d0df45055",
	"odd pipeline 5x3":           "07873e09edcb3c3cfb850c15d61cbe42",
	"four cores NS links":        "fc86a2088b517e788add435076d4fec4",
	"table drops credit0":        "3c7e7083942e9e6963ff604026f65ac8",
	"multicast":                  "efd29bd66840c6c6867aa4d93248b8bf",
	"8 VCs shallow":              "561d19cd5d4b1ea5fb6db0f7cdc7126b",
	"two cores 1vc long packets": "4666953ae2d2708e295e11192dcd5cfe",
}

type goldenScenario struct {
	spec     NetSpec
	setup    func(t *testing.T, n *Network, rng *rand.Rand)
	rate     float64 // packets per node per cycle
	maxSize  int
	mcast    float64 // fraction of multicast packets
	badDst   float64 // fraction of packets to a node that does not exist
	cycles   int64   // injection stops here
	drainTo  int64
	chunkMax int64
}

func goldenScenarios() map[string]goldenScenario {
	odd := smallSpec(5, 3)
	odd.Router = router.VCSpec{VCs: 3, BufferFlits: 4, RouteCycles: 2, VCAllocCycles: 2, SwitchAllocCycles: 2,
		SwitchCycles: 0, LinkCycles: 3, CreditCycles: 2}
	odd.LinkNSCycles, odd.InjectCycles, odd.EjectCycles = 5, 2, 3
	minimal := smallSpec(4, 4)
	minimal.Router = router.MinimalVCSpec()
	minimal.Router.VCs = 1
	four := NetSpecFrom(DefaultSpec())
	table := smallSpec(4, 4)
	table.Routing = RoutingTable
	table.Router.CreditCycles = 0
	table.Router.BufferFlits = 3
	mc := smallSpec(4, 4)
	mc.MulticastGroups = 6
	mc.Router.BufferFlits = 3
	eight := smallSpec(4, 4)
	eight.Router.VCs, eight.Router.BufferFlits = 8, 2
	two := smallSpec(3, 3)
	two.LocalPorts = 2
	two.Router.VCs = 1
	two.Router.SwitchCycles = 2
	return map[string]goldenScenario{
		"default 8x8 saturating":     {spec: smallSpec(8, 8), rate: 0.12, maxSize: 5, cycles: 3000, drainTo: 40000, chunkMax: 200},
		"default 8x8 moderate 1flit": {spec: smallSpec(8, 8), rate: 0.15, maxSize: 1, cycles: 4000, drainTo: 20000, chunkMax: 64},
		"minimal 4x4 1vc":            {spec: minimal, rate: 0.2, maxSize: 2, cycles: 3000, drainTo: 20000, chunkMax: 50},
		"odd pipeline 5x3":           {spec: odd, rate: 0.08, maxSize: 6, badDst: 0.02, cycles: 3000, drainTo: 30000, chunkMax: 300},
		"four cores NS links":        {spec: four, rate: 0.03, maxSize: 4, cycles: 3000, drainTo: 30000, chunkMax: 100},
		"table drops credit0": {spec: table, rate: 0.1, maxSize: 4, cycles: 3000, drainTo: 30000, chunkMax: 80,
			setup: func(t *testing.T, n *Network, rng *rand.Rand) {
				for range 12 {
					require.NoError(t, n.SetRoute(Tile(rng.IntN(16)), int32(rng.IntN(16)), 0))
				}
			}},
		"multicast": {spec: mc, rate: 0.05, maxSize: 5, mcast: 0.3, cycles: 3000, drainTo: 30000, chunkMax: 100,
			setup: func(t *testing.T, n *Network, rng *rand.Rand) {
				for g := range 6 {
					src := g % 3
					var dsts []int
					for range 2 + rng.IntN(6) {
						dsts = append(dsts, rng.IntN(16))
					}
					require.NoError(t, n.AddMulticastTree(g, src, dsts))
				}
			}},
		"8 VCs shallow":              {spec: eight, rate: 0.15, maxSize: 3, cycles: 3000, drainTo: 30000, chunkMax: 30},
		"two cores 1vc long packets": {spec: two, rate: 0.02, maxSize: 12, cycles: 3000, drainTo: 30000, chunkMax: 500},
	}
}

func goldenRun(t *testing.T, sc goldenScenario) string {
	n := newNet(t, sc.spec)
	rng := rand.New(rand.NewPCG(11, 12))
	if sc.setup != nil {
		sc.setup(t, n, rng)
	}
	h := fnv.New128a()
	w := func(vs ...any) {
		for _, v := range vs {
			fmt.Fprintf(h, "%+v;", v)
		}
	}
	n.OnDeliver(func(d Delivery) { w(d) })
	id := uint64(0)
	for n.Now() < sc.drainTo {
		end := min(n.Now()+1+rng.Int64N(sc.chunkMax), sc.drainTo)
		for c := n.Now(); c < end && c < sc.cycles; c++ {
			for src := 0; src < n.Nodes(); src++ {
				if rng.Float64() >= sc.rate {
					continue
				}
				id++
				size := 1 + rng.IntN(sc.maxSize)
				switch {
				case rng.Float64() < sc.mcast:
					require.NoError(t, n.InjectMulticast(src%3, rng.IntN(sc.spec.MulticastGroups), id, size, c))
				case rng.Float64() < sc.badDst:
					require.ErrorIs(t, n.Inject(src, n.Nodes()+3, id, size, c), ErrNoRoute)
				default:
					require.NoError(t, n.Inject(src, rng.IntN(n.Nodes()), id, size, c))
				}
			}
		}
		require.NoError(t, n.Advance(end))
		c, ok := n.NextCycle()
		w(c, ok, n.Busy(), n.Stats())
		if n.Now() >= sc.cycles && !n.Busy() {
			break
		}
	}
	require.NoError(t, n.Check())
	w(n.Stats(), n.EnergyFJ())
	var rc router.VCCounters
	for tl := 0; tl < sc.spec.Tiles(); tl++ {
		c := n.RouterCounters(Tile(tl))
		rc.CreditStalls += c.CreditStalls
		rc.VCAllocStalls += c.VCAllocStalls
		rc.SwitchConflicts += c.SwitchConflicts
		rc.Dropped += c.Dropped
		rc.MaxQueueFlits = max(rc.MaxQueueFlits, c.MaxQueueFlits)
	}
	t.Logf("%+v %+v", n.Stats(), rc)
	if rc.CreditStalls == 0 && rc.VCAllocStalls == 0 {
		t.Errorf("no contention: the scenario tests too little")
	}
	tiles := sc.spec.Tiles()
	for tl := 0; tl < tiles; tl++ {
		w(n.RouterCounters(Tile(tl)))
		for p := 0; p < router.PortsFor(sc.spec.LocalPorts); p++ {
			w(n.LinkCounters(Tile(tl), router.Port(p)))
		}
	}
	for node := 0; node < n.Nodes(); node++ {
		w(n.NodeCounters(node))
	}
	return digest(h)
}

func digest(h hash.Hash) string { return fmt.Sprintf("%x", h.Sum(nil)) }

// Optimisations keep the model cycle for cycle.
func TestGoldenDigests(t *testing.T) {
	for name, sc := range goldenScenarios() {
		got := goldenRun(t, sc)
		want, ok := goldenDigests[name]
		require.True(t, ok, name)
		assert.Equal(t, want, got, name)
	}
}

// Stepping routers appends the ones that become busy to fab.Active; a run
// in which that moves the list is the same run.
func TestGoldenActiveMoving(t *testing.T) {
	const name = "default 8x8 saturating"
	sc := goldenScenarios()[name]
	sc.setup = func(t *testing.T, n *Network, rng *rand.Rand) { n.fab.Active = nil }
	assert.Equal(t, goldenDigests[name], goldenRun(t, sc))
}

// goldenRandomDigest is the digest of randomNetworkRuns random networks
// (randomNetworkRun, seeds 1…randomNetworkRuns). It was recorded before the
// second speed pass (00e1599) and holds unchanged back to 020bb6c: like
// goldenDigests, an optimisation must not change it. Where goldenDigests
// cover chosen corners, these cover their combinations — mesh sizes, 1–4
// cores per tile, 1–3 VCs, shallow buffers, credit and interface delays,
// table routing with drops, multicast trees, packets injected for later
// cycles and packets injected from delivery and hop callbacks.
const (
	goldenRandomDigest = "0ca801b3242b7b8d25418fbaa176e835"
	randomNetworkRuns  = 80
)

func TestGoldenRandomNetworks(t *testing.T) {
	h := fnv.New128a()
	for seed := uint64(1); seed <= randomNetworkRuns; seed++ {
		fmt.Fprintf(h, "%d:%s;", seed, randomNetworkRun(t, seed))
	}
	assert.Equal(t, goldenRandomDigest, digest(h))
}

// randomNetworkRun builds the random network of seed, drives it with
// random traffic until it drains, and returns the digest of everything
// observable: every Delivery and Hop in order, NextCycle, Busy and the
// stats between chunks, and the final stats, energy and counters.
func randomNetworkRun(t *testing.T, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 99))
	w, ht := 2+rng.IntN(5), 1+rng.IntN(5)
	s := smallSpec(w, ht)
	s.LocalPorts = 1 + rng.IntN(4)
	s.Router.VCs = 1 + rng.IntN(3)
	s.Router.BufferFlits = 1 + rng.IntN(5)
	s.Router.CreditCycles = rng.IntN(3)
	s.InjectCycles = 1 + rng.IntN(3)
	s.EjectCycles = 1 + rng.IntN(3)
	if rng.IntN(3) == 0 {
		s.Routing = RoutingTable
	}
	multicast := rng.IntN(3) == 0
	if multicast {
		s.MulticastGroups = 4
	}
	s.WatchdogCycles = 100000
	require.NoError(t, s.Validate(), "seed %d", seed)
	n := newNet(t, s)
	if s.Routing == RoutingTable {
		for range rng.IntN(6) { // routes to nowhere: their packets are dropped
			require.NoError(t, n.SetRoute(Tile(rng.IntN(w*ht)), int32(rng.IntN(n.Nodes())), 0))
		}
	}
	if multicast {
		for g := range s.MulticastGroups {
			var dsts []int
			for range 1 + rng.IntN(5) {
				dsts = append(dsts, rng.IntN(n.Nodes()))
			}
			require.NoError(t, n.AddMulticastTree(g, rng.IntN(n.Nodes()), dsts))
		}
	}

	h := fnv.New128a()
	record := func(vs ...any) {
		for _, v := range vs {
			fmt.Fprintf(h, "%+v;", v)
		}
	}
	// Callbacks sometimes inject: for the cycle being run or a little later.
	const stopInjecting = 1500
	cbInject, cbRng, cbID := rng.IntN(2) == 0, rand.New(rand.NewPCG(seed, 7)), uint64(1<<40)
	maybeInject := func() {
		if cbInject && cbRng.IntN(4) == 0 && n.Now() < stopInjecting {
			cbID++
			_ = n.Inject(cbRng.IntN(n.Nodes()), cbRng.IntN(n.Nodes()), cbID, 1+cbRng.IntN(3), n.Now()+int64(cbRng.IntN(3)))
		}
	}
	n.OnDeliver(func(d Delivery) { record(d); maybeInject() })
	if rng.IntN(2) == 0 {
		n.OnHop(func(hp Hop) { record(hp); maybeInject() })
	}

	rate, maxSize, ahead := 0.01+rng.Float64()*0.4, 1+rng.IntN(6), rng.IntN(3) == 0
	id := uint64(0)
	for n.Now() < 60000 {
		end := n.Now() + 1 + rng.Int64N(200)
		for c := n.Now(); c < end && c < stopInjecting; c++ {
			for src := 0; src < n.Nodes(); src++ {
				if rng.Float64() >= rate {
					continue
				}
				id++
				at := c
				if ahead && rng.IntN(4) == 0 {
					at += rng.Int64N(400)
				}
				size := 1 + rng.IntN(maxSize)
				if multicast && rng.IntN(3) == 0 {
					_ = n.InjectMulticast(src, rng.IntN(s.MulticastGroups), id, size, at)
				} else {
					_ = n.Inject(src, rng.IntN(n.Nodes()+1), id, size, at) // 1 in Nodes()+1 has no destination
				}
			}
		}
		err := n.Advance(end)
		c, ok := n.NextCycle()
		record(c, ok, n.Busy(), n.Stats(), err)
		if err != nil || n.Now() >= stopInjecting && !n.Busy() {
			break
		}
	}
	record(n.Check(), n.Stats(), n.EnergyFJ())
	for tl := 0; tl < s.Tiles(); tl++ {
		record(n.RouterCounters(Tile(tl)))
		for p := 0; p < router.PortsFor(s.LocalPorts); p++ {
			record(n.LinkCounters(Tile(tl), router.Port(p)))
		}
	}
	for node := 0; node < n.Nodes(); node++ {
		record(n.NodeCounters(node))
	}
	return digest(h)
}
