package mesh

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/tessera-sim/tessera/router"
)

// ErrDeadlock is wrapped by the error Advance returns when the watchdog
// fires: flits are inside the network and none has moved for
// NetSpec.WatchdogCycles cycles.
var ErrDeadlock = errors.New("mesh: network made no progress (deadlock)")

// ErrNoRoute is wrapped by the error Inject returns for a destination that
// does not exist; the packet is booked as injected and dropped.
var ErrNoRoute = errors.New("mesh: no route to destination")

// Delivery reports one packet reaching a node (its tail flit arrived), or
// one copy of it dropped for want of a route (Dropped; Node is then the
// node of the router that dropped it). A multicast packet is reported once
// per destination.
type Delivery struct {
	ID             uint64 // the caller's packet id
	Src, Node      int32
	SizeFlits      int32
	CreatedCycle   int64 // the cycle given to Inject
	EnteredCycle   int64 // the cycle its head left the source queue
	DeliveredCycle int64 // the cycle its tail reached Node
	// Hops is the number of routers the packet's head passed so far (for a
	// unicast packet: Manhattan distance + 1; for a multicast packet the
	// routers of the whole tree reached so far).
	Hops    int32
	Dropped bool
}

// NetStats are the packet and flit books of a Network.
type NetStats struct {
	Cycle         int64  `json:"cycle"`
	Injected      uint64 `json:"injected"`   // packets handed to Inject
	Delivered     uint64 `json:"delivered"`  // packets every copy of which was delivered
	Dropped       uint64 `json:"dropped"`    // packets at least one copy of which was dropped
	InFlight      uint64 `json:"in_flight"`  // packets in source queues or the network
	Deliveries    uint64 `json:"deliveries"` // copies delivered (= Delivered without multicast)
	Entered       uint64 `json:"entered"`    // packets whose head left the source queue
	FlitsInjected uint64 `json:"flits_injected"`
	FlitsEjected  uint64 `json:"flits_ejected"`
	FlitHops      uint64 `json:"flit_hops"` // switch traversals, summed over routers
}

// LinkCounters are the ops of the link driven by one output port of a
// router (a router-to-router link or the ejection channel to a node).
type LinkCounters struct {
	Flits         uint64 `json:"flits"`           // flits sent (= busy cycles: one flit per cycle)
	CreditStalls  uint64 `json:"credit_stalls"`   // (VC, cycle) pairs a flit waited for a credit
	MaxQueueFlits int    `json:"max_queue_flits"` // most flits held by the input port at the far end
	LatencyCycles int    `json:"latency_cycles"`
	EnergyFJ      uint64 `json:"energy_fj"`
}

// NodeCounters are the ops of one node's network interface.
type NodeCounters struct {
	PacketsInjected  uint64 `json:"packets_injected"`
	FlitsInjected    uint64 `json:"flits_injected"`
	FlitsEjected     uint64 `json:"flits_ejected"`
	PacketsDelivered uint64 `json:"packets_delivered"`
	MaxSourceQueue   int    `json:"max_source_queue"` // packets, including the one being sent
}

// link is the wiring of one port of a router: where its output goes and
// where the credits of its input go.
type link struct {
	downR       int32 // output → downstream router, -1 none (local ports: -1 too)
	upTo        int32 // input → credit receiver (router, or -1-node)
	flitDelay   int32 // output → cycles from switch allocation to arrival
	creditDelay int32 // input → cycles from switch allocation to credit arrival
	downP       uint8 // → the downstream router's input port
	upPort      uint8 // → the upstream router's output port
	chip        bool  // a chip-to-chip link (boards)
}

// netIface is the network interface of one node: its source queue and
// the packet it is sending.
type netIface struct {
	q      []queued // source queue ring, its length a power of two
	qHead  int32
	qLen   int32
	cur    int32 // packet being sent, -1 none
	key    int32 // its route key
	size   int32 // its flits
	sent   int32 // its flits sent
	vc     uint8 // the VC it goes on
	lastVC uint8 // the VC the previous packet took
	port   uint8 // the node's local port at its router
	tile   int32
	credit []int32 // per VC of the router's local input port (in Network.niCredit)
	// wake is the cycle a node with packets next needs a step; seq the
	// order it became busy in; last the last cycle it handed its router a
	// flit (see stepNIs).
	wake int64
	seq  int64
	last int64
	c    NodeCounters
}

// queued is a packet in a source queue, with its creation cycle (when
// the packet ahead of it is gone, the node needs a step then).
type queued struct {
	pkt    int32
	create int64
}

// packet is a packet from Inject until its last copy is delivered or
// dropped.
type packet struct {
	id     uint64
	create int64 // the cycle given to Inject
	enter  int64 // the cycle its head left the source queue, -1 before
	src    int32
	key    int32
	size   int32
	hops   int32
	pend   int32 // copies on their way (once it entered the network)
	drop   bool  // a copy was dropped
}

type arrival struct {
	cycle int64
	pkt   int32
	node  int32
	vc    uint8
	flags uint8
}

