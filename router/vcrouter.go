package router

import (
	"fmt"
	"math"
	"math/bits"
)

// Flit flags.
const (
	FlagHead uint8 = 1 << iota // first flit of a packet: carries the route key
	FlagTail                   // last flit of a packet (a one-flit packet is head and tail)
	// FlagForked marks the flits of a packet that forked at a multicast
	// router: there are several copies, so they always go through the
	// driver (which books each copy) rather than being forwarded in place.
	FlagForked
)

// NoPort is the output port of a Departure whose flit was discarded: its
// packet had no route at this router.
const NoPort Port = 0xFF

// Placement says where a VCRouter sits, which it needs to compute
// dimension-order routes: its tile (X, Y) on a Width×Height mesh whose
// tiles each have LocalPorts cores. Destination node n is local port
// n mod LocalPorts of tile n / LocalPorts, and tile t is at
// (t mod Width, t / Width).
type Placement struct {
	X, Y          int
	Width, Height int
	LocalPorts    int
}

// Departure is one flit that left a router's input buffer in a cycle: it won
// switch allocation on OutPort (VC OutVC), or it was discarded (OutPort ==
// NoPort). The network that drives the router moves the flit to the next
// router and, when Freed, returns a credit for (InPort, InVC) upstream.
type Departure struct {
	Packet  int32 // the network's packet handle, opaque to the router
	Key     int32 // route key: destination node, or multicast group key
	Flags   uint8 // FlagHead, FlagTail
	InPort  Port
	InVC    uint8
	OutPort Port
	OutVC   uint8
	// Freed: the flit's input buffer slot is free (a multicast flit frees
	// it when its last branch sends it). When the input port has an
	// Upstream, the router has already queued the credit itself.
	Freed bool
	// Hops is the number of switch traversals the packet's head made in
	// place (forwarded from router to router without a Departure) before
	// this one.
	Hops uint16
}

// VCCounters are the ops of one VCRouter.
type VCCounters struct {
	FlitsIn     uint64 `json:"flits_in"`     // flits written into input buffers
	FlitsOut    uint64 `json:"flits_out"`    // flits sent through the switch (switch traversals)
	HopsEW      uint64 `json:"hops_ew"`      // flits sent east or west
	HopsNS      uint64 `json:"hops_ns"`      // flits sent north or south
	Ejected     uint64 `json:"ejected"`      // flits sent to a local port
	HeadsRouted uint64 `json:"heads_routed"` // route computations
	Dropped     uint64 `json:"dropped"`      // flits discarded for want of a route
	// BusyCycles counts the cycles of finished busy periods: from the
	// arrival of a flit at an empty router to the departure of the last.
	BusyCycles uint64 `json:"busy_cycles"`
	// CreditStalls counts (input VC, cycle) pairs where a flit was ready
	// for switch allocation but its downstream VC had no credit.
	CreditStalls uint64 `json:"credit_stalls"`
	// VCAllocStalls counts (request, cycle) pairs where a head found no free
	// VC on its output port; SwitchConflicts counts switch requests that
	// lost output arbitration.
	VCAllocStalls   uint64 `json:"vc_alloc_stalls"`
	SwitchConflicts uint64 `json:"switch_conflicts"`
	MaxQueueFlits   int    `json:"max_queue_flits"` // most flits ever held by one input port
	// Overflows counts flits offered to a full buffer and credits returned
	// beyond a buffer's depth; both are flow-control bugs, always 0.
	Overflows uint64 `json:"overflows"`
}

// PortCounters are the ops of one port of a VCRouter: of its output side
// (the link it drives) and of its input buffer.
type PortCounters struct {
	FlitsOut      uint64 `json:"flits_out"`
	CreditStalls  uint64 `json:"credit_stalls"`
	MaxQueueFlits int    `json:"max_queue_flits"` // input side: most flits held at once
}

// input VC states
// index masks of the fixed per-VC and per-port arrays
const (
	vcMask   = MaxInputVCs - 1
	portMask = MaxPorts - 1
)

const (
	vcIdle   uint8 = iota // no packet, no flit
	vcActive              // a packet holds the VC: its branches are in VC or switch allocation
	vcDrop                // a packet without route: discard its flits
)

// The hot state is kept in small pointer-free records rather than one
// array per field: a router touches a VC's fields, its front flit and its
// first branch together, and an output VC's credit, owner and allocator
// state together, so records keep each to one cache line. (Per-flit work
// here is bound by memory latency, not arithmetic.)

// flit is one buffer slot (16 bytes).
type flit struct {
	avail uint32 // low 32 bits of the cycle the flit can be used (see after)
	pkt   int32
	key   int32
	flags uint8
	hops  uint16 // head: switch traversals made in place since the driver last saw it
}

// after reports whether a flit available at avail is not yet usable at
// now. Flits are written at most a few hundred cycles ahead, so the low 32
// bits of the cycle compare safely across wrap-around.
func after(avail uint32, now int64) bool { return int32(avail-uint32(now)) > 0 }

// availAt is the cycle of a flit available at avail, for a flit written
// around now.
func availAt(avail uint32, now int64) int64 { return now + int64(int32(avail-uint32(now))) }

// branch is one output of the packet holding an input VC (one for
// unicast, several at a multicast fork); 16 bytes.
type branch struct {
	ready int64 // its next stage can start at this cycle
	off   int32 // flits it has sent that are still buffered (multicast)
	port  uint8
	vc    int8  // output VC, -1 until VC allocation
	ovc   uint8 // then the output VC's index in VCRouter.ovc
	done  uint8 // 1: its tail has gone
}

