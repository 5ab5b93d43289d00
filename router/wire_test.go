package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two routers in a row, (0, 0) → (1, 0), wired into one fabric: a unicast
// packet injected at (0, 0) for (1, 0) is forwarded in place (no
// Departure at the first router), ejected at the second with the hops it
// made in place, and every freed slot's credit is queued on the fabric for
// the right receiver and cycle.
func TestFabricForwardsInPlace(t *testing.T) {
	spec := DefaultVCSpec()
	var fab Fabric
	fab.SetCreditHorizon(8)
	var rs [2]*VCRouter
	for x := range rs {
		r, err := NewVCRouter(spec, Placement{X: x, Y: 0, Width: 2, Height: 1, LocalPorts: 1})
		require.NoError(t, err)
		r.Wire(&fab, int32(x))
		rs[x] = r
	}
	const flitDelay, creditDelay = 3, 2
	rs[0].Link(East, rs[1], West, flitDelay)
	rs[1].Upstream(West, CreditEvent{To: 0, Port: East}, creditDelay)
	rs[0].Upstream(Local, CreditEvent{To: -1 - 0}, creditDelay) // node 0's interface
	rs[1].SetCredits(East, 0)
	rs[0].SetCredits(West, 0)

	require.True(t, rs[0].Accept(Local, 0, 7, 1, FlagHead|FlagTail, 1))
	assert.Equal(t, []int32{0}, fab.Active, "an idle router that receives a flit activates itself")

	var ejected []Departure
	credits := map[int64][]CreditEvent{}
	for c := int64(1); c < 20; c++ {
		for i, r := range rs {
			deps := r.Step(c)
			if i == 0 {
				assert.Empty(t, deps, "cycle %d: the first router forwards in place", c)
			}
			ejected = append(ejected, deps...)
		}
		if evs := fab.TakeCredits(c); len(evs) > 0 {
			credits[c] = append([]CreditEvent(nil), evs...)
		}
	}
	require.Len(t, ejected, 1)
	d := ejected[0]
	assert.Equal(t, int32(7), d.Packet)
	assert.Equal(t, Local, d.OutPort)
	assert.Equal(t, uint16(1), d.Hops, "one switch traversal in place before the ejecting one")
	assert.True(t, d.Freed)
	assert.Equal(t, []int32{0, 1}, fab.Active)
	assert.Equal(t, uint64(1), fab.FlitHops)

	// Zero-load timing: the flit is usable at cycle 1, RC 1 + VA 1 → SA at
	// cycle 3 at the first router; it is usable downstream at 3+3 = 6, SA
	// there at 8. Credits come back SA + 2.
	assert.Equal(t, map[int64][]CreditEvent{
		5:  {{To: -1, Port: 0, VC: 0}},
		10: {{To: 0, Port: East, VC: 0}},
	}, credits)
	assert.Equal(t, 0, fab.PendingCredits())
}

// The credit wheel hands back exactly what was queued for a cycle, and
// counts what is still pending.
func TestFabricCreditWheel(t *testing.T) {
	var fab Fabric
	fab.SetCreditHorizon(5)
	require.GreaterOrEqual(t, fab.Horizon(), 6)
	fab.QueueCredit(3, CreditEvent{To: 1, Port: North, VC: 1})
	fab.QueueCredit(3, CreditEvent{To: -2})
	fab.QueueCredit(7, CreditEvent{To: 4, Port: West})
	assert.Equal(t, 3, fab.PendingCredits())
	assert.Empty(t, fab.TakeCredits(2))
	assert.Equal(t, []CreditEvent{{To: 1, Port: North, VC: 1}, {To: -2}}, fab.TakeCredits(3))
	assert.Equal(t, 1, fab.PendingCredits())
	assert.Equal(t, []CreditEvent{{To: 4, Port: West}}, fab.TakeCredits(7))
	fab.QueueCredit(9, CreditEvent{To: 1})
	fab.Reset()
	assert.Equal(t, 0, fab.PendingCredits())
	assert.Empty(t, fab.TakeCredits(9))
}