// Network is a cycle-accurate mesh of input-buffered VC routers with
// credit flow control, driven cycle by cycle by Advance. See the package
// documentation for how to drive it.
type Network struct {
	spec    NetSpec
	np      int // ports per router
	nvc     int
	lp      int
	nodes   int
	routers []*router.VCRouter
	tables  []router.PortMask
	tabLen  int

	links []link // per (router, port): r·np + p

	now          int64
	arr          []arrival // ring, its length a power of two
	arrHead      int
	arrLen       int
	flitsInNet   int64
	lastProgress int64

	ni       []netIface // per node
	niCredit []int32    // node·nvc + vc

	// A node with packets to send waits on a timing wheel for the cycle it
	// next needs a step (netIface.wake): one slot per cycle for the next
	// niSlots cycles, a list beyond (niFar, the earliest of it niFarMin).
	niRing   [niSlots][]int32
	niOcc    uint64 // slots with nodes
	niFar    []int32
	niFarMin int64
	niBusied int64 // nodes that became busy so far
	// niDone is the first cycle whose interfaces have not been stepped yet:
	// a node a callback makes busy while the routers step is due in the
	// next cycle at the earliest.
	niDone int64
	// fab is shared with the routers, which forward unicast flits to each
	// other in place; fab.Active lists the routers with flits.
	fab router.Fabric

	pkts []packet // by handle; the free ones are listed in free
	free []int32

	onDeliver  func(Delivery)
	onHop      func(Hop)
	held       []Delivery
	st         NetStats
	completed  uint64
	violations uint64
	lastErr    error
}

// NewNetwork builds the network of spec, which is validated.
func NewNetwork(spec NetSpec) (*Network, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("mesh: %w", err)
	}
	tiles := spec.Tiles()
	n := &Network{
		spec: spec, np: router.PortsFor(spec.LocalPorts), nvc: spec.Router.VCs, lp: spec.LocalPorts,
		nodes: spec.Nodes(), routers: make([]*router.VCRouter, tiles),
	}
	if spec.Routing == RoutingTable {
		n.tabLen = n.nodes + spec.MulticastGroups
	} else {
		n.tabLen = spec.MulticastGroups
	}
	if n.tabLen > 0 {
		n.tables = make([]router.PortMask, tiles*n.tabLen)
	}
	for t := 0; t < tiles; t++ {
		r, err := router.NewVCRouter(spec.Router, router.Placement{
			X: t % spec.Width, Y: t / spec.Width, Width: spec.Width, Height: spec.Height, LocalPorts: spec.LocalPorts,
		})
		if err != nil {
			return nil, fmt.Errorf("mesh: tile %d: %w", t, err)
		}
		n.routers[t] = r
		r.Wire(&n.fab, int32(t))
		if n.tabLen > 0 {
			tab := n.tables[t*n.tabLen : (t+1)*n.tabLen]
			first := int32(n.nodes)
			if spec.Routing == RoutingTable {
				first = 0
				for key := range n.nodes {
					tab[key] = r.Route(int32(key)) // XY until told otherwise
				}
			}
			r.SetTable(first, tab)
		}
	}
	n.wire()
	n.alloc()
	n.Reset()
	return n, nil
}

// wire lays out links and their delays.
func (n *Network) wire() {
	s, np := n.spec, n.np
	rs := s.Router
	m := len(n.routers) * np
	n.links = make([]link, m)
	opposite := [...]router.Port{router.East: router.West, router.West: router.East, router.North: router.South, router.South: router.North}
	base := int32(rs.SwitchAllocCycles + rs.SwitchCycles)
	credit := int32(rs.SwitchAllocCycles + rs.CreditCycles)
	nsExtra := int32(s.linkNS() - rs.LinkCycles)
	for t := range n.routers {
		x, y := t%s.Width, t/s.Width
		for p := 0; p < np; p++ {
			l := &n.links[t*np+p]
			port := router.Port(p)
			if li := router.LocalIndex(port); li >= 0 {
				node := int32(t*n.lp + li)
				l.downR = -1
				l.flitDelay = base + int32(s.EjectCycles)
				l.upTo, l.upPort = -1-node, 0
				l.creditDelay = credit
				continue
			}
			nx, ny := router.Step(x, y, port)
			if nx < 0 || ny < 0 || nx >= s.Width || ny >= s.Height {
				l.downR, l.upTo = -1, math.MinInt32
				continue
			}
			nt := int32(nx + ny*s.Width)
			l.downR, l.downP = nt, uint8(opposite[port])
			l.upTo, l.upPort = nt, uint8(opposite[port])
			l.flitDelay = base + int32(rs.LinkCycles)
			l.creditDelay = credit
			if port == router.North || port == router.South {
				l.flitDelay += nsExtra
				l.creditDelay += nsExtra
			}
			if s.crossesChip(x, y, port) {
				l.chip = true
				l.flitDelay = base + int32(s.ChipLinkCycles)
				l.creditDelay = credit + int32(s.ChipLinkCycles-rs.LinkCycles)
			}
		}
	}
	maxDelay := int64(rs.CreditCycles)
	for _, l := range n.links {
		maxDelay = max(maxDelay, int64(l.creditDelay))
	}
	// routers forward flits to their neighbours and queue every credit
	// (to a router or a network interface) themselves
	for t, r := range n.routers {
		for p := 0; p < np; p++ {
			l := n.links[t*np+p]
			if l.downR >= 0 {
				r.Link(router.Port(p), n.routers[l.downR], router.Port(l.downP), int(l.flitDelay))
			}
			if l.upTo != math.MinInt32 {
				r.Upstream(router.Port(p), router.CreditEvent{To: l.upTo, Port: router.Port(l.upPort)}, int(l.creditDelay))
			}
		}
	}
	n.fab.SetCreditHorizon(int(maxDelay))
}

