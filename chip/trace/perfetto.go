package trace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
)

// Perfetto writes Chrome trace-event JSON (the JSON object format), which
// ui.perfetto.dev and chrome://tracing open. Times are microseconds with
// picosecond precision (six decimals). Layout of the trace:
//
//   - process "chip": thread "steps" with one slice per timestep and the
//     barrier nested at its end, and the "energy" counter (cumulative
//     dynamic and total femtojoules, when costs are given); thread "host"
//     with an "inject" slice per step with input spikes (where input
//     packets start) and thread "input spikes" with an instant per spike.
//   - process "tile (x,y)" per tile: a thread per core ("sweep" and
//     "synapses" slices, a "spike pop[i]" slice for each spike nested in
//     its sweep: the neuron's own update), a thread per router output port
//     ("hop" slices while the port is held), and the "packets in_flight"
//     counter of the router.
//   - a flow per packet (category and name "packet", id the packet id) from
//     the spike that sent it, through the hops, to the synaptic batch it
//     caused; it joins the slices the filter keeps, and is drawn when at
//     least two of them are kept.
//
// Events are written as they come; only the routers' counters wait for the
// step's end (they are levels, computed in time order) and the flows of the
// packets in flight are remembered, so memory stays one step's worth.
// Calls must come from one goroutine. Write errors are returned by Close.
type Perfetto struct {
	w      *bufio.Writer
	l      Layout
	s      sel
	err    error
	n      int // events written
	closed bool
	b      []byte

	nCores, nTiles int
	popName        [][]byte // JSON-escaped population names, without quotes

	cost *opCosts
	dyn  uint64 // dynamic energy so far, fJ

	sweepShown []int32 // by core id: the step whose sweep slice was written
	portEnd    []int64 // by tile·4+port: end of the last hop slice
	hostStep   int32   // the step whose host inject slice was written
	last       lastSpike
	flows      map[uint64]flow

	pkts    changes // router packet levels, by tile
	level   []int64
	shown   []int64 // level last written, by tile
	started bool    // the levels at the window's start are written
	mark    []uint32
	gen     uint32
	hit     []int32
}

type opCosts struct {
	spec                                                     preset.Spec
	active, inactive, synOp, spikeOut, ew, ns, br, synUpdate uint64
}

type lastSpike struct {
	ok     bool
	step   int32
	input  bool
	tile   int32
	source point
}

// point is where a flow passes: a thread and a time inside a slice of it.
type point struct {
	ok       bool
	pid, tid int32
	ps       int64
}

type flow struct {
	pending point // the last point, not yet written
	written int   // flow events written
}

const (
	pidChip      = 1
	tidSteps     = 1
	tidHost      = 2
	tidInputs    = 3
	tidFirstCore = 16
	portsPerTile = 4 // east, west, north, south
	pidFirstTile = 2
)

var portNames = [portsPerTile]string{"east", "west", "north", "south"}

