package trace

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tessera-sim/tessera/chip"
)

// VCD writes an IEEE 1364 value change dump, timescale 1 ps, for waveform
// viewers such as GTKWave. Scopes and signals:
//
//	chip.step                      integer: the current timestep (from 1)
//	chip.barrier                   1 while the end-of-step barrier runs
//	chip.tile_X_Y.core_N.busy      1 while core N sweeps or serves a packet
//	chip.tile_X_Y.core_N.op        0 idle, 1 sweep, 2 synapses
//	chip.tile_X_Y.router.packets   packets at the router: from their arrival
//	                               (or injection) until they reach the next
//	                               tile (or are handed to a core)
//	chip.tile_X_Y.router.valid     1 while a packet leaves through an output
//	                               port (the hop's latency before it arrives)
//	chip.pop_NAME.nI.spike         1 for 1 ps at each spike of neuron I
//
// A VCD holds one timestep of changes, sorted at the step's end, so its
// memory does not grow with the run. Calls must come from one goroutine (the
// chip's event loop). Write errors are returned by Close.
type VCD struct {
	w   *bufio.Writer
	l   Layout
	s   sel
	err error

	vars []vcdVar
	cur  []int64 // state after the changes so far
	out  []int64 // value last written
	mark []uint32
	gen  uint32
	hit  []int32 // vars touched at the current time

	coreBusy, coreOp        []int32 // by core id: var index, or -1
	routerPkts, routerValid []int32 // by tile
	spike                   [][]int32
	stepVar, barrierVar     int32

	ch      changes
	b       []byte // scratch for one line
	started bool
	lastT   int64
	endPS   int64
	closed  bool
}

type vcdKind uint8

const (
	vcdBit   vcdKind = iota // 1 bit, the value itself
	vcdLevel                // 1 bit: 1 while the level is > 0
	vcdInt                  // a vector of width bits, clamped at 0
)

type vcdVar struct {
	id    string
	kind  vcdKind
	width int
}

// NewVCD checks the filter against the layout and writes the VCD header,
// declaring the signals the filter selects, to w.
func NewVCD(w io.Writer, layout Layout, filter Filter) (*VCD, error) {
	s, err := filter.compile(&layout)
	if err != nil {
		return nil, err
	}
	v := &VCD{w: bufio.NewWriterSize(w, 64<<10), l: layout, s: s, lastT: -1, barrierVar: -1}
	v.header()
	if err := v.flushErr(); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *VCD) newVar(kind vcdKind, width int) int32 {
	i := len(v.vars)
	v.vars = append(v.vars, vcdVar{id: vcdID(i), kind: kind, width: width})
	return int32(i)
}

// vcdID is the identifier code of variable i: base 94 over the printable
// ASCII characters '!'..'~'.
func vcdID(i int) string {
	var b []byte
	for {
		b = append(b, byte('!'+i%94))
		i /= 94
		if i == 0 {
			return string(b)
		}
		i--
	}
}