func (n *Network) alloc() {
	nodes, tiles := n.nodes, len(n.routers)
	n.ni = make([]netIface, nodes)
	n.niCredit = make([]int32, nodes*n.nvc)
	for node := range n.ni {
		n.ni[node].q = make([]queued, 4)
		n.ni[node].credit = n.niCredit[node*n.nvc : (node+1)*n.nvc]
	}
	n.fab.Active = make([]int32, 0, 2*tiles)
	n.arr = make([]arrival, 64)
}

// Reset empties the network: no packets, full credits, zero counters, cycle
// 0. Routing tables and the delivery callback stay.
func (n *Network) Reset() {
	for t, r := range n.routers {
		r.Reset()
		for p := 0; p < n.np; p++ {
			if router.LocalIndex(router.Port(p)) < 0 && n.links[t*n.np+p].downR < 0 {
				r.SetCredits(router.Port(p), 0)
			}
		}
	}
	n.now, n.arrHead, n.arrLen, n.flitsInNet, n.lastProgress = 0, 0, 0, 0, 0
	for node := range n.ni {
		n.ni[node] = netIface{q: n.ni[node].q, credit: n.ni[node].credit, cur: -1, last: -1,
			tile: int32(node / n.lp), port: uint8(router.LocalPort(node % n.lp))}
	}
	for i := range n.niCredit {
		n.niCredit[i] = int32(n.spec.Router.BufferFlits)
	}
	for i := range n.niRing {
		n.niRing[i] = n.niRing[i][:0]
	}
	n.niOcc, n.niFar, n.niFarMin, n.niBusied, n.niDone = 0, n.niFar[:0], math.MaxInt64, 0, 0
	n.fab.Reset()
	n.pkts = n.pkts[:0]
	n.free = n.free[:0]
	n.held = n.held[:0]
	n.st, n.completed, n.violations, n.lastErr = NetStats{}, 0, 0, nil
}

// Spec is the network's configuration.
func (n *Network) Spec() NetSpec { return n.spec }

// Nodes is the number of nodes (tiles × local ports).
func (n *Network) Nodes() int { return n.nodes }

// Node is the node of local port (core) i of tile t.
func (n *Network) Node(t Tile, i int) int { return int(t)*n.lp + i }

// NodeTile is the tile of node.
func (n *Network) NodeTile(node int) Tile { return Tile(node / n.lp) }

// Router returns the router of tile t.
func (n *Network) Router(t Tile) *router.VCRouter { return n.routers[t] }

// Now is the first cycle Advance has not run yet.
func (n *Network) Now() int64 { return n.now }

// CycleAt is the first cycle that starts at or after timePS.
func (n *Network) CycleAt(timePS int64) int64 {
	c := n.spec.CyclePS
	if timePS <= 0 {
		return 0
	}
	return (timePS + c - 1) / c
}

// TimePS is the time cycle starts at.
func (n *Network) TimePS(cycle int64) int64 { return cycle * n.spec.CyclePS }

// OnDeliver sets the function every Delivery is handed to, in cycle order,
// during Advance. Without one, deliveries are held for TakeDelivered.
func (n *Network) OnDeliver(fn func(Delivery)) { n.onDeliver = fn }

// Hop is one move of a packet's head from a router to the next: it won
// switch allocation at From in cycle SentCycle and can be used in To's
// input buffer from cycle ArriveCycle (over a chip-to-chip link when
// ChipLink). The time a head spends at a router before it is sent — route
// computation, VC and switch allocation, waiting for a credit or its turn
// — lies between the ArriveCycle of one hop and the SentCycle of the next.
type Hop struct {
	ID                     uint64 // the caller's packet id
	From, To               Tile
	SentCycle, ArriveCycle int64
	ChipLink               bool
}

// OnHop sets the function every router-to-router move of a packet's head
// is handed to, during Advance (nil: none, the default; tracing is what
// wants it). Moves come in the order routers make them within a cycle; a
// multicast packet reports every branch.
func (n *Network) OnHop(fn func(Hop)) {
	n.onHop = fn
	n.fab.OnHop = nil
	if fn != nil {
		n.fab.OnHop = n.fabricHop
	}
}

// fabricHop turns a hop a router made in place into a Hop.
func (n *Network) fabricHop(pkt, r int32, out router.Port, sent, arrive int64) {
	l := &n.links[int(r)*n.np+int(out)]
	n.onHop(Hop{ID: n.pkts[pkt].id, From: Tile(r), To: Tile(l.downR), SentCycle: sent, ArriveCycle: arrive, ChipLink: l.chip})
}