// NewPerfetto checks the filter against the layout and writes the trace's
// opening and the metadata naming its processes and threads. costs, if not
// nil, prices the ops for the energy counter (use the image's preset).
func NewPerfetto(w io.Writer, layout Layout, filter Filter, costs *preset.Spec) (*Perfetto, error) {
	s, err := filter.compile(&layout)
	if err != nil {
		return nil, err
	}
	p := &Perfetto{w: bufio.NewWriterSize(w, 64<<10), l: layout, s: s, flows: map[uint64]flow{}}
	p.nTiles = layout.Tiles()
	p.nCores = p.nTiles * layout.CoresPerTile
	p.sweepShown = make([]int32, p.nCores)
	p.portEnd = make([]int64, p.nTiles*portsPerTile)
	p.level, p.shown, p.mark = make([]int64, p.nTiles), make([]int64, p.nTiles), make([]uint32, p.nTiles)
	for _, pop := range layout.Populations {
		q, _ := json.Marshal(pop.Name)
		p.popName = append(p.popName, q[1:len(q)-1])
	}
	if costs != nil {
		c := costs
		p.cost = &opCosts{spec: *c, active: c.Core.NeuronActive.EnergyFJ, inactive: c.Core.NeuronInactive.EnergyFJ,
			synOp: c.Core.SynOp.EnergyFJ, spikeOut: c.Core.SpikeOut.EnergyFJ, ew: c.Mesh.Router.HopEW.EnergyFJ,
			ns: c.Mesh.Router.HopNS.EnergyFJ, br: c.Barrier.EnergyFJ, synUpdate: c.Core.SynUpdate.EnergyFJ}
	}
	p.w.WriteString(`{"traceEvents":[`)
	p.header()
	if err := p.flushErr(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Perfetto) tidCore(c int32) int32 { return tidFirstCore + c }
func (p *Perfetto) tidPort(t int32, port int) int32 {
	return tidFirstCore + int32(p.nCores) + t*portsPerTile + int32(port)
}
func (p *Perfetto) tidCounter(t int32) int32 {
	return tidFirstCore + int32(p.nCores+p.nTiles*portsPerTile) + t
}
func pidTile(t int32) int32 { return pidFirstTile + t }

func (p *Perfetto) header() {
	l, s := &p.l, &p.s
	name := l.Network
	if l.Preset != "" {
		name += " (" + l.Preset + ")"
	}
	p.meta("process_name", pidChip, tidSteps, "name", "chip "+name)
	p.metaInt("process_sort_index", pidChip, tidSteps, 0)
	p.meta("thread_name", pidChip, tidSteps, "name", "steps")
	p.meta("thread_name", pidChip, tidHost, "name", "host")
	p.meta("thread_name", pidChip, tidInputs, "name", "input spikes")
	for i, t := range []int32{tidSteps, tidHost, tidInputs} {
		p.metaInt("thread_sort_index", pidChip, t, int64(i))
	}
	coresOn := s.kinds&(KindSweep|KindSynapses|KindSpikes) != 0
	routersOn := s.kinds&KindPackets != 0
	byTile := make([][]int32, p.nTiles)
	if coresOn {
		for _, c := range l.Cores {
			if s.coreOn(c.ID) {
				t := l.CoreTile(c.ID)
				byTile[t] = append(byTile[t], c.ID)
			}
		}
	}
	for t := int32(0); t < int32(p.nTiles); t++ {
		router := routersOn && s.tileOn(t)
		if len(byTile[t]) == 0 && !router {
			continue
		}
		x, y := l.TileXY(t)
		pid := pidTile(t)
		p.meta("process_name", pid, p.tidCounter(t), "name", fmt.Sprintf("tile (%d,%d)", x, y))
		p.metaInt("process_sort_index", pid, p.tidCounter(t), int64(t)+1)
		for _, c := range byTile[t] {
			p.meta("thread_name", pid, p.tidCore(c), "name", fmt.Sprintf("core %d", c))
			p.metaInt("thread_sort_index", pid, p.tidCore(c), int64(c))
		}
		if !router {
			continue
		}
		for port := range portsPerTile {
			dx, dy := [portsPerTile]int{1, -1, 0, 0}[port], [portsPerTile]int{0, 0, 1, -1}[port]
			if nx, ny := x+dx, y+dy; nx < 0 || ny < 0 || nx >= l.Width || ny >= l.Height {
				continue
			}
			tid := p.tidPort(t, port)
			p.meta("thread_name", pid, tid, "name", "router → "+portNames[port])
			p.metaInt("thread_sort_index", pid, tid, int64(p.nCores+port))
		}
	}
}

// begin starts an event: the comma, name, category, phase, time, pid, tid.
func (p *Perfetto) begin(name, cat string, ph byte, ps int64, pid, tid int32) {
	b := p.b[:0]
	if p.n > 0 {
		b = append(b, ",\n"...)
	} else {
		b = append(b, '\n')
	}
	p.n++
	b = append(b, `{"name":"`...)
	b = append(b, name...)
	b = append(b, `","cat":"`...)
	b = append(b, cat...)
	b = append(b, `","ph":"`...)
	b = append(b, ph)
	b = append(b, `","ts":`...)
	b = appendUS(b, ps)
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendInt(b, int64(tid), 10)
	p.b = b
}

// end closes an event and writes it.
func (p *Perfetto) end() {
	p.b = append(p.b, '}')
	p.w.Write(p.b)
}

func (p *Perfetto) dur(ps int64) {
	p.b = append(p.b, `,"dur":`...)
	p.b = appendUS(p.b, ps)
}

// arg appends one integer argument; first opens the args object.
func (p *Perfetto) arg(first bool, key string, v int64) {
	if first {
		p.b = append(p.b, `,"args":{"`...)
	} else {
		p.b = append(p.b, `,"`...)
	}
	p.b = append(p.b, key...)
	p.b = append(p.b, `":`...)
	p.b = strconv.AppendInt(p.b, v, 10)
}

func (p *Perfetto) endArgs() { p.b = append(p.b, '}') }

func (p *Perfetto) meta(name string, pid, tid int32, key, val string) {
	p.begin(name, "__metadata", 'M', 0, pid, tid)
	q, _ := json.Marshal(val)
	p.b = append(p.b, `,"args":{"`...)
	p.b = append(p.b, key...)
	p.b = append(p.b, `":`...)
	p.b = append(p.b, q...)
	p.endArgs()
	p.end()
}

func (p *Perfetto) metaInt(name string, pid, tid int32, v int64) {
	p.begin(name, "__metadata", 'M', 0, pid, tid)
	p.arg(true, "sort_index", v)
	p.endArgs()
	p.end()
}

// appendUS appends picoseconds as microseconds, exactly: up to six
// decimals.
func appendUS(b []byte, ps int64) []byte {
	if ps < 0 {
		b = append(b, '-')
		ps = -ps
	}
	b = strconv.AppendInt(b, ps/1_000_000, 10)
	frac := ps % 1_000_000
	if frac == 0 {
		return b
	}
	var d [7]byte
	d[0] = '.'
	for i := 6; i >= 1; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for d[n-1] == '0' {
		n--
	}
	return append(b, d[:n]...)
}

func mid(start, dur int64) int64 { return start + max(dur, 0)/2 }

// Sweep implements chip.Tracer.
func (p *Perfetto) Sweep(step, core int32, startPS, durPS int64, active, inactive int) {
	if p.cost != nil {
		p.dyn += uint64(active)*p.cost.active + uint64(inactive)*p.cost.inactive
	}
	if p.s.kinds&KindSweep == 0 || !p.s.coreOn(core) || !p.s.in(startPS) {
		return
	}
	p.sweepShown[core] = step
	p.begin("sweep", "core", 'X', startPS, pidTile(p.l.CoreTile(core)), p.tidCore(core))
	p.dur(durPS)
	p.arg(true, "step", int64(step))
	p.arg(false, "active", int64(active))
	p.arg(false, "inactive", int64(inactive))
	p.endArgs()
	p.end()
}

// Learn implements chip.Tracer: a "learning" slice on the core's track.
func (p *Perfetto) Learn(step, core int32, startPS, durPS int64, updates int) {
	if p.cost != nil {
		p.dyn += uint64(updates) * p.cost.synUpdate
	}
	if p.s.kinds&KindLearn == 0 || !p.s.coreOn(core) || !p.s.in(startPS) {
		return
	}
	p.begin("learning", "core", 'X', startPS, pidTile(p.l.CoreTile(core)), p.tidCore(core))
	p.dur(durPS)
	p.arg(true, "step", int64(step))
	p.arg(false, "updates", int64(updates))
	p.endArgs()
	p.end()
}

// Synapses implements chip.Tracer.
func (p *Perfetto) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64) {
	if p.cost != nil {
		p.dyn += uint64(ops) * p.cost.synOp
	}
	if p.s.kinds&KindSynapses != 0 && p.s.coreOn(core) && p.s.in(startPS) {
		pid, tid := pidTile(p.l.CoreTile(core)), p.tidCore(core)
		p.begin("synapses", "core", 'X', startPS, pid, tid)
		p.dur(durPS)
		p.arg(true, "step", int64(step))
		p.arg(false, "axon", int64(axon))
		p.arg(false, "ops", int64(ops))
		p.arg(false, "packet", int64(packet))
		p.endArgs()
		p.end()
		p.through(packet, point{ok: true, pid: pid, tid: tid, ps: mid(startPS, durPS)})
	}
	p.finish(packet)
}