// inVC is the state of one input VC; 32 bytes.
type inVC struct {
	wake  int64  // nothing to do before this cycle
	head  uint16 // ring index of the front flit
	count uint16 // flits buffered
	state uint8
	nBr   uint8  // branches of the current packet
	saBr  uint8  // branch bidding for the switch this cycle
	vaPtr uint8  // VC allocator: next output VC to try
	b0    branch // the first branch (the only one of a unicast packet)
}

// outVC is the state of one output VC; 8 bytes.
type outVC struct {
	credit int32
	owner  int8  // input VC holding it, -1 none
	vaPtr  uint8 // VC allocator: next input VC to grant
	// the best VC allocation request of the cycle being stepped (input VC
	// | branch<<8), while the VC is in vaReqs
	vaBest uint16
}

// port is the state of one port, input and output side, and its wiring
// (Link, Upstream); one 64-byte cache line.
type port struct {
	flitsOut     uint64
	creditStalls uint64
	down         *VCRouter // where the output side forwards in place (Link), or nil
	downDelay    int32     // switch allocation → usable in down's buffer
	upTo         int32     // where the input side's credits go (Upstream): CreditEvent.To
	upDelay      int32     // switch allocation → credit usable upstream
	free         uint32    // output VCs no packet holds
	queue        int32     // flits held by the input side
	maxQueue     int32
	saInPtr      uint8 // switch allocator: next VC of this input port
	saOutPtr     uint8 // switch allocator: next input port for this output
	downPort     Port  // down's input port
	downVC0      uint8 // down's input VC (downPort, 0)
	upPort       Port  // CreditEvent.Port of the input side's credits
	upSet        bool  // Upstream was called
	_            [10]byte
}

// VCRouter is a cycle-accurate input-buffered virtual-channel router: per
// input port and VC a FIFO of flits, credit-based flow control per output
// VC, route computation (dimension-order XY, or a table, with multicast
// forks), separable round-robin VC and switch allocators (input first, one
// iteration, iSLIP pointer updates), and a configurable pipeline.
//
// It is a pure state machine with no notion of the network around it: the
// driver writes arriving flits with Accept, returns credits with Credit,
// and calls Step once per cycle, in cycle order, whenever the router is
// not Idle. Flits handed to it for a later cycle stay invisible until that
// cycle, so routers of one network can be stepped in any order within a
// cycle as long as every flit and credit is due at least a cycle later.
//
// A multicast fork (a route with several ports) gives the packet one branch
// per port; each branch gets its own output VC and sends every flit on its
// own, one flit per cycle from the input port; a flit's slot is freed when
// its last branch has sent it.
type VCRouter struct {
	// The state a Step or an Accept touches comes first and is packed
	// densely: at any load a network has more routers than the L1 cache
	// holds, so a router's state is mostly not cached when it is stepped,
	// and per flit the router is bound by how many cache lines it touches.
	busy uint64 // input VCs holding flits or a packet
	wake int64  // Step has nothing to do before this cycle
	// Every input VC is looked at in the cycles its wake falls on (and
	// any cycle it wakes early, by Accept or Credit). The due VCs are kept
	// on a timing wheel: ring[c mod ringSlots] holds the VCs due at cycle
	// c (occ marks the slots in use); VCs due ringSlots or more cycles
	// after base wait in far (the earliest at farMin); soon holds the VCs a
	// credit woke, due at the next Step. Step then visits just the due VCs
	// instead of every busy one.
	occ    uint64
	far    uint64
	farMin int64
	soon   uint64
	base   int64 // no cycle before it can still be stepped
	// Step handles the due VCs by stage: vaStage marks the unicast
	// packets waiting for VC allocation, slow the multicast forks and the
	// packets being dropped (the rest are unicast packets in switch
	// allocation).
	vaStage uint64
	slow    uint64
	ended   uint64 // VCs whose packet left in the cycle being stepped
	now     int64  // the cycle being stepped
	np      int    // ports
	nvc     int    // VCs per port
	nin     int    // input VCs = np·nvc
	depth   int
	divVC   uint   // (i·divVC)>>16 = i / nvc for i < MaxInputVCs
	buf     []flit // ring of input VC i: buf[i·ringLen : (i+1)·ringLen]
	fab     *Fabric
	id      int32
	// VC allocation of the cycle being stepped: the output VCs requested
	// (vaReqs), in the order of their first request (vaOrd[:vaN], the
	// order grants are made in); each keeps its best request in vaBest
	vaN        int32
	vaReqs     uint64
	routeC     int64 // RouteCycles
	vaC        int64 // VCAllocCycles
	ringLen    int   // depth rounded up to a power of two: ring positions wrap with a mask
	ringMask   int
	busyAt     int64 // start of the current busy period
	tableFirst int32
	table      []PortMask
	xy         []PortMask // routeXY of every node, on meshes of up to xyTableNodes nodes
	c          VCCounters
	vaOrd      [MaxInputVCs]uint8

	// Per-VC and per-port state lives in fixed arrays, indexed with a mask
	// (vcMask, portMask), so that the hot loops need no bounds checks.
	vcs   [MaxInputVCs]inVC  // per input VC i = port·nvc + vc
	ovc   [MaxInputVCs]outVC // per output VC j = port·nvc + vc
	ports [MaxPorts]port
	ring  [ringSlots]uint64

	br    []branch // further branches of input VC i: br[i·(np-1) : (i+1)·(np-1)]
	deps  []Departure
	spec  VCSpec
	place Placement
	nodes int32
	divLP uint64 // fast division by LocalPorts and Width (Lemire's fastdiv, 32-bit keys)
	divW  uint64
}

