package router

import "math/bits"

// Fabric is what the routers of one network share when they are wired to
// each other (Wire, Link, Upstream): a router that sends a unicast flit to
// a linked neighbour writes it straight into the neighbour's input buffer,
// and every router queues the credits of its freed slots on the fabric's
// timing wheel itself, instead of handing both to the driver as a
// Departure. Forwarding in place saves the per-hop round trip through the
// driver.
type Fabric struct {
	// Active lists the routers that hold flits, by the id given to Wire,
	// in the order they became busy. A router appends itself when a flit
	// reaches it while it is idle; the driver removes it once it is idle
	// again (and must keep that order: it decides the order routers are
	// stepped in, and so the order of deliveries within a cycle).
	Active []int32
	// FlitHops counts switch traversals of flits forwarded in place.
	FlitHops uint64
	// Progress is the last cycle a flit was forwarded in place (for the
	// driver's watchdog).
	Progress int64
	// Now is the cycle the driver is in: it sets it before it applies the
	// cycle's credits or hands any router a flit. Routers use it to place
	// arriving flits on their timing wheels; left behind (never ahead) it
	// costs speed, not correctness.
	Now int64
	// OnHop, when set, is told every head flit a router forwards in place:
	// its packet, the router (its Wire id), the output port, the cycle it
	// won the switch and the cycle it is usable in the next router. Tracing
	// sets it; left nil it costs one test per flit.
	OnHop func(packet, router int32, out Port, sent, arrive int64)

	wheel   [][]CreditEvent
	mask    int64
	pending int
}

// CreditEvent is a credit on its way upstream: to the router with id To,
// output port Port, VC VC; or, for To < 0, to the network interface -1-To
// (whose Port is 0).
type CreditEvent struct {
	To   int32
	Port Port
	VC   uint8
}

// SetCreditHorizon sizes the credit wheel for credits due up to maxDelay
// cycles after the cycle that sends them, and empties it.
func (f *Fabric) SetCreditHorizon(maxDelay int) {
	w := 1 << bits.Len64(uint64(maxDelay)+1)
	f.wheel = make([][]CreditEvent, w)
	f.mask = int64(w - 1)
	f.pending = 0
}

// Reset empties the fabric (the wheel keeps its size).
func (f *Fabric) Reset() {
	for i := range f.wheel {
		f.wheel[i] = f.wheel[i][:0]
	}
	f.Active, f.FlitHops, f.Progress, f.pending = f.Active[:0], 0, 0, 0
}

// QueueCredit queues a credit that arrives at cycle at (at most the credit
// horizon after the current cycle).
func (f *Fabric) QueueCredit(at int64, e CreditEvent) {
	b := at & f.mask
	f.wheel[b] = append(f.wheel[b], e)
	f.pending++
}

// TakeCredits returns the credits due at cycle c and forgets them; the
// slice is valid until credits are next queued for a cycle that shares
// c's slot.
func (f *Fabric) TakeCredits(c int64) []CreditEvent {
	b := c & f.mask
	evs := f.wheel[b]
	if len(evs) == 0 {
		return nil
	}
	f.wheel[b] = evs[:0]
	f.pending -= len(evs)
	return evs
}

// PendingCredits is the number of credits on their way.
func (f *Fabric) PendingCredits() int { return f.pending }

// Horizon is the number of cycles the wheel spans.
func (f *Fabric) Horizon() int { return len(f.wheel) }

// Wire makes r part of fab under id: flits reaching r while it is idle put
// id on fab.Active, and flits r forwards in place are booked in fab.
func (r *VCRouter) Wire(fab *Fabric, id int32) {
	r.fab, r.id = fab, id
}

// Link connects output port o of r to input port in of down: a flit that
// wins switch allocation on o in cycle c is usable in down's buffer from
// cycle c+flitDelay. Both routers must be wired into the same Fabric. From
// then on r forwards unicast flits on o in place: they produce no
// Departure.
func (r *VCRouter) Link(o Port, down *VCRouter, in Port, flitDelay int) {
	ps := &r.ports[o&portMask]
	ps.down, ps.downDelay, ps.downPort = down, int32(flitDelay), in
	ps.downVC0 = uint8(int(in) * down.nvc)
}

// Upstream says where the credits of input port p go: the slot a flit
// frees in cycle c is credited to up (a router id, or -1-node for a
// network interface) at c+creditDelay, queued on the fabric by r itself.
// A Departure's Freed then tells the driver nothing to do.
func (r *VCRouter) Upstream(p Port, up CreditEvent, creditDelay int) {
	ps := &r.ports[p&portMask]
	ps.upTo, ps.upPort, ps.upDelay, ps.upSet = up.To, up.Port, int32(creditDelay), true
}

// freeSlot returns the credit of a slot of input VC i (of input port p)
// freed in the cycle being stepped, if its port's upstream is known.
func (r *VCRouter) freeSlot(i, p int) {
	if ps := &r.ports[p&portMask]; ps.upSet {
		r.fab.QueueCredit(r.now+int64(ps.upDelay), CreditEvent{To: ps.upTo, Port: ps.upPort, VC: uint8(i - p*r.nvc)})
	}
}