// Spike implements chip.Tracer.
func (p *Perfetto) Spike(step int32, timePS int64, population, neuron int32) {
	p.last = lastSpike{}
	if population < 0 || int(population) >= len(p.l.Populations) {
		return
	}
	pop := &p.l.Populations[population]
	show := p.s.kinds&KindSpikes != 0 && p.s.neuronOn(population, neuron)
	if pop.Input {
		p.last = lastSpike{ok: true, step: step, input: true, tile: 0}
		if p.s.kinds&KindPackets != 0 && p.s.in(timePS) {
			if p.hostStep != step {
				p.hostStep = step
				p.begin("inject", "host", 'X', timePS, pidChip, tidHost)
				p.dur(0)
				p.arg(true, "step", int64(step))
				p.endArgs()
				p.end()
			}
			p.last.source = point{ok: true, pid: pidChip, tid: tidHost, ps: timePS}
		}
		if show && p.s.in(timePS) {
			p.spikeName("i", timePS, pidChip, tidInputs, population, neuron)
			p.b = append(p.b, `,"s":"t"`...)
			p.arg(true, "step", int64(step))
			p.endArgs()
			p.end()
		}
		return
	}
	core := p.l.coreOf(population, neuron)
	if core < 0 {
		return
	}
	tile := p.l.CoreTile(core)
	p.last = lastSpike{ok: true, step: step, tile: tile}
	if !p.s.coreOn(core) {
		return
	}
	lat := min(max(p.l.NeuronActivePS, 0), timePS)
	start := timePS - lat
	pid, tid := pidTile(tile), p.tidCore(core)
	src := point{ok: true, pid: pid, tid: tid, ps: mid(start, lat)}
	if show && p.s.in(start) {
		p.spikeName("X", start, pid, tid, population, neuron)
		p.dur(lat)
		p.arg(true, "step", int64(step))
		p.endArgs()
		p.end()
		p.last.source = src
	} else if p.s.kinds&KindSweep != 0 && p.sweepShown[core] == step {
		p.last.source = src
	}
}