// NewVCRouter builds a router. spec must be valid; pl must have a positive
// mesh size and 1..MaxPorts-4 local ports, with ports × VCs ≤ MaxInputVCs.
// All output VCs start with BufferFlits credits (SetCredits changes that).
func NewVCRouter(spec VCSpec, pl Placement) (*VCRouter, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if pl.Width <= 0 || pl.Height <= 0 || pl.X < 0 || pl.X >= pl.Width || pl.Y < 0 || pl.Y >= pl.Height {
		return nil, fmt.Errorf("router: tile (%d, %d) is not on a %d×%d mesh", pl.X, pl.Y, pl.Width, pl.Height)
	}
	np := PortsFor(pl.LocalPorts)
	if pl.LocalPorts < 1 || np > MaxPorts {
		return nil, fmt.Errorf("router: local ports must be in 1..%d, got %d", MaxPorts-int(NumPorts)+1, pl.LocalPorts)
	}
	if np*spec.VCs > MaxInputVCs {
		return nil, fmt.Errorf("router: %d ports × %d VCs = %d input VCs, more than %d; use fewer VCs or local ports",
			np, spec.VCs, np*spec.VCs, MaxInputVCs)
	}
	nodes := int64(pl.Width) * int64(pl.Height) * int64(pl.LocalPorts)
	if nodes >= math.MaxInt32 {
		return nil, fmt.Errorf("router: %d nodes do not fit 31-bit route keys", nodes)
	}
	nin, d := np*spec.VCs, spec.BufferFlits
	rl := 1 << bits.Len(uint(d-1))
	r := &VCRouter{
		np: np, nvc: spec.VCs, nin: nin, depth: d,
		ringLen: rl, ringMask: rl - 1,
		buf:    make([]flit, nin*rl),
		br:     make([]branch, nin*(np-1)),
		deps:   make([]Departure, 0, np),
		routeC: int64(spec.RouteCycles),
		vaC:    int64(spec.VCAllocCycles),
		spec:   spec, place: pl, nodes: int32(nodes),
		divLP: math.MaxUint64/uint64(pl.LocalPorts) + 1,
		divW:  math.MaxUint64/uint64(pl.Width) + 1,
		divVC: (1<<16)/uint(spec.VCs) + 1,
	}
	if nodes <= xyTableNodes {
		r.xy = make([]PortMask, nodes)
		for k := range r.xy {
			r.xy[k] = r.routeXY(int32(k))
		}
	}
	r.Reset()
	return r, nil
}

// Reset empties the router, restores full credits and clears counters and
// allocator pointers. The routing table stays.
func (r *VCRouter) Reset() {
	r.vcs = [MaxInputVCs]inVC{}
	clear(r.br)
	for j := range r.ovc {
		r.ovc[j&vcMask] = outVC{credit: int32(r.depth), owner: -1}
	}
	for o := range r.ports {
		ps := &r.ports[o&portMask]
		ps.flitsOut, ps.creditStalls, ps.free, ps.queue, ps.maxQueue = 0, 0, 1<<r.nvc-1, 0, 0
		ps.saInPtr, ps.saOutPtr = 0, 0
	}
	r.vaN, r.vaReqs = 0, 0
	r.busy, r.wake, r.busyAt, r.now = 0, 0, 0, 0
	r.ring, r.occ, r.far, r.farMin, r.soon, r.base = [ringSlots]uint64{}, 0, 0, math.MaxInt64, 0, 0
	r.vaStage, r.slow = 0, 0
	r.deps = r.deps[:0]
	r.c = VCCounters{}
}

// Spec is the router's configuration.
func (r *VCRouter) Spec() VCSpec { return r.spec }

// Placement is where the router sits.
func (r *VCRouter) Placement() Placement { return r.place }

// NumPorts is the number of ports (4 mesh ports + local ports).
func (r *VCRouter) NumPorts() int { return r.np }

// SetCredits sets the credits of every VC of output port o (the depth of
// the downstream buffers; 0 for a port with no link).
func (r *VCRouter) SetCredits(o Port, credits int) {
	for w := 0; w < r.nvc; w++ {
		r.ovc[(int(o)*r.nvc+w)&vcMask].credit = int32(credits)
	}
}

// Credits returns the credits of output VC (o, vc).
func (r *VCRouter) Credits(o Port, vc int) int { return int(r.ovc[(int(o)*r.nvc+vc)&vcMask].credit) }

// OutVCHeld reports whether a packet holds output VC (o, vc).
func (r *VCRouter) OutVCHeld(o Port, vc int) bool { return r.ports[o&portMask].free&(1<<vc) == 0 }

// SetTable makes the router look route keys firstKey … firstKey+len(t)-1 up
// in t (a key's entry is its output ports; several ports fork the packet,
// none drops it). Other keys below the node count are routed XY; other keys
// have no route. The router keeps t (the caller may update entries in
// place between cycles).
func (r *VCRouter) SetTable(firstKey int32, t []PortMask) {
	r.tableFirst, r.table = firstKey, t
}

// Route is the route computation of a head flit with route key key.
func (r *VCRouter) Route(key int32) PortMask {
	// the common case small enough to inline into route computation: no
	// table, a mesh small enough for the XY table
	if uint32(key) < uint32(len(r.xy)) && r.table == nil {
		return r.xy[key]
	}
	return r.routeTable(key)
}