func (v *VCD) header() {
	l, s := &v.l, &v.s
	w := v.w
	fmt.Fprintf(w, "$version tessera chip/trace $end\n")
	fmt.Fprintf(w, "$comment network %s, preset %s; op: 0 idle, 1 sweep, 2 synapses $end\n",
		vcdComment(l.Network), vcdComment(l.Preset))
	fmt.Fprintf(w, "$timescale 1ps $end\n")
	decl := func(typ string, i int32, name string) {
		fmt.Fprintf(w, "$var %s %d %s %s $end\n", typ, v.vars[i].width, v.vars[i].id, name)
	}
	fmt.Fprintf(w, "$scope module chip $end\n")
	v.stepVar = v.newVar(vcdInt, 32)
	decl("integer", v.stepVar, "step")
	if s.kinds&KindBarrier != 0 {
		v.barrierVar = v.newVar(vcdBit, 1)
		decl("wire", v.barrierVar, "barrier")
	}

	nCores := l.Width * l.Height * l.CoresPerTile
	v.coreBusy, v.coreOp = filled(nCores), filled(nCores)
	v.routerPkts, v.routerValid = filled(l.Tiles()), filled(l.Tiles())
	coresOn := s.kinds&(KindSweep|KindSynapses) != 0
	routersOn := s.kinds&KindPackets != 0
	byTile := make([][]int32, l.Tiles())
	if coresOn {
		for _, c := range l.Cores {
			if s.coreOn(c.ID) {
				t := l.CoreTile(c.ID)
				byTile[t] = append(byTile[t], c.ID)
			}
		}
	}
	for t := int32(0); t < int32(l.Tiles()); t++ {
		router := routersOn && s.tileOn(t)
		if len(byTile[t]) == 0 && !router {
			continue
		}
		x, y := l.TileXY(t)
		fmt.Fprintf(w, "$scope module tile_%d_%d $end\n", x, y)
		for _, c := range byTile[t] {
			fmt.Fprintf(w, "$scope module core_%d $end\n", c)
			v.coreBusy[c] = v.newVar(vcdBit, 1)
			decl("wire", v.coreBusy[c], "busy")
			v.coreOp[c] = v.newVar(vcdInt, 2)
			decl("reg", v.coreOp[c], "op")
			fmt.Fprintf(w, "$upscope $end\n")
		}
		if router {
			fmt.Fprintf(w, "$scope module router $end\n")
			v.routerPkts[t] = v.newVar(vcdInt, 32)
			decl("integer", v.routerPkts[t], "packets")
			v.routerValid[t] = v.newVar(vcdLevel, 1)
			decl("wire", v.routerValid[t], "valid")
			fmt.Fprintf(w, "$upscope $end\n")
		}
		fmt.Fprintf(w, "$upscope $end\n")
	}

	v.spike = make([][]int32, len(l.Populations))
	if s.kinds&KindSpikes != 0 {
		used := map[string]bool{}
		for p, pop := range l.Populations {
			on := s.neuron[p]
			if !anyTrue(on) {
				continue
			}
			name := uniqueName("pop_"+vcdName(pop.Name), used)
			fmt.Fprintf(w, "$scope module %s $end\n", name)
			v.spike[p] = filled(int(pop.Size))
			for n, ok := range on {
				if !ok {
					continue
				}
				fmt.Fprintf(w, "$scope module n%d $end\n", n)
				v.spike[p][n] = v.newVar(vcdBit, 1)
				decl("wire", v.spike[p][n], "spike")
				fmt.Fprintf(w, "$upscope $end\n")
			}
			fmt.Fprintf(w, "$upscope $end\n")
		}
	}
	fmt.Fprintf(w, "$upscope $end\n$enddefinitions $end\n")
	n := len(v.vars)
	v.cur, v.out, v.mark = make([]int64, n), make([]int64, n), make([]uint32, n)
}

func filled(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

func anyTrue(b []bool) bool {
	for _, x := range b {
		if x {
			return true
		}
	}
	return false
}

// vcdName makes a VCD reference name: letters, digits and '_' only.
func vcdName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

func uniqueName(name string, used map[string]bool) string {
	out := name
	for i := 2; used[out]; i++ {
		out = name + "_" + strconv.Itoa(i)
	}
	used[out] = true
	return out
}

func vcdComment(s string) string { return strings.ReplaceAll(s, "$end", "$ end") }

// Sweep implements chip.Tracer.
func (v *VCD) Sweep(step, core int32, startPS, durPS int64, active, inactive int) {
	if v.s.kinds&KindSweep != 0 {
		v.coreSpan(core, startPS, durPS, 1)
	}
}

// Synapses implements chip.Tracer.
func (v *VCD) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64) {
	if v.s.kinds&KindSynapses != 0 {
		v.coreSpan(core, startPS, durPS, 2)
	}
}

// Learn implements chip.Tracer: op 3 while the core updates synapses.
func (v *VCD) Learn(step, core int32, startPS, durPS int64, updates int) {
	if v.s.kinds&KindLearn != 0 {
		v.coreSpan(core, startPS, durPS, 3)
	}
}

func (v *VCD) coreSpan(core int32, start, dur int64, op int64) {
	if core < 0 || int(core) >= len(v.coreOp) || v.coreOp[core] < 0 || start >= v.s.to {
		return
	}
	v.ch.set(start, v.coreOp[core], op)
	v.ch.set(start, v.coreBusy[core], 1)
	v.ch.set(start+dur, v.coreOp[core], 0)
	v.ch.set(start+dur, v.coreBusy[core], 0)
}

// Spike implements chip.Tracer.
func (v *VCD) Spike(step int32, timePS int64, population, neuron int32) {
	if population < 0 || int(population) >= len(v.spike) || timePS >= v.s.to {
		return
	}
	ns := v.spike[population]
	if neuron < 0 || int(neuron) >= len(ns) || ns[neuron] < 0 {
		return
	}
	v.ch.set(timePS, ns[neuron], 1)
	v.ch.set(timePS+1, ns[neuron], 0)
}