// spikeName begins a spike event named "spike pop[i]".
func (p *Perfetto) spikeName(ph string, ps int64, pid, tid, population, neuron int32) {
	b := make([]byte, 0, 64)
	b = append(b, "spike "...)
	b = append(b, p.popName[population]...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(neuron), 10)
	b = append(b, ']')
	p.begin(string(b), "spike", ph[0], ps, pid, tid)
}

// Packet implements chip.Tracer.
func (p *Perfetto) Packet(ev chip.PacketEvent) {
	ns := ev.FromTile/int32(p.l.Width) != ev.ToTile/int32(p.l.Width)
	switch ev.Kind {
	case chip.PacketInject:
		// The Tracer does not name a packet's source; the chip reports a
		// spike right before the packets it sends (routes of a firing neuron,
		// or of an input channel), so the last spike on the same tile and
		// step is the source.
		fromCore := p.last.ok && !p.last.input && p.last.step == ev.Step && p.last.tile == ev.FromTile
		if p.cost != nil && fromCore {
			p.dyn += p.cost.spikeOut
		}
		if p.s.kinds&KindPackets == 0 {
			return
		}
		p.addLevel(ev.TimePS, ev.FromTile, 1)
		if p.last.ok && p.last.step == ev.Step && p.last.tile == ev.FromTile && p.last.source.ok {
			p.flows[ev.Packet] = flow{pending: p.last.source}
		}
	case chip.PacketHop:
		if p.cost != nil {
			if ns {
				p.dyn += p.cost.ns
			} else {
				p.dyn += p.cost.ew
			}
		}
		if p.s.kinds&KindPackets == 0 {
			return
		}
		p.addLevel(ev.TimePS, ev.FromTile, -1)
		p.addLevel(ev.TimePS, ev.ToTile, 1)
		if !p.s.tileOn(ev.FromTile) {
			return
		}
		port := portOf(&p.l, ev.FromTile, ev.ToTile)
		if port < 0 {
			return
		}
		k := int(ev.FromTile)*portsPerTile + port
		start := max(leaveStart(&p.l, ev), p.portEnd[k])
		start = min(start, ev.TimePS)
		p.portEnd[k] = ev.TimePS
		if !p.s.in(start) {
			return
		}
		pid, tid := pidTile(ev.FromTile), p.tidPort(ev.FromTile, port)
		p.begin("hop", "packet", 'X', start, pid, tid)
		p.dur(ev.TimePS - start)
		p.arg(true, "packet", int64(ev.Packet))
		p.arg(false, "step", int64(ev.Step))
		p.arg(false, "to_tile", int64(ev.ToTile))
		wait := start - ev.FromPS // for the output port (per-hop model)
		if p.l.CycleMesh {
			// The chip reports the wait inside the router; a later start
			// here only keeps the slices of one port from overlapping
			// (the cycle mesh pipelines its links).
			wait = ev.WaitPS
		}
		p.arg(false, "wait_ps", wait)
		p.arg(false, "core", int64(ev.Core))
		p.arg(false, "axon", int64(ev.Axon))
		p.endArgs()
		p.end()
		p.through(ev.Packet, point{ok: true, pid: pid, tid: tid, ps: mid(start, ev.TimePS-start)})
	case chip.PacketDeliver:
		if p.s.kinds&KindPackets != 0 {
			p.addLevel(ev.TimePS, ev.ToTile, -1)
		}
	}
}