// routeTable is Route with a routing table, or beyond the XY table.
func (r *VCRouter) routeTable(key int32) PortMask {
	if idx := uint32(key - r.tableFirst); idx < uint32(len(r.table)) {
		return r.table[idx]
	}
	if uint32(key) < uint32(len(r.xy)) {
		return r.xy[key]
	}
	return r.routeXY(key)
}

// xyTableNodes is the largest mesh (in nodes) whose routers keep their
// dimension-order routes in a table rather than computing them per head.
const xyTableNodes = 4096

// routeXY is the dimension-order route of key.
func (r *VCRouter) routeXY(key int32) PortMask {
	if key < 0 || key >= r.nodes {
		return 0
	}
	tile, l := uint64(key), uint64(0)
	if lp := uint64(r.place.LocalPorts); lp > 1 {
		tile, _ = bits.Mul64(r.divLP, uint64(key))
		l = uint64(key) - tile*lp
	}
	tx, ty := uint64(0), tile
	if w := uint64(r.place.Width); w > 1 {
		ty, _ = bits.Mul64(r.divW, tile)
		tx = tile - ty*w
	}
	p := RouteXY(r.place.X, r.place.Y, int(tx), int(ty))
	if p == Local {
		p = LocalPort(int(l))
	}
	return 1 << p
}

// CanAccept reports whether input VC (p, vc) has a free slot. With credit
// flow control the upstream side knows that already; this is for tests and
// checks.
func (r *VCRouter) CanAccept(p Port, vc int) bool {
	return int(r.vcs[(int(p)*r.nvc+vc)&vcMask].count) < r.depth
}

// Accept writes a flit into input VC (p, vc); it can be used from cycle
// availCycle on, which must be later than the cycle last stepped (and not
// more than 2³¹ cycles later). The upstream side must hold a credit for
// the slot: a flit offered to a full buffer is refused (false) and counted
// as an overflow.
func (r *VCRouter) Accept(p Port, vc int, packet, key int32, flags uint8, availCycle int64) bool {
	if int(p) >= r.np || vc < 0 || vc >= r.nvc {
		return false
	}
	return r.accept(p, int(p)*r.nvc+vc, &flit{pkt: packet, key: key, flags: flags}, availCycle)
}

// accept is Accept of a copy of flit f into input VC i of port p (its
// avail is set here).
func (r *VCRouter) accept(p Port, i int, f *flit, availCycle int64) bool {
	i &= vcMask
	v := &r.vcs[i]
	n := int(v.count)
	if n >= r.depth {
		r.c.Overflows++
		return false
	}
	d := &r.buf[i*r.ringLen+(int(v.head)+n)&r.ringMask]
	*d = *f
	d.avail = uint32(availCycle)
	v.count = uint16(n + 1)
	if r.busy == 0 {
		r.busyAt = availCycle
		if r.fab != nil {
			r.fab.Active = append(r.fab.Active, r.id)
		}
	}
	r.busy |= 1 << i
	r.wake = min(r.wake, availCycle)
	if r.fab != nil {
		r.base = r.fab.Now
	}
	r.c.FlitsIn++
	ps := &r.ports[p&portMask]
	ps.queue++
	if ps.queue > ps.maxQueue {
		ps.maxQueue = ps.queue
		r.c.MaxQueueFlits = max(r.c.MaxQueueFlits, int(ps.queue))
	}
	if n == 0 && v.state == vcIdle {
		r.routeHead(i, v, f.key, availCycle)
	} else if availCycle < v.wake {
		r.wakeAt(i, availCycle)
	}
	return true
}

// Credit returns one credit to output VC (o, vc): a slot of the downstream
// buffer is free again.
func (r *VCRouter) Credit(o Port, vc int) {
	ov := &r.ovc[(int(o)*r.nvc+vc)&vcMask]
	if ov.credit >= int32(r.depth) {
		r.c.Overflows++
	}
	ov.credit++
	// The input VC holding the output VC, if any, is looked at in the next
	// Step. Without a branch: whether a packet still holds it is close to
	// random. keep is all ones when none does, and the writes then change
	// nothing.
	i := int(ov.owner)
	keep := int64(i) >> 63
	r.vcs[i&vcMask].wake &= keep
	r.soon |= 1 << (uint(i) & vcMask) &^ uint64(keep)
	r.wake &= keep
}

// routeHead is the route computation of the head (route key key) at the
// front of idle input VC i (v), which it can start at cycle at: its
// branches can start VC allocation at at+RouteCycles. (Route computation
// never contends, so it is done as soon as the head reaches the front,
// for the cycle it would happen in.) A head without route turns the VC to
// dropping.
func (r *VCRouter) routeHead(i int, v *inVC, key int32, at int64) {
	r.c.HeadsRouted++
	mask := r.Route(key)
	bit := uint64(1) << (uint(i) & vcMask)
	if mask&(mask-1) == 0 && mask != 0 {
		// unicast
		ready := at + r.routeC
		v.b0 = branch{ready: ready, port: uint8(bits.TrailingZeros32(uint32(mask))), vc: -1}
		v.nBr, v.state, v.saBr = 1, vcActive, 0
		r.vaStage |= bit
		r.wakeAt(i, ready)
		return
	}
	if mask == 0 {
		v.state = vcDrop
		r.slow |= bit
		r.wakeAt(i, at)
		return
	}
	ready := at + r.routeC
	mm := uint32(mask)
	v.b0 = branch{ready: ready, port: uint8(bits.TrailingZeros32(mm)), vc: -1}
	nb := 1
	for mm &= mm - 1; mm != 0; mm &= mm - 1 {
		r.br[i*(r.np-1)+nb-1] = branch{ready: ready, port: uint8(bits.TrailingZeros32(mm)), vc: -1}
		nb++
	}
	v.nBr = uint8(nb)
	v.state = vcActive
	r.slow |= bit // a fork (a unicast packet took the path above)
	r.wakeAt(i, ready)
}