// TakeDelivered appends the held deliveries to dst and forgets them.
func (n *Network) TakeDelivered(dst []Delivery) []Delivery {
	dst = append(dst, n.held...)
	n.held = n.held[:0]
	return dst
}

// Inject queues a packet of sizeFlits flits at node src for node dst,
// created at cycle (≥ Now()). Packets leave a node's source queue in the
// order they were injected, each once the network reaches its cycle; id is
// the caller's and comes back in the Delivery. A dst that does not exist
// books the packet as injected and dropped and returns an error wrapping
// ErrNoRoute; other errors inject nothing.
func (n *Network) Inject(src, dst int, id uint64, sizeFlits int, cycle int64) error {
	if dst < 0 || dst >= n.nodes {
		if err := n.checkInject(src, sizeFlits, cycle); err != nil {
			return err
		}
		n.st.Injected++
		n.st.Dropped++
		return fmt.Errorf("%w: packet %d from node %d to node %d, which is not one of the %d nodes",
			ErrNoRoute, id, src, dst, n.nodes)
	}
	return n.inject(src, int32(dst), id, sizeFlits, cycle)
}

// InjectMulticast queues a packet for multicast group group (routed by the
// group's table entries, see AddMulticastTree and SetRoute). It is
// delivered at every node its route tree reaches.
func (n *Network) InjectMulticast(src, group int, id uint64, sizeFlits int, cycle int64) error {
	if group < 0 || group >= n.spec.MulticastGroups {
		return fmt.Errorf("mesh: multicast group %d out of range 0..%d (NetSpec.MulticastGroups)", group, n.spec.MulticastGroups-1)
	}
	return n.inject(src, int32(n.nodes+group), id, sizeFlits, cycle)
}

// checkInject is the error of injecting a packet of sizeFlits flits at node
// src at cycle, or nil.
func (n *Network) checkInject(src, sizeFlits int, cycle int64) error {
	if src < 0 || src >= n.nodes {
		return fmt.Errorf("mesh: source node %d out of range 0..%d", src, n.nodes-1)
	}
	if sizeFlits < 1 || sizeFlits > 1<<16 {
		return fmt.Errorf("mesh: packet size must be 1..65536 flits, got %d", sizeFlits)
	}
	if cycle < n.now {
		return fmt.Errorf("mesh: packet injected at cycle %d, but the network is already at cycle %d", cycle, n.now)
	}
	return nil
}

func (n *Network) inject(src int, key int32, id uint64, sizeFlits int, cycle int64) error {
	if uint(src) >= uint(n.nodes) || uint(sizeFlits-1) >= 1<<16 || cycle < n.now {
		return n.checkInject(src, sizeFlits, cycle)
	}
	pk := packet{id: id, create: cycle, enter: -1, src: int32(src), key: key, size: int32(sizeFlits)}
	var p int32
	if k := len(n.free); k > 0 {
		p = n.free[k-1]
		n.free = n.free[:k-1]
		n.pkts[p] = pk
	} else {
		p = int32(len(n.pkts))
		n.pkts = append(n.pkts, pk)
	}
	// push on the source queue ring
	ni := &n.ni[src]
	q, l := ni.q, ni.qLen
	if int(l) == len(q) {
		nq := make([]queued, 2*len(q))
		for j := int32(0); j < l; j++ {
			nq[j] = q[(ni.qHead+j)&int32(len(q)-1)]
		}
		ni.q, ni.qHead, q = nq, 0, nq
	}
	q[(ni.qHead+l)&int32(len(q)-1)] = queued{pkt: p, create: cycle}
	ni.qLen = l + 1
	n.st.Injected++
	ni.c.PacketsInjected++
	busy := int(l) + 1
	if ni.cur >= 0 {
		busy++
	}
	ni.c.MaxSourceQueue = max(ni.c.MaxSourceQueue, busy)
	if l == 0 && ni.cur < 0 {
		ni.seq = n.niBusied
		n.niBusied++
		n.wakeNI(int32(src), cycle)
	}
	return nil
}

// SetRoute sets the table entry of route key key at tile t: the output
// ports a head with that key takes there (several fork the packet; none
// drops it). Keys 0..Nodes()-1 are unicast destinations (only with
// RoutingTable), Nodes()+g is multicast group g. Only ports that lead
// somewhere are allowed.
func (n *Network) SetRoute(t Tile, key int32, ports router.PortMask) error {
	if int(t) < 0 || int(t) >= len(n.routers) {
		return fmt.Errorf("mesh: tile %d out of range 0..%d", t, len(n.routers)-1)
	}
	first := int32(0)
	if n.spec.Routing != RoutingTable {
		first = int32(n.nodes)
	}
	idx := key - first
	if idx < 0 || int(idx) >= n.tabLen {
		return fmt.Errorf("mesh: route key %d has no table entry (routing %q, %d nodes, %d multicast groups)",
			key, n.spec.Routing, n.nodes, n.spec.MulticastGroups)
	}
	for p := 0; p < router.MaxPorts; p++ {
		if !ports.Has(router.Port(p)) {
			continue
		}
		if p >= n.np || (router.LocalIndex(router.Port(p)) < 0 && n.links[int(t)*n.np+p].downR < 0) {
			return fmt.Errorf("mesh: tile %d has no port %s", t, router.Port(p))
		}
	}
	n.tables[int(t)*n.tabLen+int(idx)] = ports
	return nil
}