// portOf is the output port from tile a to its neighbour b, or -1.
func portOf(l *Layout, a, b int32) int {
	ax, ay := l.TileXY(a)
	bx, by := l.TileXY(b)
	switch {
	case bx == ax+1 && by == ay:
		return 0
	case bx == ax-1 && by == ay:
		return 1
	case by == ay+1 && bx == ax:
		return 2
	case by == ay-1 && bx == ax:
		return 3
	}
	return -1
}

// through adds a point to a packet's flow: the previous point is written as
// the flow's start or a step.
func (p *Perfetto) through(packet uint64, pt point) {
	if p.s.kinds&KindPackets == 0 {
		return
	}
	f := p.flows[packet]
	if f.pending.ok {
		ph := byte('t')
		if f.written == 0 {
			ph = 's'
		}
		p.flowEvent(ph, packet, f.pending)
		f.written++
	}
	f.pending = pt
	p.flows[packet] = f
}

// finish ends a packet's flow at its last point.
func (p *Perfetto) finish(packet uint64) {
	f, ok := p.flows[packet]
	if !ok {
		return
	}
	delete(p.flows, packet)
	if f.pending.ok && f.written > 0 {
		p.flowEvent('f', packet, f.pending)
	}
}

func (p *Perfetto) flowEvent(ph byte, packet uint64, pt point) {
	p.begin("packet", "packet", ph, pt.ps, pt.pid, pt.tid)
	p.b = append(p.b, `,"id":`...)
	p.b = strconv.AppendUint(p.b, packet, 10)
	if ph == 'f' {
		p.b = append(p.b, `,"bp":"e"`...)
	}
	p.end()
}

func (p *Perfetto) addLevel(t int64, tile int32, d int64) {
	if p.s.tileOn(tile) {
		p.pkts.add(t, tile, d)
	}
}

