package trace

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Kind is a set of event kinds a trace shows.
type Kind uint8

const (
	KindSweep    Kind = 1 << iota // core sweeps (neuron updates)
	KindSynapses                  // synaptic batches (a core serving an arriving packet)
	KindPackets                   // packets: router activity, flows, packets in flight
	KindSpikes                    // neuron and input spikes
	KindBarrier                   // end-of-step barriers
	KindLearn                     // learning phases (synapse updates after the barrier)

	AllKinds = KindSweep | KindSynapses | KindPackets | KindSpikes | KindBarrier | KindLearn
)

var kindNames = []struct {
	k    Kind
	name string
}{{KindSweep, "sweep"}, {KindSynapses, "synapses"}, {KindPackets, "packets"}, {KindSpikes, "spikes"},
	{KindBarrier, "barrier"}, {KindLearn, "learn"}}

// String lists the kinds as ParseKinds reads them.
func (k Kind) String() string {
	var parts []string
	for _, kn := range kindNames {
		if k&kn.k != 0 {
			parts = append(parts, kn.name)
		}
	}
	return strings.Join(parts, ",")
}

// ParseKinds reads a comma-separated list of kinds: sweep, synapses,
// packets, spikes, barrier, or all.
func ParseKinds(s string) (Kind, error) {
	var k Kind
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "all" {
			k |= AllKinds
			continue
		}
		i := slices.IndexFunc(kindNames, func(kn struct {
			k    Kind
			name string
		}) bool {
			return kn.name == f
		})
		if i < 0 {
			return 0, fmt.Errorf("unknown event kind %q: use sweep, synapses, packets, spikes, barrier or all", f)
		}
		k |= kindNames[i].k
	}
	if k == 0 {
		return 0, errors.New("no event kind given: use sweep, synapses, packets, spikes, barrier or all")
	}
	return k, nil
}

// Filter selects what a trace shows. The zero Filter shows everything.
// Each field selects independently: Cores does not restrict Tiles.
type Filter struct {
	// FromPS and ToPS are the time window [FromPS, ToPS) in picoseconds; ToPS
	// ≤ 0 means no end. VCD writes the changes in the window, starting with
	// every signal's value at FromPS; Perfetto keeps the events that start in
	// it.
	FromPS, ToPS int64
	// Cores are the global core ids to show (busy/op, core tracks); nil: all.
	Cores []int32
	// Tiles are the tile indices (x + y·width) whose routers to show; nil:
	// all.
	Tiles []int32
	// Neurons maps a population name to the indices whose spikes to show (a
	// nil or empty list: the whole population); a nil map: every neuron.
	Neurons map[string][]int32
	// Kinds are the event kinds to show; 0: all.
	Kinds Kind
}

// Validate checks a filter against a layout: every core in use, every tile
// on the mesh, every population and neuron existing, a sane window.
func (f Filter) Validate(l *Layout) error {
	_, err := f.compile(l)
	return err
}

// sel is a compiled filter: flat look-ups for the hot paths.
type sel struct {
	from, to int64
	kinds    Kind
	core     []bool   // by core id
	tile     []bool   // by tile index
	neuron   [][]bool // by population, by neuron; nil: none of the population
}