// AddMulticastTree sets the tables of group so that a packet injected at
// node src reaches every node of dsts along the union of their XY routes
// (a tree: dimension-order paths from one source never merge again). It
// adds to the group's existing entries.
func (n *Network) AddMulticastTree(group, src int, dsts []int) error {
	if group < 0 || group >= n.spec.MulticastGroups {
		return fmt.Errorf("mesh: multicast group %d out of range 0..%d", group, n.spec.MulticastGroups-1)
	}
	if src < 0 || src >= n.nodes {
		return fmt.Errorf("mesh: source node %d out of range", src)
	}
	key := int32(n.nodes + group)
	w := n.spec.Width
	for _, d := range dsts {
		if d < 0 || d >= n.nodes {
			return fmt.Errorf("mesh: multicast destination %d out of range 0..%d", d, n.nodes-1)
		}
		st, dt := src/n.lp, d/n.lp
		x, y, dx, dy := st%w, st/w, dt%w, dt/w
		for {
			p := router.RouteXY(x, y, dx, dy)
			if p == router.Local {
				p = router.LocalPort(d % n.lp)
			}
			t := Tile(x + y*w)
			if err := n.SetRoute(t, key, n.route(t, key)|1<<p); err != nil {
				return err
			}
			if router.LocalIndex(p) >= 0 {
				break
			}
			x, y = router.Step(x, y, p)
		}
	}
	return nil
}

func (n *Network) route(t Tile, key int32) router.PortMask { return n.routers[t].Route(key) }

// Busy reports whether any packet is in a source queue or the network.
func (n *Network) Busy() bool { return n.st.Injected > n.st.Delivered+n.st.Dropped }

// NextCycle is the next cycle at which the network has something to do:
// Now() while flits are inside, else the cycle the earliest network
// interface with packets needs a step (the creation cycle of its front
// packet, or the next cycle while it is sending one). Asked from a
// callback during Advance, once the interfaces of the cycle being run have
// been stepped, it names a later cycle for them. ok is false when the
// network is empty.
func (n *Network) NextCycle() (cycle int64, ok bool) {
	if n.flitsInNet > 0 {
		return n.now, true
	}
	next := n.nextDue()
	if next == math.MaxInt64 {
		return 0, false
	}
	return max(next, n.now), true
}

// nextDue is the earliest cycle a network interface needs a step.
func (n *Network) nextDue() int64 {
	next := n.niFarMin
	if o := n.niOcc; o != 0 {
		k := int(uint64(n.now) & (niSlots - 1))
		next = min(next, n.now+int64(bits.TrailingZeros64(bits.RotateLeft64(o, -k))))
	}
	return next
}

// Advance runs every cycle before untilCycle, skipping stretches where the
// network is empty. Deliveries are reported in cycle order as they happen.
// It returns an error wrapping ErrDeadlock if the watchdog fires (the
// network is then stuck; Reset it).
func (n *Network) Advance(untilCycle int64) error {
	if n.lastErr != nil {
		return n.lastErr
	}
	for n.now < untilCycle {
		if n.flitsInNet == 0 {
			next := n.nextDue()
			if next > n.now {
				n.skipTo(min(next, untilCycle))
				continue
			}
		}
		n.cycle()
		n.lastProgress = max(n.lastProgress, n.fab.Progress)
		if n.flitsInNet > 0 && n.now-n.lastProgress > n.spec.WatchdogCycles {
			n.lastErr = n.deadlock()
			return n.lastErr
		}
	}
	return nil
}

// skipTo jumps over empty cycles, applying the credits due in them.
func (n *Network) skipTo(target int64) {
	if n.fab.PendingCredits() > 0 {
		for c := n.now; c < target && c < n.now+int64(n.fab.Horizon()); c++ {
			n.applyCredits(c)
		}
	}
	n.now = target
	n.lastProgress = target
}

func (n *Network) applyCredits(c int64) {
	routers, niCredit, nvc := n.routers, n.niCredit, n.nvc
	for _, e := range n.fab.TakeCredits(c) {
		if e.To >= 0 {
			routers[e.To].Credit(e.Port, int(e.VC))
		} else {
			niCredit[int(-1-e.To)*nvc+int(e.VC)]++
		}
	}
}