// Packet implements chip.Tracer.
func (v *VCD) Packet(ev chip.PacketEvent) {
	if v.s.kinds&KindPackets == 0 || ev.FromPS >= v.s.to {
		return
	}
	at := func(tile int32, arr []int32) int32 {
		if tile < 0 || int(tile) >= len(arr) {
			return -1
		}
		return arr[tile]
	}
	switch ev.Kind {
	case chip.PacketInject:
		if k := at(ev.FromTile, v.routerPkts); k >= 0 {
			v.ch.add(ev.TimePS, k, 1)
		}
	case chip.PacketHop:
		if k := at(ev.FromTile, v.routerPkts); k >= 0 {
			v.ch.add(ev.TimePS, k, -1)
			kv := v.routerValid[ev.FromTile]
			v.ch.add(leaveStart(&v.l, ev), kv, 1)
			v.ch.add(ev.TimePS, kv, -1)
		}
		if k := at(ev.ToTile, v.routerPkts); k >= 0 {
			v.ch.add(ev.TimePS, k, 1)
		}
	case chip.PacketDeliver:
		if k := at(ev.ToTile, v.routerPkts); k >= 0 {
			v.ch.add(ev.TimePS, k, -1)
		}
	}
}

// leaveStart is when a hop took its output port: its arrival at the next
// tile less the hop's latency, never before it reached the router.
func leaveStart(l *Layout, ev chip.PacketEvent) int64 {
	lat := l.HopEWPS
	if ev.FromTile/int32(l.Width) != ev.ToTile/int32(l.Width) {
		lat = l.HopNSPS
	}
	if lat <= 0 {
		return ev.FromPS
	}
	return max(ev.FromPS, ev.TimePS-lat)
}

// EndStep implements chip.Tracer: it writes the step's changes.
func (v *VCD) EndStep(step int32, startPS, workEndPS, endPS int64) {
	if startPS < v.s.to {
		v.ch.set(startPS, v.stepVar, int64(step))
	}
	if v.barrierVar >= 0 && workEndPS < v.s.to {
		v.ch.set(workEndPS, v.barrierVar, 1)
		v.ch.set(endPS, v.barrierVar, 0)
	}
	v.endPS = max(v.endPS, endPS)
	v.ch.drain(endPS, v.group)
}

// group applies the changes at time t and writes the signals they changed.
func (v *VCD) group(t int64, cs []change) {
	if t >= v.s.to {
		return
	}
	if !v.started && t > v.s.from {
		v.start()
	}
	v.gen++
	v.hit = v.hit[:0]
	for _, c := range cs {
		if c.delta {
			v.cur[c.key] += c.val
		} else {
			v.cur[c.key] = c.val
		}
		if v.mark[c.key] != v.gen {
			v.mark[c.key] = v.gen
			v.hit = append(v.hit, c.key)
		}
	}
	if t < v.s.from {
		return
	}
	if !v.started {
		v.start() // t == from: the dump holds this time's values
		return
	}
	for _, k := range v.hit {
		if d := v.display(k); d != v.out[k] {
			v.stamp(t)
			v.value(k, d)
		}
	}
}

// start writes every signal's value at the window's start.
func (v *VCD) start() {
	v.started = true
	v.stamp(v.s.from)
	v.w.WriteString("$dumpvars\n")
	for k := range v.vars {
		v.value(int32(k), v.display(int32(k)))
	}
	v.w.WriteString("$end\n")
}

func (v *VCD) display(k int32) int64 {
	x := v.cur[k]
	switch v.vars[k].kind {
	case vcdLevel:
		if x > 0 {
			return 1
		}
		return 0
	case vcdInt:
		return max(x, 0)
	}
	return x
}

func (v *VCD) stamp(t int64) {
	if t == v.lastT {
		return
	}
	v.lastT = t
	b := append(v.b[:0], '#')
	b = strconv.AppendInt(b, t, 10)
	b = append(b, '\n')
	v.b = b
	v.w.Write(b)
}

func (v *VCD) value(k int32, d int64) {
	v.out[k] = d
	vr := &v.vars[k]
	b := v.b[:0]
	if vr.width == 1 {
		b = append(b, byte('0'+d&1))
	} else {
		b = append(b, 'b')
		b = strconv.AppendUint(b, uint64(d), 2)
		b = append(b, ' ')
	}
	b = append(b, vr.id...)
	b = append(b, '\n')
	v.b = b
	v.w.Write(b)
}

// Close writes the changes still buffered and the run's end time, and
// flushes. It reports the first write error. It does not close the
// underlying writer.
func (v *VCD) Close() error {
	if v.closed {
		return v.err
	}
	v.closed = true
	v.ch.drain(math.MaxInt64, v.group)
	if !v.started && v.s.from < v.s.to {
		v.start()
	}
	if end := min(v.endPS, v.s.to); v.started && end > v.lastT && v.endPS > 0 {
		v.stamp(end)
	}
	return v.flushErr()
}

func (v *VCD) flushErr() error {
	if err := v.w.Flush(); err != nil && v.err == nil {
		v.err = fmt.Errorf("write vcd: %w", err)
	}
	return v.err
}

var _ chip.Tracer = (*VCD)(nil)