// ringSlots is the span of the router's timing wheel of due VCs, in cycles.
const ringSlots = 64

// wakeAt makes input VC i due at cycle t (≥ r.base).
func (r *VCRouter) wakeAt(i int, t int64) {
	r.vcs[i&vcMask].wake = t
	if t-r.base < ringSlots {
		s := uint(t) & (ringSlots - 1)
		r.ring[s] |= 1 << (uint(i) & vcMask)
		r.occ |= 1 << s
		return
	}
	if t == math.MaxInt64 {
		return
	}
	r.far |= 1 << (uint(i) & vcMask)
	r.farMin = min(r.farMin, t)
}

// pullFar moves the far VCs due within the wheel's span of now onto it.
func (r *VCRouter) pullFar(now int64) {
	far := r.far & r.busy
	r.far, r.farMin = 0, math.MaxInt64
	for ; far != 0; far &= far - 1 {
		i := bits.TrailingZeros64(far)
		r.wakeAt(i, max(r.vcs[i&vcMask].wake, now))
	}
}

// nextWake is the earliest cycle after now that a VC is due.
func (r *VCRouter) nextWake(now int64) int64 {
	w := r.farMin
	if r.soon != 0 {
		return now + 1
	}
	if o := r.occ; o != 0 {
		k := int(uint(now+1) & (ringSlots - 1))
		w = min(w, now+1+int64(bits.TrailingZeros64(bits.RotateLeft64(o, -k))))
	}
	return w
}

// clearRing forgets every due VC (the router is idle).
func (r *VCRouter) clearRing() {
	for o := r.occ; o != 0; o &= o - 1 {
		r.ring[bits.TrailingZeros64(o)&(ringSlots-1)] = 0
	}
	r.occ, r.far, r.farMin, r.soon = 0, 0, math.MaxInt64, 0
}

// Buffered is the number of flits in the router's input buffers.
func (r *VCRouter) Buffered() int {
	n := 0
	for i := range r.vcs {
		n += int(r.vcs[i&vcMask].count)
	}
	return n
}

// Wake is the earliest cycle Step can have anything to do (meaningless
// while Idle).
func (r *VCRouter) Wake() int64 { return r.wake }

// Idle reports whether the router holds no flit and no packet.
func (r *VCRouter) Idle() bool { return r.busy == 0 }

// Counters returns the router's ops so far.
func (r *VCRouter) Counters() VCCounters {
	c := r.c
	for p := range r.ports {
		f := r.ports[p&portMask].flitsOut
		c.FlitsOut += f
		switch Port(p) {
		case East, West:
			c.HopsEW += f
		case North, South:
			c.HopsNS += f
		default:
			c.Ejected += f
		}
	}
	return c
}

// PortCounters returns the ops of port p.
func (r *VCRouter) PortCounters(p Port) PortCounters {
	ps := &r.ports[p&portMask]
	return PortCounters{FlitsOut: ps.flitsOut, CreditStalls: ps.creditStalls, MaxQueueFlits: int(ps.maxQueue)}
}

// Step runs one cycle: VC allocation, then switch allocation, each on the
// state the earlier cycles left (route computation happened when each head
// reached the front of its VC; a VC granted in this cycle's VC allocation
// bids for the switch VCAllocCycles later; a VC a tail releases in this
// cycle is allocatable from the next). It returns the flits that left
// their input buffers; the slice is reused by the next Step.
//
// A router remembers the earliest cycle anything can happen in it (a flit
// arriving, a stage ending, a credit coming back) and returns at once
// before that cycle, so stepping a waiting router is cheap; in a cycle it
// looks only at the input VCs due in it (its timing wheel), taking them by
// stage. Under load the cost of a cycle is mostly branch mispredictions —
// which VC is in which stage is close to random — so the hot paths keep
// their data-dependent decisions few: one loop per stage rather than a
// test per VC, and branch-free updates where the outcome is random.
func (r *VCRouter) Step(now int64) []Departure {
	r.deps = r.deps[:0]
	if r.busy == 0 || now < r.wake {
		return r.deps
	}
	r.now, r.base = now, now
	if r.far != 0 && r.farMin < now+ringSlots {
		r.pullFar(now)
	}
	const never = math.MaxInt64
	slot := uint(now) & (ringSlots - 1)
	due := (r.ring[slot] | r.soon) & r.busy
	r.ring[slot], r.soon = 0, 0
	r.occ &^= 1 << slot
	var elig, vaReq, drop uint64
	vcs := &r.vcs
	// multicast forks and drops (first: their branches' VC allocation
	// requests come before those of unicast packets, which decides the
	// order of the grants and so the forks' allocator pointers)
	for m := due & r.slow; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		v := &vcs[i&vcMask]
		if v.wake > now {
			continue
		}
		if v.state == vcDrop {
			drop |= 1 << i
			continue
		}
		if best, nx := r.bidFork(i, v, now); best >= 0 {
			elig |= 1 << i
			v.saBr = uint8(best)
			v.wake = now + 1
		} else {
			r.wakeAt(i, nx)
		}
	}
	// unicast heads waiting for VC allocation request one, every cycle
	// until granted
	for m := due & r.vaStage; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		v := &vcs[i&vcMask]
		if v.wake > now {
			continue // woken early, then rescheduled
		}
		if v.b0.ready > now {
			r.wakeAt(i, v.b0.ready)
			continue
		}
		vaReq |= 1 << i
		v.wake = now + 1
		r.vcRequest(i, 0, int(v.b0.port))
	}
	// unicast packets with an output VC bid for the switch
	for m := due &^ (r.vaStage | r.slow); m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		v := &vcs[i&vcMask]
		if v.wake > now {
			continue
		}
		bp := &v.b0
		var next int64
		// (a unicast packet whose tail has gone is no longer in this
		// stage: endPacket)
		switch {
		case bp.ready > now:
			next = bp.ready
		case v.count == 0:
			next = never // no flit to send yet: Accept wakes us
		default:
			if a := r.buf[i*r.ringLen+int(v.head)].avail; after(a, now) {
				next = availAt(a, now)
			} else if r.ovc[bp.ovc&vcMask].credit <= 0 {
				r.c.CreditStalls++ // Credit wakes us
				r.ports[bp.port&portMask].creditStalls++
				next = never
			} else {
				elig |= 1 << i
				v.wake = now + 1
				continue
			}
		}
		r.wakeAt(i, next)
	}
	r.vcGrant(now) // (no test for requests first: whether there are any is close to random)
	if drop != 0 {
		r.dropStage(drop, now)
	}
	if elig != 0 {
		r.switchAlloc(elig)
	}
	// The VCs that requested a VC or bid for the switch are due in the
	// next cycle (their wake is set), unless their packet left. Booked
	// here at once, without a branch: whether there are any is close to
	// random.
	next := (vaReq | elig) &^ r.ended
	r.ended = 0
	s := uint(now+1) & (ringSlots - 1)
	r.ring[s] |= next
	r.occ |= (next | -next) >> 63 << s
	if r.busy == 0 {
		r.clearRing()
	}
	r.wake = r.nextWake(now)
	return r.deps
}