// cycle runs cycle n.now: credits due, arrivals at nodes, network
// interfaces, routers.
func (n *Network) cycle() {
	now := n.now
	n.fab.Now = now
	n.applyCredits(now)
	for n.arrLen > 0 {
		a := &n.arr[n.arrHead]
		if a.cycle > now {
			break
		}
		n.arrive(*a)
		n.arrHead++
		if n.arrHead == len(n.arr) {
			n.arrHead = 0
		}
		n.arrLen--
	}
	n.stepNIs(now)
	// Routers that become busy on the way append themselves to fab.Active;
	// they are stepped from the next cycle (what they were handed is for
	// later cycles). Those appends leave the elements of act alone, so the
	// loop reads and compacts the list through it.
	act := n.fab.Active
	routers := n.routers
	j := 0
	for _, t := range act {
		r := routers[t]
		if r.Wake() <= now {
			if deps := r.Step(now); len(deps) > 0 {
				n.forward(t, deps, now)
			}
			if r.Idle() {
				continue
			}
		}
		act[j] = t
		j++
	}
	rl := n.fab.Active
	if len(act) > 0 && &rl[0] != &act[0] {
		copy(rl, act[:j]) // the appends moved fab.Active
	}
	j += copy(rl[j:], rl[len(act):])
	n.fab.Active = rl[:j]
	n.now = now + 1
	n.st.Cycle = n.now
}

// niSlots is the span of the wheel of network interfaces, in cycles.
const niSlots = 64

// wakeNI makes node due at cycle at (≥ n.now), or the next cycle whose
// interfaces are still to be stepped.
func (n *Network) wakeNI(node int32, at int64) {
	at = max(at, n.niDone)
	n.ni[node].wake = at
	if at-n.now < niSlots {
		s := uint64(at) & (niSlots - 1)
		n.niRing[s] = append(n.niRing[s], node)
		n.niOcc |= 1 << s
		return
	}
	n.niFar = append(n.niFar, node)
	n.niFarMin = min(n.niFarMin, at)
}

// pullFar moves the nodes of niFar due within the wheel's span onto it.
func (n *Network) pullFar() {
	far := n.niFar
	// (the ones still far are written back over the ones already read)
	n.niFar, n.niFarMin = n.niFar[:0], math.MaxInt64
	for _, node := range far {
		n.wakeNI(node, n.ni[node].wake)
	}
}

// stepNIs steps the network interfaces due in cycle now. The order they
// are stepped in does not matter but for one thing: a router that was idle
// joins fab.Active when the first flit reaches it, and fab.Active decides
// the order routers are stepped in. The routers they woke are therefore
// put in the order the nodes that woke them became busy (netIface.seq),
// which is the order those nodes would be stepped in if every busy node
// were, in the order it became busy.
func (n *Network) stepNIs(now int64) {
	if n.niFarMin < now+niSlots/2 {
		n.pullFar()
	}
	l0 := len(n.fab.Active)
	s := uint64(now) & (niSlots - 1)
	due := n.niRing[s]
	for _, node := range due {
		if next := n.stepNI(int(node), now); next >= 0 {
			n.wakeNI(node, next)
		}
	}
	n.niRing[s] = due[:0]
	n.niOcc &^= 1 << s
	n.niDone = now + 1
	if woke := n.fab.Active[l0:]; len(woke) > 1 {
		slices.SortFunc(woke, func(a, b int32) int { return cmp.Compare(n.firstSender(a, now), n.firstSender(b, now)) })
	}
}

// firstSender is the seq of the first node of tile t to become busy
// among those that handed its router a flit in cycle now.
func (n *Network) firstSender(t int32, now int64) int64 {
	seq := int64(math.MaxInt64)
	for node := int(t) * n.lp; node < int(t+1)*n.lp; node++ {
		if ni := &n.ni[node]; ni.last == now {
			seq = min(seq, ni.seq)
		}
	}
	return seq
}