func (p *Perfetto) counter(tile int32, ps int64, v int64) {
	p.begin("packets", "router", 'C', ps, pidTile(tile), p.tidCounter(tile))
	p.arg(true, "in_flight", v)
	p.endArgs()
	p.end()
}

// EndStep implements chip.Tracer.
func (p *Perfetto) EndStep(step int32, startPS, workEndPS, endPS int64) {
	if p.s.in(startPS) {
		p.begin("step", "chip", 'X', startPS, pidChip, tidSteps)
		p.dur(endPS - startPS)
		p.arg(true, "step", int64(step))
		p.endArgs()
		p.end()
	}
	if p.s.kinds&KindBarrier != 0 && p.s.in(workEndPS) {
		p.begin("barrier", "chip", 'X', workEndPS, pidChip, tidSteps)
		p.dur(endPS - workEndPS)
		p.arg(true, "step", int64(step))
		p.endArgs()
		p.end()
	}
	if p.cost != nil {
		p.dyn += p.cost.br
		if p.s.in(endPS) {
			p.begin("energy", "chip", 'C', endPS, pidChip, tidSteps)
			p.arg(true, "dynamic_fj", int64(min(p.dyn, math.MaxInt64)))
			p.arg(false, "total_fj", int64(min(p.dyn+p.cost.spec.StaticEnergyFJ(endPS), math.MaxInt64)))
			p.endArgs()
			p.end()
		}
	}
	p.pkts.drain(endPS, p.group)
	// No packet outlives its step (the chip checks conservation at the
	// barrier); drop what a partial replay may have left.
	clear(p.flows)
	p.last = lastSpike{}
}

// group writes the router counters that changed at time t.
func (p *Perfetto) group(t int64, cs []change) {
	if t >= p.s.to {
		return
	}
	if !p.started && t > p.s.from {
		p.startCounters()
	}
	p.gen++
	p.hit = p.hit[:0]
	for _, c := range cs {
		p.level[c.key] += c.val
		if p.mark[c.key] != p.gen {
			p.mark[c.key] = p.gen
			p.hit = append(p.hit, c.key)
		}
	}
	if t < p.s.from {
		return
	}
	if !p.started {
		p.startCounters() // t == from: this time's levels
		return
	}
	for _, k := range p.hit {
		if v := max(p.level[k], 0); v != p.shown[k] {
			p.shown[k] = v
			p.counter(k, t, v)
		}
	}
}

// startCounters writes every shown router's level at the window's start.
func (p *Perfetto) startCounters() {
	p.started = true
	if p.s.kinds&KindPackets == 0 {
		return
	}
	for t := range p.nTiles {
		if p.s.tileOn(int32(t)) {
			p.shown[t] = max(p.level[t], 0)
			p.counter(int32(t), p.s.from, p.shown[t])
		}
	}
}

// Close writes the counters still buffered and the end of the JSON
// document, and flushes. It reports the first write error. It does not
// close the underlying writer.
func (p *Perfetto) Close() error {
	if p.closed {
		return p.err
	}
	p.closed = true
	p.pkts.drain(math.MaxInt64, p.group)
	if !p.started {
		p.startCounters()
	}
	p.w.WriteString("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{")
	q, _ := json.Marshal(p.l.Network)
	p.w.WriteString(`"network":`)
	p.w.Write(q)
	q, _ = json.Marshal(p.l.Preset)
	p.w.WriteString(`,"preset":`)
	p.w.Write(q)
	p.w.WriteString(`,"time_unit":"ts and dur in microseconds, picosecond precision"}}` + "\n")
	return p.flushErr()
}

func (p *Perfetto) flushErr() error {
	if err := p.w.Flush(); err != nil && p.err == nil {
		p.err = fmt.Errorf("write perfetto trace: %w", err)
	}
	return p.err
}

var _ chip.Tracer = (*Perfetto)(nil)