// bid looks at branch b (bp) of input VC i (v) in cycle now: a branch
// waiting for a VC requests one; a branch with a VC whose next flit has
// arrived and has a credit bids for the switch (ok). It returns the next
// cycle the branch needs a look: now+1 after a request or a bid, else the
// cycle its stage or flit is due, or never (Accept or Credit will wake the
// VC).
func (r *VCRouter) bid(i int, v *inVC, bp *branch, b int, now int64) (next int64, ok bool) {
	if bp.ready > now {
		return bp.ready, false
	}
	if bp.vc < 0 {
		r.vcRequest(i, b, int(bp.port))
		return now + 1, false
	}
	if bp.done != 0 || bp.off >= int32(v.count) {
		return math.MaxInt64, false // no flit to send yet: Accept wakes us
	}
	if a := r.buf[i*r.ringLen+(int(v.head)+int(bp.off))&r.ringMask].avail; after(a, now) {
		return availAt(a, now), false
	}
	if r.ovc[bp.ovc&vcMask].credit <= 0 {
		r.c.CreditStalls++ // Credit wakes us
		r.ports[bp.port&portMask].creditStalls++
		return math.MaxInt64, false
	}
	return now + 1, true
}

// bidFork is bid for a multicast packet: every branch requests or bids;
// the one furthest behind of those that can send bids for the switch
// (best, or -1).
func (r *VCRouter) bidFork(i int, v *inVC, now int64) (best int, next int64) {
	best, next = -1, math.MaxInt64
	var bestOff int32
	for b := 0; b < int(v.nBr); b++ {
		bp := r.branch(i, b)
		nx, ok := r.bid(i, v, bp, b, now)
		if ok && (best < 0 || bp.off < bestOff) {
			best, bestOff = b, bp.off
		}
		next = min(next, nx)
	}
	return best, next
}

// branch returns branch b of input VC i.
func (r *VCRouter) branch(i, b int) *branch {
	if b == 0 {
		return &r.vcs[i&vcMask].b0
	}
	return &r.br[i*(r.np-1)+b-1]
}

// vcRequest is stage one of the separable input-first VC allocator: branch
// b of input VC i, for output port o, picks one free VC of o, round robin
// from the input VC's pointer; stage two (vcGrant) keeps, per output VC,
// the request nearest the output VC's own pointer.
func (r *VCRouter) vcRequest(i, b, o int) {
	free := r.ports[o&portMask].free
	if free == 0 {
		r.c.VCAllocStalls++
		return
	}
	w := rrPick(free, int(r.vcs[i&vcMask].vaPtr), r.nvc) // a branch on one free VC or more would be unpredictable
	oi := (o*r.nvc + w) & vcMask
	ov := &r.ovc[oi]
	req := uint16(i) | uint16(b)<<8
	if r.vaReqs&(1<<oi) == 0 {
		r.vaReqs |= 1 << oi
		ov.vaBest = req
		r.vaOrd[r.vaN&vcMask] = uint8(oi)
		r.vaN++
		return
	}
	ptr := int(ov.vaPtr)
	if rrDist(i, ptr, r.nin) < rrDist(int(ov.vaBest&0xFF), ptr, r.nin) {
		ov.vaBest = req
	}
}