// stepNI sends at most one flit from node's source queue into its router;
// it returns the next cycle the node needs a step, or -1 when it has
// nothing left to send.
func (n *Network) stepNI(node int, now int64) int64 {
	ni := &n.ni[node]
	p := ni.cur
	credits := ni.credit
	if p < 0 {
		// The front packet is due (its creation cycle woke the node): it
		// takes a VC of the router's local input port with room, round
		// robin.
		v := -1
		c := int(ni.lastVC)
		for range n.nvc {
			// c+1 on a ring of nvc, without a branch: which VC the previous
			// packet took is close to random
			c++
			c &= (c - n.nvc) >> 63
			if credits[c] > 0 {
				v = c
				break
			}
		}
		if v < 0 {
			return now + 1
		}
		p = ni.q[ni.qHead].pkt
		ni.qHead = (ni.qHead + 1) & int32(len(ni.q)-1)
		ni.qLen--
		pk := &n.pkts[p]
		pk.enter, pk.pend = now, 1
		ni.cur, ni.key, ni.size, ni.sent = p, pk.key, pk.size, 0
		ni.vc, ni.lastVC = uint8(v), uint8(v)
		n.st.Entered++
	} else if credits[ni.vc] <= 0 {
		return now + 1
	}
	v := int(ni.vc)
	credits[v]--
	sent := ni.sent
	// Whether a flit is a head or a tail is close to random with longer
	// packets: the flags are set without a branch, leaving the one below.
	tail := sent == ni.size-1
	flags := b2u8(sent == 0)*router.FlagHead | b2u8(tail)*router.FlagTail
	n.routers[ni.tile].Accept(router.Port(ni.port), v, p, ni.key, flags, now+int64(n.spec.InjectCycles))
	ni.last = now
	n.flitsInNet++
	n.st.FlitsInjected++
	ni.c.FlitsInjected++
	n.lastProgress = now
	if tail {
		ni.cur = -1
		if ni.qLen == 0 {
			return -1
		}
		// the next packet can go at its creation, from the next cycle on
		return max(now+1, ni.q[ni.qHead].create)
	}
	ni.sent = sent + 1
	return now + 1
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// forward moves the flits router t sent in cycle now that it did not
// forward in place (ejections, drops, multicast copies) to their next stop.
// Their credits are not its business: every router queues its own.
func (n *Network) forward(t int32, deps []router.Departure, now int64) {
	base := int(t) * n.np
	n.lastProgress = now
	for i := range deps {
		d := &deps[i]
		p := d.Packet
		pk := &n.pkts[p]
		pk.hops += int32(d.Hops)
		tail := d.Flags&router.FlagTail != 0
		if d.OutPort == router.NoPort {
			n.flitsInNet--
			if tail {
				pk.drop = true
				n.emit(p, int32(n.Node(Tile(t), 0)), now, true)
			}
			continue
		}
		n.st.FlitHops++
		// A head counts this hop (without a branch: whether a flit is a
		// head is close to random with longer packets).
		pk.hops += int32(d.Flags & router.FlagHead)
		if !d.Freed {
			// a multicast fork copied the flit, and with its tail the packet
			n.flitsInNet++
			if tail {
				pk.pend++
			}
		}
		l := &n.links[base+int(d.OutPort)]
		at := now + int64(l.flitDelay)
		if dr := l.downR; dr >= 0 {
			n.routers[dr].Accept(router.Port(l.downP), int(d.OutVC), p, d.Key, d.Flags, at)
			if n.onHop != nil && d.Flags&router.FlagHead != 0 {
				n.onHop(Hop{ID: pk.id, From: Tile(t), To: Tile(dr), SentCycle: now, ArriveCycle: at, ChipLink: l.chip})
			}
			continue
		}
		node := int32(int(t)*n.lp + router.LocalIndex(d.OutPort))
		n.pushArrival(arrival{cycle: at, pkt: p, node: node, vc: d.OutVC, flags: d.Flags})
	}
}

func (n *Network) pushArrival(a arrival) {
	if n.arrLen == len(n.arr) {
		n.growArrivals()
	}
	n.arr[(n.arrHead+n.arrLen)&(len(n.arr)-1)] = a
	n.arrLen++
}

func (n *Network) growArrivals() {
	na := make([]arrival, 2*len(n.arr))
	for j := 0; j < n.arrLen; j++ {
		na[j] = n.arr[(n.arrHead+j)%len(n.arr)]
	}
	n.arr, n.arrHead = na, 0
}

// arrive takes a flit off the ejection channel at its node.
func (n *Network) arrive(a arrival) {
	now := n.now
	n.flitsInNet--
	n.st.FlitsEjected++
	ni := &n.ni[a.node]
	ni.c.FlitsEjected++
	n.lastProgress = now
	// the node consumes the flit at once: the credit goes back to the router
	t, o := ni.tile, ni.port
	if c := int64(n.spec.Router.CreditCycles); c == 0 {
		n.routers[t].Credit(router.Port(o), int(a.vc))
	} else {
		n.fab.QueueCredit(now+c, router.CreditEvent{To: t, Port: router.Port(o), VC: a.vc})
	}
	if a.flags&router.FlagTail != 0 {
		ni.c.PacketsDelivered++
		n.emit(a.pkt, a.node, now, false)
	}
}

// emit reports one copy of packet p delivered (or dropped) at node and
// frees the packet when it was the last copy.
func (n *Network) emit(p, node int32, now int64, dropped bool) {
	pk := &n.pkts[p]
	d := Delivery{
		ID: pk.id, Src: pk.src, Node: node, SizeFlits: pk.size,
		CreatedCycle: pk.create, EnteredCycle: pk.enter, DeliveredCycle: now,
		Hops: pk.hops, Dropped: dropped,
	}
	if !dropped {
		n.st.Deliveries++
	}
	pk.pend--
	switch {
	case pk.pend < 0:
		n.violations++
	case pk.pend == 0:
		if pk.drop {
			n.st.Dropped++
		} else {
			n.st.Delivered++
		}
		pk.pend = -1 << 30 // a later copy would be a violation
		n.free = append(n.free, p)
	}
	if n.onDeliver != nil {
		n.onDeliver(d)
	} else {
		n.held = append(n.held, d)
	}
}

// DeadlockError is the error of a watchdog timeout.
type DeadlockError struct {
	Cycle       int64
	Stalled     int64 // cycles without progress
	FlitsInside int64
	Tiles       []Tile // routers that hold flits
}

func (e *DeadlockError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: no flit moved for %d cycles up to cycle %d with %d flits inside; routers holding flits:",
		ErrDeadlock, e.Stalled, e.Cycle, e.FlitsInside)
	for i, t := range e.Tiles {
		if i == 16 {
			fmt.Fprintf(&b, " … (%d in all)", len(e.Tiles))
			break
		}
		fmt.Fprintf(&b, " %d", t)
	}
	return b.String()
}

func (e *DeadlockError) Unwrap() error { return ErrDeadlock }

