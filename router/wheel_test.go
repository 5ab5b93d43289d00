package router

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flit handed to a router for a cycle beyond its timing wheel's span
// waits among the far VCs and still leaves exactly when it would have:
// route computation, VC allocation and switch allocation after it arrives.
func TestVCRouterFarFlit(t *testing.T) {
	s := DefaultVCSpec()
	for _, at := range []int64{ringSlots - 1, ringSlots, ringSlots + 1, 3*ringSlots + 5, 1000} {
		r := newTestRouter(t, s)
		packet(t, r, West, 0, 1, nodeEast, 1, at)
		packet(t, r, South, 1, 2, nodeNorth, 1, 3) // a near flit on the wheel meanwhile
		assert.Equal(t, int64(0), r.Wake())
		var got []event
		for c := int64(0); c < at+20; c++ {
			if r.Idle() || c < r.Wake() {
				continue // as a network drives it: only when something is due
			}
			for _, d := range r.Step(c) {
				got = append(got, event{Cycle: c, Packet: d.Packet, Out: d.OutPort})
			}
		}
		sa := int64(s.RouteCycles + s.VCAllocCycles)
		assert.Equal(t, []event{{Cycle: 3 + sa, Packet: 2, Out: North}, {Cycle: at + sa, Packet: 1, Out: East}}, got, "at %d", at)
	}
}

// Stepping a router only in the cycles its Wake names gives exactly what
// stepping it in every cycle gives: the timing wheel, the far VCs and the
// VCs a credit wakes miss no cycle in which a VC has something to do.
func TestVCRouterWakeMissesNothing(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		s := VCSpec{VCs: 1 + int(seed%3), BufferFlits: 1 + int(seed%4), RouteCycles: int(seed % 3),
			VCAllocCycles: 1 + int(seed%2), SwitchAllocCycles: 1, SwitchCycles: 1, LinkCycles: 1, CreditCycles: 1}
		every, lazy := newTestRouter(t, s), newTestRouter(t, s)
		for _, r := range []*VCRouter{every, lazy} {
			r.SetCredits(East, 2) // a shallow downstream buffer: credit stalls
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		type credit struct {
			at  int64
			out Port
			vc  int
		}
		var owed [2][]credit // per router, credits due back
		var log [2][]event
		id := int32(0)
		for c := int64(0); c < 3000; c++ {
			// offer a packet now and then, sometimes for far in the future
			if c < 2500 && rng.IntN(4) == 0 {
				p := []Port{Local, West, South, North}[rng.IntN(4)]
				vc := rng.IntN(s.VCs)
				key := int32([]int{nodeEast, nodeNorth, nodeHere, 3, 1}[rng.IntN(5)])
				at := c + 1 + int64(rng.IntN(8))
				if rng.IntN(10) == 0 {
					at += int64(ringSlots + rng.IntN(200))
				}
				size := 1 + rng.IntN(3)
				if room(every, p, vc) >= size {
					id++
					for k, r := range []*VCRouter{every, lazy} {
						for f := 0; f < size; f++ {
							flags := uint8(0)
							if f == 0 {
								flags |= FlagHead
							}
							if f == size-1 {
								flags |= FlagTail
							}
							require.True(t, r.Accept(p, vc, id, key, flags, at+int64(f)), "router %d", k)
						}
					}
				}
			}
			for k, r := range []*VCRouter{every, lazy} {
				rest := owed[k][:0]
				for _, cr := range owed[k] {
					if cr.at == c {
						r.Credit(cr.out, cr.vc)
					} else {
						rest = append(rest, cr)
					}
				}
				owed[k] = rest
				if k == 1 && (r.Idle() || c < r.Wake()) {
					continue
				}
				for _, d := range r.Step(c) {
					log[k] = append(log[k], event{Cycle: c, Packet: d.Packet, In: d.InPort, InVC: d.InVC,
						Out: d.OutPort, OutVC: d.OutVC, Flags: d.Flags, Freed: d.Freed})
					if d.OutPort != NoPort {
						owed[k] = append(owed[k], credit{at: c + 1 + int64(d.Packet%5), out: d.OutPort, vc: int(d.OutVC)})
					}
				}
			}
		}
		require.NotEmpty(t, log[0])
		assert.Equal(t, log[0], log[1], "seed %d", seed)
		assert.Equal(t, every.Counters(), lazy.Counters(), "seed %d", seed)
		assert.True(t, every.Idle(), "seed %d: the router drains", seed)
	}
}

// portOf divides by the VC count with a multiplication; it is exact for
// every input VC of every legal configuration.
func TestPortOfDivides(t *testing.T) {
	for nvc := 1; nvc <= 16; nvc++ {
		r := &VCRouter{nvc: nvc, divVC: (1<<16)/uint(nvc) + 1}
		for i := 0; i < MaxInputVCs; i++ {
			require.Equal(t, i/nvc, r.portOf(i), "VC %d of %d per port", i, nvc)
		}
	}
}

// room is the free slots of input VC (p, vc).
func room(r *VCRouter, p Port, vc int) int {
	return r.depth - int(r.vcs[(int(p)*r.nvc+vc)&vcMask].count)
}