// vcGrant is stage two of the VC allocator: every requested output VC goes
// to its best request; pointers move past a grant only (iSLIP). The winner
// bids for the switch VCAllocCycles later.
func (r *VCRouter) vcGrant(now int64) {
	nvc, nin := r.nvc, r.nin
	ready := now + r.vaC
	r.vaReqs = 0
	for k := 0; k < int(r.vaN); k++ {
		oi := int(r.vaOrd[k&vcMask]) & vcMask
		ov := &r.ovc[oi]
		req := ov.vaBest
		i, b := int(req)&vcMask, int(req>>8)
		v := &r.vcs[i]
		bp := &v.b0
		if b != 0 {
			bp = &r.br[i*(r.np-1)+b-1]
		}
		o := int(bp.port)
		w := oi - o*nvc
		r.vaStage &^= 1 << (uint(i) & vcMask)
		bp.vc, bp.ovc = int8(w), uint8(oi)
		bp.ready = ready
		r.ports[o&portMask].free &^= 1 << (uint(w) & 31)
		ov.owner = int8(i)
		ov.vaPtr = uint8(inc(i, nin))
		v.vaPtr = uint8(inc(w, nvc))
	}
	r.vaN = 0
}

// switchAlloc is a separable input-first switch allocator, one iteration
// (iSLIP): every input port picks one of its bidding VCs (elig), round
// robin, then every output port grants one of the input ports that picked
// it, round robin; pointers move past a grant only. Winners leave their
// input buffers.
func (r *VCRouter) switchAlloc(elig uint64) {
	nvc := r.nvc
	if elig&(elig-1) == 0 {
		// one bidder wins its input and its output: only the pointers move
		i := bits.TrailingZeros64(elig) & vcMask
		p := r.portOf(i)
		b := int(r.vcs[i].saBr)
		o := int(r.branch(i, b).port)
		r.ports[o&portMask].saOutPtr = uint8(inc(p, r.np))
		r.ports[p&portMask].saInPtr = uint8(inc(i-p*nvc, nvc))
		if v := &r.vcs[i]; v.nBr == 1 {
			r.sendUnicast(i, p, v)
			return
		}
		r.send(i, p, b)
		return
	}
	vmask := uint64(1)<<nvc - 1
	var outReq [MaxPorts]uint32
	var inChoice [MaxPorts]uint8
	var outs uint32
	for e := elig; e != 0; {
		p := r.portOf(bits.TrailingZeros64(e))
		first := uint(p*nvc) & vcMask // p's first input VC
		vb := uint32(elig >> first & vmask)
		e &^= vmask << first
		var v int
		if vb&(vb-1) == 0 {
			v = bits.TrailingZeros32(vb)
		} else {
			v = rrPick(vb, int(r.ports[p&portMask].saInPtr), nvc)
		}
		i := p*nvc + v
		o := r.branch(i, int(r.vcs[i&vcMask].saBr)).port
		outReq[o] |= 1 << p
		outs |= 1 << o
		inChoice[p] = uint8(v)
	}
	for ; outs != 0; outs &= outs - 1 {
		o := bits.TrailingZeros32(outs)
		req := outReq[o]
		var p int
		if req&(req-1) == 0 {
			p = bits.TrailingZeros32(req)
		} else {
			p = rrPick(req, int(r.ports[o&portMask].saOutPtr), r.np)
			r.c.SwitchConflicts += uint64(bits.OnesCount32(req) - 1)
		}
		v := int(inChoice[p])
		r.ports[o&portMask].saOutPtr = uint8(inc(p, r.np))
		r.ports[p&portMask].saInPtr = uint8(inc(v, nvc))
		i := p*nvc + v
		r.send(i, p, int(r.vcs[i&vcMask].saBr))
	}
}

// send moves the next flit of branch b of input VC i (of input port p)
// through the switch. A unicast flit for a linked neighbour goes straight
// into its buffer (sendUnicast); anything else becomes a Departure for the
// driver.
func (r *VCRouter) send(i, p, b int) {
	i &= vcMask
	v := &r.vcs[i]
	if v.nBr == 1 {
		r.sendUnicast(i, p, v)
		return
	}
	bp := r.branch(i, b)
	o, w := Port(bp.port), int(bp.vc)
	s := i*r.ringLen + (int(v.head)+int(bp.off))&r.ringMask
	f := r.buf[s]
	r.traverse(bp, f.flags)
	// A multicast fork: every branch sends the flit; its slot is freed
	// when the last one has. The hops the packet made in place before the
	// fork are the driver's to count once, with the first branch to send.
	r.buf[s].hops = 0
	f.flags |= FlagForked
	bp.off++
	brs := r.br[i*(r.np-1) : i*(r.np-1)+int(v.nBr)-1]
	low := v.b0.off
	for bb := range brs {
		low = min(low, brs[bb].off)
	}
	freed := low > 0
	if freed {
		v.b0.off--
		for bb := range brs {
			brs[bb].off--
		}
		r.pop(i, p)
		r.freeSlot(i, p)
	}
	r.deps = append(r.deps, Departure{
		Packet: f.pkt, Key: f.key, Flags: f.flags, Hops: f.hops,
		InPort: Port(p), InVC: uint8(i - p*r.nvc), OutPort: o, OutVC: uint8(w), Freed: freed,
	})
}

// pop removes the front flit of input VC i (of input port p); a tail ends
// the VC's packet, and the head behind it (if any) is routed from the next
// cycle.
func (r *VCRouter) pop(i, p int) {
	i &= vcMask
	v := &r.vcs[i]
	tail := r.buf[i*r.ringLen+int(v.head)].flags&FlagTail != 0
	if n := r.popFront(i, p, v); tail {
		r.endPacket(i, v, n)
	}
}