func (n *Network) deadlock() error {
	e := &DeadlockError{Cycle: n.now, Stalled: n.now - n.lastProgress, FlitsInside: n.flitsInNet}
	for t, r := range n.routers {
		if r.Buffered() > 0 {
			e.Tiles = append(e.Tiles, Tile(t))
		}
	}
	return e
}

// Stats returns the packet and flit books.
func (n *Network) Stats() NetStats {
	s := n.st
	s.Cycle = n.now
	s.InFlight = s.Injected - s.Delivered - s.Dropped
	s.FlitHops += n.fab.FlitHops
	return s
}

// Check verifies the books: every injected packet was delivered, reported
// dropped, or is still inside (in a source queue or the network), no copy
// was delivered twice, every flit inside is in some buffer, and no buffer
// or credit counter ever overflowed. On a drained network (no packets, no
// credits in flight) it also checks that every credit came home and no VC
// is held.
func (n *Network) Check() error {
	var errs []error
	s := n.st
	inside := uint64(len(n.pkts) - len(n.free))
	if s.Injected != s.Delivered+s.Dropped+inside {
		errs = append(errs, fmt.Errorf("mesh: packet conservation violated: injected %d ≠ delivered %d + dropped %d + inside %d",
			s.Injected, s.Delivered, s.Dropped, inside))
	}
	if n.violations > 0 {
		errs = append(errs, fmt.Errorf("mesh: %d packet copies delivered more often than sent", n.violations))
	}
	buffered := int64(n.arrLen)
	for t, r := range n.routers {
		buffered += int64(r.Buffered())
		if o := r.Counters().Overflows; o > 0 {
			errs = append(errs, fmt.Errorf("mesh: tile %d: %d buffer or credit overflows", t, o))
		}
	}
	if buffered != n.flitsInNet {
		errs = append(errs, fmt.Errorf("mesh: flit conservation violated: %d flits in buffers and channels, %d inside by the books",
			buffered, n.flitsInNet))
	}
	if inside == 0 && n.fab.PendingCredits() == 0 && n.flitsInNet == 0 {
		depth := n.spec.Router.BufferFlits
		for t, r := range n.routers {
			for p := 0; p < n.np; p++ {
				want := depth
				if router.LocalIndex(router.Port(p)) < 0 && n.links[t*n.np+p].downR < 0 {
					want = 0
				}
				for v := 0; v < n.nvc; v++ {
					if c := r.Credits(router.Port(p), v); c != want {
						errs = append(errs, fmt.Errorf("mesh: tile %d port %s VC %d has %d credits on an empty network, want %d",
							t, router.Port(p), v, c, want))
					}
					if r.OutVCHeld(router.Port(p), v) {
						errs = append(errs, fmt.Errorf("mesh: tile %d port %s VC %d is held on an empty network", t, router.Port(p), v))
					}
				}
			}
		}
		for i, c := range n.niCredit {
			if int(c) != depth {
				errs = append(errs, fmt.Errorf("mesh: node %d VC %d has %d injection credits on an empty network, want %d",
					i/n.nvc, i%n.nvc, c, depth))
			}
		}
	}
	return errors.Join(errs...)
}

// RouterCounters returns the ops of the router of tile t.
func (n *Network) RouterCounters(t Tile) router.VCCounters { return n.routers[t].Counters() }

// LinkCounters returns the ops of the link driven by output port p of the
// router of tile t.
func (n *Network) LinkCounters(t Tile, p router.Port) LinkCounters {
	r := n.routers[t]
	pc := r.PortCounters(p)
	k := int(t)*n.np + int(p)
	lc := LinkCounters{Flits: pc.FlitsOut, CreditStalls: pc.CreditStalls}
	rs := n.spec.Router
	l := n.links[k]
	lc.LatencyCycles = int(l.flitDelay) - rs.SwitchAllocCycles - rs.SwitchCycles
	switch {
	case l.chip:
		lc.EnergyFJ = pc.FlitsOut * n.spec.ChipLinkFJ
	case p == router.East || p == router.West:
		lc.EnergyFJ = pc.FlitsOut * n.spec.Cost.HopEW.EnergyFJ
	case p == router.North || p == router.South:
		lc.EnergyFJ = pc.FlitsOut * n.spec.Cost.HopNS.EnergyFJ
	}
	if l.downR >= 0 {
		lc.MaxQueueFlits = n.routers[l.downR].PortCounters(router.Port(l.downP)).MaxQueueFlits
	}
	return lc
}

// IsChipLink says whether output port p of tile t drives a chip-to-chip
// link (boards).
func (n *Network) IsChipLink(t Tile, p router.Port) bool {
	return n.links[int(t)*n.np+int(p)].chip
}

// NodeCounters returns the ops of node's network interface.
func (n *Network) NodeCounters(node int) NodeCounters { return n.ni[node].c }

// EnergyFJ is the energy of every flit hop so far.
func (n *Network) EnergyFJ() uint64 {
	var e uint64
	for t := range n.routers {
		for _, p := range []router.Port{router.East, router.West, router.North, router.South} {
			e += n.LinkCounters(Tile(t), p).EnergyFJ
		}
	}
	return e
}
