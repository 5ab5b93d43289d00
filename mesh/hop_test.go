package mesh

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lone packet reports one Hop per router-to-router move along its XY
// path, each lasting switch allocation + traversal + link, with route
// computation and VC allocation (zero load: no waiting) between hops.
func TestOnHopLonePacket(t *testing.T) {
	s := smallSpec(3, 2)
	n := newNet(t, s)
	var hops []Hop
	n.OnHop(func(h Hop) { hops = append(hops, h) })
	require.NoError(t, n.Inject(0, 5, 42, 3, 0)) // (0,0) → (2,1): east, east, north
	require.NoError(t, n.Advance(200))
	require.Len(t, hops, 3, "one hop per router-to-router move; body flits are not reported")
	rs := s.Router
	flit := int64(rs.SwitchAllocCycles + rs.SwitchCycles + rs.LinkCycles)
	between := int64(rs.RouteCycles + rs.VCAllocCycles)
	for i, h := range hops {
		assert.Equal(t, uint64(42), h.ID)
		assert.Equal(t, flit, h.ArriveCycle-h.SentCycle, "hop %d", i)
		if i > 0 {
			assert.Equal(t, hops[i-1].To, h.From)
			assert.Equal(t, between, h.SentCycle-hops[i-1].ArriveCycle, "hop %d", i)
		}
	}
	assert.Equal(t, []Tile{0, 1, 2}, []Tile{hops[0].From, hops[1].From, hops[2].From})
	assert.Equal(t, Tile(5), hops[2].To)

	// switched off, nothing is reported
	n.Reset()
	n.OnHop(nil)
	hops = nil
	require.NoError(t, n.Inject(0, 5, 43, 1, 0))
	require.NoError(t, n.Advance(200))
	assert.Empty(t, hops)
}

// Under load, with multicast forks (moves that go through the driver) and
// unicast packets (moves routers make in place), every move of every head
// is reported once: a unicast packet delivered after Hops routers made
// Hops−1 moves, and a multicast packet's moves are its tree's edges.
func TestOnHopCountsEveryMove(t *testing.T) {
	s := smallSpec(4, 4)
	s.MulticastGroups = 2
	n := newNet(t, s)
	require.NoError(t, n.AddMulticastTree(0, 5, []int{0, 3, 12, 15}))
	require.NoError(t, n.AddMulticastTree(1, 10, []int{10, 11, 14}))
	moves := map[uint64]int{}
	n.OnHop(func(h Hop) { moves[h.ID]++ })
	var dels []Delivery
	n.OnDeliver(func(d Delivery) { dels = append(dels, d) })
	rng := rand.New(rand.NewPCG(5, 6))
	id := uint64(0)
	mcast := map[uint64]bool{}
	for c := int64(0); c < 2000; c++ {
		for src := 0; src < n.Nodes(); src++ {
			if rng.Float64() >= 0.08 {
				continue
			}
			id++
			if rng.IntN(10) == 0 {
				g := rng.IntN(2)
				mcast[id] = true
				require.NoError(t, n.InjectMulticast([]int{5, 10}[g], g, id, 1+rng.IntN(3), c))
				continue
			}
			require.NoError(t, n.Inject(src, rng.IntN(n.Nodes()), id, 1+rng.IntN(4), c))
		}
		require.NoError(t, n.Advance(c+1))
	}
	require.NoError(t, n.Advance(40_000))
	require.NoError(t, n.Check())
	require.Greater(t, len(mcast), 20)
	treeHops := map[uint64]int32{}
	copies := map[uint64]int{}
	for _, d := range dels {
		if mcast[d.ID] {
			treeHops[d.ID] = max(treeHops[d.ID], d.Hops)
			copies[d.ID]++
			continue
		}
		assert.Equal(t, int(d.Hops)-1, moves[d.ID], "unicast packet %d", d.ID)
	}
	for pid, h := range treeHops {
		// the head's switch traversals over the whole tree (the last copy
		// delivered saw them all) are its moves plus one ejection per copy
		assert.Equal(t, int(h)-copies[pid], moves[pid], "multicast packet %d", pid)
	}
}