// popFront removes the front flit of input VC i (v, of input port p) and
// returns the number of flits left; when it was a tail, the caller ends
// the packet (endPacket). (Small enough to inline: most flits are not
// tails.)
func (r *VCRouter) popFront(i, p int, v *inVC) uint16 {
	h := (int(v.head) + 1) & r.ringMask
	n := v.count - 1
	v.count = n
	// An empty ring restarts at slot 0, so that a lightly loaded VC keeps
	// to its first cache line (without a branch: whether the VC is now
	// empty is close to random).
	h &= -int((uint32(n) + 0xFFFF) >> 16)
	v.head = uint16(h)
	r.ports[p&portMask].queue--
	return n
}

// endPacket ends the packet of input VC i (v), whose tail has just left n
// flits behind: the head among them, if any, is routed from the next
// cycle.
func (r *VCRouter) endPacket(i int, v *inVC, n uint16) {
	v.state = vcIdle
	bit := uint64(1) << (uint(i) & vcMask)
	r.slow &^= bit
	// The VC bid in this cycle, which would make it due in the next one;
	// its packet is gone, so that look would be void (routeHead below
	// makes its own).
	r.ended |= bit
	if n > 0 {
		f := &r.buf[i*r.ringLen+int(v.head)]
		r.routeHead(i, v, f.key, max(r.now+1, availAt(f.avail, r.now)))
		return
	}
	r.busy &^= bit
	if r.busy == 0 {
		r.c.BusyCycles += uint64(r.now + 1 - r.busyAt)
	}
}

// traverse books a flit of branch bp crossing the switch: it takes a
// credit of the branch's output VC, and a tail releases that VC.
func (r *VCRouter) traverse(bp *branch, flags uint8) {
	o, w := int(bp.port)&portMask, int(bp.vc)
	ov := &r.ovc[bp.ovc&vcMask]
	ov.credit--
	ps := &r.ports[o]
	ps.flitsOut++ // Counters sums these into FlitsOut, HopsEW, HopsNS, Ejected
	// a tail releases the VC (without a branch: one flit in packet-size is
	// a tail)
	tail := flags & FlagTail >> 1
	bp.done |= tail
	ps.free |= uint32(tail) << (uint(w) & 31)
	ov.owner |= -int8(tail)
}

// sendUnicast is send for the only branch of input VC i (v, of input port
// p): its front flit goes through the switch.
func (r *VCRouter) sendUnicast(i, p int, v *inVC) {
	bp := &v.b0
	o, w := int(bp.port)&portMask, int(bp.vc)
	f := r.buf[i*r.ringLen+int(v.head)] // a unicast branch has sent nothing still buffered
	r.traverse(bp, f.flags)
	r.freeSlot(i, p)
	if n := r.popFront(i, p, v); f.flags&FlagTail != 0 {
		r.endPacket(i, v, n)
	}
	if dl := &r.ports[o]; dl.down != nil && f.flags&FlagForked == 0 {
		f.hops += uint16(f.flags & FlagHead) // a head counts its hops
		at := r.now + int64(dl.downDelay)
		fab := r.fab
		fab.FlitHops++
		fab.Progress = r.now
		dl.down.accept(dl.downPort, int(dl.downVC0)+w, &f, at)
		if fab.OnHop != nil && f.flags&FlagHead != 0 {
			fab.OnHop(f.pkt, r.id, Port(o), r.now, at)
		}
		return
	}
	r.deps = append(r.deps, Departure{
		Packet: f.pkt, Key: f.key, Flags: f.flags, Hops: f.hops,
		InPort: Port(p), InVC: uint8(i - p*r.nvc), OutPort: Port(o), OutVC: uint8(w), Freed: true,
	})
}

// dropStage discards the front flit of every dropping VC due (drop) if it
// has arrived.
func (r *VCRouter) dropStage(drop uint64, now int64) {
	for m := drop; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		v := &r.vcs[i&vcMask]
		if v.count == 0 {
			v.wake = math.MaxInt64 // Accept wakes it
			continue
		}
		f := r.buf[i*r.ringLen+int(v.head)]
		if after(f.avail, now) {
			r.wakeAt(i, availAt(f.avail, now))
			continue
		}
		ip, iv := r.portVC(i)
		r.freeSlot(i, ip)
		r.deps = append(r.deps, Departure{
			Packet: f.pkt, Key: f.key, Flags: f.flags, Hops: f.hops,
			InPort: Port(ip), InVC: uint8(iv), OutPort: NoPort, Freed: true,
		})
		r.c.Dropped++
		r.pop(i, ip)
		if v.state == vcDrop {
			r.wakeAt(i, now+1)
		}
	}
}

// rrPick returns the first set bit of set (n bits wide) at or after ptr,
// wrapping around: a round-robin arbiter. set must not be 0.
func rrPick(set uint32, ptr, n int) int {
	rot := set>>(uint(ptr)&31) | set<<(uint(n-ptr)&31) // n ≤ 16
	rot &= 1<<(uint(n)&31) - 1
	j := bits.TrailingZeros32(rot) + ptr
	if j >= n {
		j -= n
	}
	return j
}

// portOf is the port of input (or output) VC i.
func (r *VCRouter) portOf(i int) int { return int((uint(i) & vcMask * r.divVC) >> 16) }

// portVC splits input (or output) VC i into its port and VC.
func (r *VCRouter) portVC(i int) (p, vc int) {
	p = r.portOf(i)
	return p, i - p*r.nvc
}

// inc is x+1 on a ring of n.
func inc(x, n int) int {
	x++
	if x == n {
		x = 0
	}
	return x
}

// rrDist is how far i is after ptr on a ring of n: the round-robin priority
// (0 = highest).
func rrDist(i, ptr, n int) int {
	d := i - ptr
	if d < 0 {
		d += n
	}
	return d
}