func (f Filter) compile(l *Layout) (sel, error) {
	if err := l.Check(); err != nil {
		return sel{}, err
	}
	s := sel{from: f.FromPS, to: f.ToPS, kinds: f.Kinds}
	var errs []error
	if s.from < 0 {
		errs = append(errs, fmt.Errorf("window start %d ps is negative", s.from))
	}
	if s.to <= 0 {
		s.to = math.MaxInt64
	} else if s.to <= s.from {
		errs = append(errs, fmt.Errorf("window [%d, %d) ps is empty: the end must be after the start", f.FromPS, f.ToPS))
	}
	if s.kinds == 0 {
		s.kinds = AllKinds
	}
	s.core = make([]bool, l.Width*l.Height*l.CoresPerTile)
	inUse := make([]bool, len(s.core))
	for _, c := range l.Cores {
		inUse[c.ID] = true
		s.core[c.ID] = f.Cores == nil
	}
	for _, c := range f.Cores {
		if c < 0 || int(c) >= len(inUse) || !inUse[c] {
			errs = append(errs, fmt.Errorf("core %d is not in use (cores in use: %s)", c, coreList(l)))
			continue
		}
		s.core[c] = true
	}
	s.tile = make([]bool, l.Tiles())
	for t := range s.tile {
		s.tile[t] = f.Tiles == nil
	}
	for _, t := range f.Tiles {
		if t < 0 || int(t) >= len(s.tile) {
			errs = append(errs, fmt.Errorf("tile %d is outside the %d×%d mesh (tiles 0..%d, x + y·width)",
				t, l.Width, l.Height, len(s.tile)-1))
			continue
		}
		s.tile[t] = true
	}
	s.neuron = make([][]bool, len(l.Populations))
	if f.Neurons == nil {
		for p, pop := range l.Populations {
			s.neuron[p] = make([]bool, pop.Size)
			for i := range s.neuron[p] {
				s.neuron[p][i] = true
			}
		}
	}
	names := make([]string, 0, len(f.Neurons))
	for name := range f.Neurons {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := l.Population(name)
		if p < 0 {
			errs = append(errs, fmt.Errorf("no population %q (populations: %s)", name, popList(l)))
			continue
		}
		size := l.Populations[p].Size
		if s.neuron[p] == nil {
			s.neuron[p] = make([]bool, size)
		}
		idx := f.Neurons[name]
		if len(idx) == 0 {
			for i := range s.neuron[p] {
				s.neuron[p][i] = true
			}
		}
		for _, i := range idx {
			if i < 0 || i >= size {
				errs = append(errs, fmt.Errorf("population %q has neurons 0..%d, not %d", name, size-1, i))
				continue
			}
			s.neuron[p][i] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return sel{}, fmt.Errorf("trace filter: %w", err)
	}
	return s, nil
}

func (s *sel) in(t int64) bool { return t >= s.from && t < s.to }

func (s *sel) coreOn(c int32) bool { return c >= 0 && int(c) < len(s.core) && s.core[c] }

func (s *sel) tileOn(t int32) bool { return t >= 0 && int(t) < len(s.tile) && s.tile[t] }

func (s *sel) neuronOn(p, n int32) bool {
	if p < 0 || int(p) >= len(s.neuron) {
		return false
	}
	ns := s.neuron[p]
	return n >= 0 && int(n) < len(ns) && ns[n]
}

func coreList(l *Layout) string {
	var b strings.Builder
	for i, c := range l.Cores {
		if i == 16 {
			fmt.Fprintf(&b, ", … (%d in all)", len(l.Cores))
			break
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(strconv.Itoa(int(c.ID)))
	}
	return b.String()
}

func popList(l *Layout) string {
	var names []string
	for _, p := range l.Populations {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// ParseIDs reads a list of non-negative integers and ranges, "0,3,5-7".
func ParseIDs(s string) ([]int32, error) {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		lo, hi, err := parseRange(f)
		if err != nil {
			return nil, err
		}
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// ParseTiles reads a list of tiles, each a tile index ("5", "2-4") or x:y
// coordinates ("1:0"), for the mesh of l.
func ParseTiles(s string, l *Layout) ([]int32, error) {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if xs, ys, ok := strings.Cut(f, ":"); ok {
			x, err1 := strconv.Atoi(xs)
			y, err2 := strconv.Atoi(ys)
			if err1 != nil || err2 != nil || x < 0 || y < 0 || x >= l.Width || y >= l.Height {
				return nil, fmt.Errorf("tile %q: want x:y with x in 0..%d and y in 0..%d", f, l.Width-1, l.Height-1)
			}
			out = append(out, int32(x+y*l.Width))
			continue
		}
		lo, hi, err := parseRange(f)
		if err != nil {
			return nil, err
		}
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// ParseNeurons reads a neuron selection: comma-separated entries, each
// "population" (all its neurons), "population:range" or a bare range that
// continues the previous population, a range being "3" or "0-9":
// "exc:0-9,20,inh:3". "all" selects every neuron (a nil map); "probed" the
// neurons whose spikes the image records.
func ParseNeurons(s string, l *Layout) (map[string][]int32, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "all":
		return nil, nil
	case "probed":
		out := map[string][]int32{}
		for _, p := range l.Populations {
			if len(p.Probed) > 0 {
				out[p.Name] = slices.Clone(p.Probed)
			}
		}
		return out, nil
	}
	out := map[string][]int32{}
	cur := ""
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, rng, hasRange := strings.Cut(f, ":")
		if !hasRange {
			if _, _, err := parseRange(f); err == nil && cur != "" {
				name, rng, hasRange = cur, f, true
			}
		}
		if l.Population(name) < 0 {
			return nil, fmt.Errorf("neurons %q: no population %q (populations: %s)", f, name, popList(l))
		}
		cur = name
		if !hasRange {
			out[name] = nil
			continue
		}
		lo, hi, err := parseRange(rng)
		if err != nil {
			return nil, fmt.Errorf("neurons %q: %w", f, err)
		}
		if _, whole := out[name]; whole && out[name] == nil {
			continue // already the whole population
		}
		for i := lo; i <= hi; i++ {
			out[name] = append(out[name], i)
		}
	}
	return out, nil
}

func parseRange(f string) (lo, hi int32, err error) {
	a, b, isRange := strings.Cut(f, "-")
	l, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 32)
	h := l
	var err2 error
	if isRange {
		h, err2 = strconv.ParseInt(strings.TrimSpace(b), 10, 32)
	}
	if err1 != nil || err2 != nil || l < 0 || h < l {
		return 0, 0, fmt.Errorf("%q is not an index or a range lo-hi of non-negative integers", f)
	}
	if h-l > 1<<24 {
		return 0, 0, fmt.Errorf("range %q is too large", f)
	}
	return int32(l), int32(h), nil
}
