package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
)

// pev is one decoded trace event; times in picoseconds.
type pev struct {
	Name, Cat, Ph, S, Bp string
	Ts, Dur              int64
	HasDur, HasID        bool
	Pid, Tid             int64
	ID                   uint64
	Args                 json.RawMessage
}

func (e pev) thread() [2]int64 { return [2]int64{e.Pid, e.Tid} }

// key is an event without its position in the file, for comparing traces.
func (e pev) key() string {
	return fmt.Sprintf("%s|%s|%d|%d|%d|%d|%s", e.Name, e.Ph, e.Ts, e.Dur, e.Pid, e.Tid, e.Args)
}

// arg reads one integer argument.
func (e pev) arg(t *testing.T, key string) int64 {
	var m map[string]json.Number
	require.NoError(t, json.Unmarshal(e.Args, &m), "args of %s", e.Name)
	n, ok := m[key]
	require.True(t, ok, "%s has no argument %s", e.Name, key)
	v, err := n.Int64()
	require.NoError(t, err)
	return v
}

// usToPS reads a JSON number of microseconds exactly, as picoseconds.
func usToPS(n json.Number) (int64, error) {
	s := string(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > 6 {
		return 0, fmt.Errorf("more than picosecond precision in %s", n)
	}
	fp += strings.Repeat("0", 6-len(fp))
	i, err1 := strconv.ParseInt(ip, 10, 64)
	f, err2 := strconv.ParseInt(fp, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad time %s", n)
	}
	v := i*1_000_000 + f
	if neg {
		v = -v
	}
	return v, nil
}

// rawEvent is an event as written; pointers tell absent fields.
type rawEvent struct {
	Name *string         `json:"name"`
	Cat  string          `json:"cat"`
	Ph   *string         `json:"ph"`
	Ts   *json.Number    `json:"ts"`
	Dur  *json.Number    `json:"dur"`
	Pid  *json.Number    `json:"pid"`
	Tid  *json.Number    `json:"tid"`
	ID   *json.Number    `json:"id"`
	Bp   string          `json:"bp"`
	S    string          `json:"s"`
	Args json.RawMessage `json:"args"`
}

// parsePerfetto decodes a trace and checks every event has the fields the
// trace-event format requires for its phase.
func parsePerfetto(t *testing.T, data []byte) []pev {
	t.Helper()
	var doc struct {
		TraceEvents []rawEvent `json:"traceEvents"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&doc), "valid JSON")
	require.NotEmpty(t, doc.TraceEvents)
	out := make([]pev, 0, len(doc.TraceEvents))
	for i := range doc.TraceEvents {
		e, err := decodeEvent(&doc.TraceEvents[i])
		if err != nil {
			t.Fatalf("event %d %+v: %v", i, doc.TraceEvents[i], err)
		}
		out = append(out, e)
	}
	return out
}

func decodeEvent(r *rawEvent) (pev, error) {
	var e pev
	if r.Name == nil || *r.Name == "" {
		return e, fmt.Errorf("name must be a non-empty string")
	}
	if r.Ph == nil || *r.Ph == "" {
		return e, fmt.Errorf("ph must be a non-empty string")
	}
	e.Name, e.Ph, e.Cat, e.Args = *r.Name, *r.Ph, r.Cat, r.Args
	if r.Ts == nil || r.Pid == nil || r.Tid == nil {
		return e, fmt.Errorf("ts, pid and tid are required")
	}
	var err error
	if e.Ts, err = usToPS(*r.Ts); err != nil {
		return e, err
	}
	if e.Pid, err = r.Pid.Int64(); err != nil {
		return e, fmt.Errorf("pid: %w", err)
	}
	if e.Tid, err = r.Tid.Int64(); err != nil {
		return e, fmt.Errorf("tid: %w", err)
	}
	if len(e.Args) > 0 && e.Args[0] != '{' {
		return e, fmt.Errorf("args must be an object")
	}
	switch e.Ph {
	case "X":
		if r.Dur == nil {
			return e, fmt.Errorf("a complete event needs dur")
		}
		if e.Dur, err = usToPS(*r.Dur); err != nil || e.Dur < 0 {
			return e, fmt.Errorf("bad dur %s", *r.Dur)
		}
		e.HasDur = true
	case "s", "t", "f":
		if r.ID == nil {
			return e, fmt.Errorf("a flow event needs an id")
		}
		if e.ID, err = strconv.ParseUint(string(*r.ID), 10, 64); err != nil {
			return e, err
		}
		e.HasID = true
		if e.Cat == "" {
			return e, fmt.Errorf("flow events match on cat and name: cat is missing")
		}
		if e.Bp = r.Bp; e.Ph == "f" && e.Bp != "e" {
			return e, fmt.Errorf(`flows end in their enclosing slice: want bp "e"`)
		}
	case "C", "M":
		var m map[string]any
		if err := json.Unmarshal(e.Args, &m); err != nil || len(m) == 0 {
			return e, fmt.Errorf("%s events need args", e.Ph)
		}
	case "i":
		if e.S = r.S; e.S != "t" && e.S != "p" && e.S != "g" {
			return e, fmt.Errorf("instant scope %q", e.S)
		}
	default:
		return e, fmt.Errorf("unexpected phase %q", e.Ph)
	}
	return e, nil
}

// checkStructure checks what viewers need: slices on one thread nest
// properly, flows start, step through and finish in time order, each flow
// event lies in a slice of its thread.
func checkStructure(t *testing.T, evs []pev) {
	t.Helper()
	slices := map[[2]int64][]pev{}
	for _, e := range evs {
		if e.Ph == "X" {
			slices[e.thread()] = append(slices[e.thread()], e)
		}
	}
	for th, ss := range slices {
		sort.SliceStable(ss, func(i, j int) bool {
			if ss[i].Ts != ss[j].Ts {
				return ss[i].Ts < ss[j].Ts
			}
			return ss[i].Dur > ss[j].Dur
		})
		var stack []pev
		for _, s := range ss {
			for len(stack) > 0 && stack[len(stack)-1].Ts+stack[len(stack)-1].Dur <= s.Ts &&
				!(stack[len(stack)-1].Dur == 0 && s.Ts == stack[len(stack)-1].Ts && s.Dur == 0) {
				stack = stack[:len(stack)-1]
			}
			if n := len(stack); n > 0 {
				if top := stack[n-1]; s.Ts+s.Dur > top.Ts+top.Dur {
					t.Fatalf("thread %v: %s [%d, +%d) overlaps %s [%d, +%d) without nesting", th, s.Name, s.Ts, s.Dur,
						top.Name, top.Ts, top.Dur)
				}
			}
			stack = append(stack, s)
		}
	}
	inSlice := func(e pev) bool {
		ss := slices[e.thread()]
		i := sort.Search(len(ss), func(i int) bool { return ss[i].Ts > e.Ts })
		for j := i - 1; j >= 0 && j >= i-64; j-- {
			s := ss[j]
			if s.Ts <= e.Ts && (e.Ts < s.Ts+s.Dur || s.Dur == 0 && e.Ts == s.Ts) {
				return true
			}
		}
		return false
	}
	type fl struct{ s, f, t int }
	flows := map[uint64]*fl{}
	last := map[uint64]int64{}
	for _, e := range evs {
		if !e.HasID {
			continue
		}
		if e.Name != "packet" {
			t.Fatalf("flow %d is named %q", e.ID, e.Name)
		}
		if !inSlice(e) {
			t.Fatalf("flow %d %s at %d ps is in no slice of thread %v", e.ID, e.Ph, e.Ts, e.thread())
		}
		x := flows[e.ID]
		if x == nil {
			x = &fl{}
			flows[e.ID] = x
		}
		switch e.Ph {
		case "s":
			if x.s+x.t+x.f != 0 {
				t.Fatalf("flow %d: s after other events", e.ID)
			}
			x.s++
		case "t":
			if x.s != 1 || x.f != 0 {
				t.Fatalf("flow %d: step outside start..finish", e.ID)
			}
			x.t++
		case "f":
			if x.s != 1 {
				t.Fatalf("flow %d: finish without start", e.ID)
			}
			x.f++
		}
		if prev, ok := last[e.ID]; ok && prev > e.Ts {
			t.Fatalf("flow %d goes back in time: %d after %d", e.ID, e.Ts, prev)
		}
		last[e.ID] = e.Ts
	}
	for id, x := range flows {
		if x.s != 1 || x.f != 1 {
			t.Fatalf("flow %d: %d starts and %d finishes, want one each", id, x.s, x.f)
		}
	}
}

func perfettoRun(t *testing.T, img *image.Image, steps int, f Filter, costs *preset.Spec) ([]byte, *chip.Result) {
	t.Helper()
	var buf bytes.Buffer
	p, err := NewPerfetto(&buf, LayoutOf(img), f, costs)
	require.NoError(t, err)
	res := runNet(t, img, steps, p)
	require.NoError(t, p.Close())
	return buf.Bytes(), res
}

func count(evs []pev, pred func(pev) bool) int {
	n := 0
	for _, e := range evs {
		if pred(e) {
			n++
		}
	}
	return n
}

func TestPerfettoRealNetworks(t *testing.T) {
	for _, nc := range nets {
		t.Run(nc.name, func(t *testing.T) {
			img := compileNet(t, nc.file, nc.spec)
			out, res := perfettoRun(t, img, nc.steps, Filter{}, &img.Preset)
			again, _ := perfettoRun(t, img, nc.steps, Filter{}, &img.Preset)
			require.Equal(t, out, again, "the same run writes the same bytes")
			evs := parsePerfetto(t, out)
			checkStructure(t, evs)
			rep := res.Report
			named := func(name, ph string) int {
				return count(evs, func(e pev) bool { return e.Name == name && e.Ph == ph })
			}
			// One synaptic-batch slice per delivered packet, one sweep per
			// core and step, one hop slice per hop, one flow per packet.
			assert.Equal(t, int(rep.Mesh.Delivered), named("synapses", "X"))
			assert.Equal(t, nc.steps*len(rep.Cores), named("sweep", "X"))
			assert.Equal(t, int(rep.Ops.HopsEW+rep.Ops.HopsNS), named("hop", "X"))
			assert.Equal(t, int(rep.Mesh.Injected), count(evs, func(e pev) bool { return e.Ph == "f" }))
			assert.Equal(t, nc.steps, named("step", "X"))
			assert.Equal(t, nc.steps, named("barrier", "X"))
			assert.Equal(t, int(rep.Ops.Spikes), count(evs, func(e pev) bool {
				return e.Ph == "X" && strings.HasPrefix(e.Name, "spike ")
			}))
			assert.Equal(t, int(rep.Ops.InputSpikes), count(evs, func(e pev) bool {
				return e.Ph == "i" && strings.HasPrefix(e.Name, "spike ")
			}))
			// Synaptic ops by slice add up to the report's.
			var ops int64
			var busy = map[[2]int64]int64{}
			for _, e := range evs {
				if e.Ph == "X" && (e.Name == "synapses" || e.Name == "sweep") {
					busy[e.thread()] += e.Dur
				}
				if e.Name == "synapses" {
					ops += e.arg(t, "ops")
				}
			}
			assert.Equal(t, int64(rep.Ops.SynOps), ops)
			for _, cr := range rep.Cores {
				assert.Equal(t, cr.BusyPS, busy[[2]int64{int64(pidTile(cr.ID / int32(img.Preset.Mesh.CoresPerTile))), int64(tidFirstCore + cr.ID)}], "core %d busy", cr.ID)
			}
			// The energy counter ends at the report's energy.
			var lastE pev
			for _, e := range evs {
				if e.Name == "energy" && e.Ph == "C" && e.Ts >= lastE.Ts {
					lastE = e
				}
			}
			dyn, tot := lastE.arg(t, "dynamic_fj"), lastE.arg(t, "total_fj")
			assert.Equal(t, int64(rep.Energy.DynamicFJ), dyn)
			assert.Equal(t, int64(rep.Energy.TotalFJ), tot)
			assert.Equal(t, rep.HardwareTimePS, lastE.Ts)
			// Routers drain: every packet counter ends at 0.
			final := map[int64]pev{}
			for _, e := range evs {
				if e.Name == "packets" && e.Ph == "C" && e.Ts >= final[e.Pid].Ts {
					final[e.Pid] = e
				}
			}
			for pid, e := range final {
				assert.Zero(t, e.arg(t, "in_flight"), "router of process %d ends with packets", pid)
			}
			// Every thread and process is named.
			named2 := map[[2]int64]bool{}
			procs := map[int64]bool{}
			for _, e := range evs {
				if e.Ph == "M" && e.Name == "thread_name" {
					named2[e.thread()] = true
				}
				if e.Ph == "M" && e.Name == "process_name" {
					procs[e.Pid] = true
				}
			}
			for _, e := range evs {
				if (e.Ph == "X" || e.Ph == "i") && !named2[e.thread()] {
					t.Fatalf("thread %v has no name", e.thread())
				}
				if !procs[e.Pid] {
					t.Fatalf("process %d has no name", e.Pid)
				}
			}
		})
	}
}

// TestPerfettoFilters checks that the filtered trace is the full trace's
// events that the filter keeps, no more and no less.
func TestPerfettoFilters(t *testing.T) {
	img := compileNet(t, randomNet, spread())
	l := LayoutOf(img)
	const steps = 8
	full, res := perfettoRun(t, img, steps, Filter{}, nil)
	total := res.Report.HardwareTimePS
	cores := []int32{l.Cores[0].ID, l.Cores[5].ID, l.Cores[9].ID}
	tiles := []int32{0, 2, 5}
	// From the start of step 4 (the busiest) into step 7.
	from := res.StepTimePS[0] + res.StepTimePS[1] + res.StepTimePS[2]
	f := Filter{FromPS: from, ToPS: 3 * total / 4, Cores: cores, Tiles: tiles,
		Neurons: map[string][]int32{"exc": nil, "inh": {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "drive": {0, 1, 2, 3}},
		Kinds:   KindSweep | KindSynapses | KindPackets | KindSpikes}
	part, _ := perfettoRun(t, img, steps, f, nil)
	assert.Less(t, len(part), len(full)/4)
	fe, pe := parsePerfetto(t, full), parsePerfetto(t, part)
	checkStructure(t, pe)

	s, err := f.compile(&l)
	require.NoError(t, err)
	coreOfTid := func(tid int64) int32 { return int32(tid - tidFirstCore) }
	tileOfPid := func(pid int64) int32 { return int32(pid - pidFirstTile) }
	keep := func(e pev) bool {
		if !s.in(e.Ts) {
			return false
		}
		switch {
		case e.Name == "sweep" || e.Name == "synapses":
			return s.coreOn(coreOfTid(e.Tid))
		case e.Name == "barrier":
			return false // not a selected kind
		case e.Name == "hop":
			return s.tileOn(tileOfPid(e.Pid))
		case e.Name == "step" || e.Name == "inject":
			return true
		case strings.HasPrefix(e.Name, "spike "):
			pop, rest, _ := strings.Cut(strings.TrimPrefix(e.Name, "spike "), "[")
			n, _ := strconv.Atoi(strings.TrimSuffix(rest, "]"))
			p := l.Population(pop)
			if l.Populations[p].Input {
				return s.neuronOn(int32(p), int32(n))
			}
			return s.neuronOn(int32(p), int32(n)) && s.coreOn(coreOfTid(e.Tid))
		}
		return false
	}
	var want, got []string
	for _, e := range fe {
		if (e.Ph == "X" || e.Ph == "i") && keep(e) {
			want = append(want, e.key())
		}
	}
	for _, e := range pe {
		if e.Ph == "X" || e.Ph == "i" {
			got = append(got, e.key())
		}
	}
	require.NotEmpty(t, want)
	assert.ElementsMatch(t, want, got)
	assert.Positive(t, count(pe, func(e pev) bool { return e.Name == "hop" }), "the selected routers forward packets")
	assert.Positive(t, count(pe, func(e pev) bool { return e.Name == "synapses" }))
	assert.Positive(t, count(pe, func(e pev) bool { return strings.HasPrefix(e.Name, "spike exc[") }))

	// Router counters: the kept routers' values inside the window.
	counters := func(evs []pev) []string {
		var out []string
		for _, e := range evs {
			if e.Ph == "C" && e.Name == "packets" && s.tileOn(tileOfPid(e.Pid)) && e.Ts > f.FromPS && e.Ts < f.ToPS {
				out = append(out, e.key())
			}
		}
		return out
	}
	require.NotEmpty(t, counters(pe))
	assert.ElementsMatch(t, counters(fe), counters(pe))
	for _, e := range pe {
		if e.Ph == "C" {
			assert.True(t, s.tileOn(tileOfPid(e.Pid)), "counter of an unselected router")
		}
	}
	// Flows only through kept slices (checked by checkStructure), and some
	// remain.
	assert.Positive(t, count(pe, func(e pev) bool { return e.Ph == "f" }))
	// No energy without costs.
	assert.Zero(t, count(pe, func(e pev) bool { return e.Name == "energy" }))
}

// waitTap passes packet events on to a Perfetto writer and adds up the
// hop waits the chip reports.
type waitTap struct {
	*Perfetto
	waits int64
}

func (w *waitTap) Packet(ev chip.PacketEvent) {
	w.waits += ev.WaitPS
	w.Perfetto.Packet(ev)
}

// With the cycle-accurate mesh, a hop slice's wait_ps is the time the
// packet's head waited at the router it left, beyond its zero-load
// pipeline, as the chip reports it (its hop slices begin when the head won
// the switch, so no output-port wait adds to it).
func TestPerfettoCycleMeshWaits(t *testing.T) {
	spec := spread()
	spec.MeshModel = preset.MeshCycle
	img := compileNet(t, randomNet, spec)
	var buf bytes.Buffer
	p, err := NewPerfetto(&buf, LayoutOf(img), Filter{}, nil)
	require.NoError(t, err)
	tap := &waitTap{Perfetto: p}
	runNet(t, img, 10, tap)
	require.NoError(t, p.Close())
	var sum int64
	hops := 0
	for _, e := range parsePerfetto(t, buf.Bytes()) {
		if e.Name == "hop" && e.Ph == "X" {
			w := e.arg(t, "wait_ps")
			require.GreaterOrEqual(t, w, int64(0))
			sum += w
			hops++
		}
	}
	require.Positive(t, hops)
	assert.Positive(t, tap.waits, "spikes queue up somewhere")
	assert.Equal(t, tap.waits, sum)
}
