package image

// The invariants of an image, which Check verifies. An image that passes
// Check can be loaded by the chip without any further bounds check: every
// index in it points at something that exists.
//
// Image
//   - the preset is valid (preset.Spec.Validate);
//   - the name is valid UTF-8; dt_ps > 0.
//
// Cores
//   - ids strictly increase and lie in 0..Preset.Mesh.Cores()-1; used is true;
//   - the seven neuron arrays have one entry per neuron, at most
//     Preset.Core.MaxNeurons of them; every value fits the core's integer
//     datapath (package core): du and dv in 0..4095, vth in 0..2¹⁷-1,
//     bias_exp in 0..23 with bias_mant<<bias_exp within ±(2²³-1), u_init in
//     -2²³+1..2²³, v_init within ±(2²³-1);
//   - at most 255 weight-exponent classes, each exponent in -16..16;
//   - axon_start is a CSR index: at least one entry, the first 0, never
//     decreasing, the last equal to the number of synapses; at most
//     Preset.Core.MaxAxons axons;
//   - syn_neuron, syn_weight, syn_delay and syn_class have the same length;
//     each synapse names a neuron of the core, a weight-exponent class of the
//     core, a delay ≤ Preset.Core.MaxDelay and a weight that fits
//     Preset.Core.MaxWeightBits (signed);
//   - route_start is a CSR index with one entry per neuron plus one, ending
//     at len(route_core) = len(route_axon) ≤ Preset.Core.MaxRoutes;
//   - every route names a core of the image and an axon of that core.
//
// Inputs
//   - each belongs to a distinct input population of the same size ≥ 1;
//   - the kind is raster or Poisson; a raster has no probability, a Poisson
//     input no spikes;
//   - raster spikes have step ≥ 1 and index in 0..size-1 and strictly
//     increase by (step, index);
//   - routes as for cores, one route_start entry per channel plus one.
//
// Populations
//   - names are non-empty, valid UTF-8 and unique; size ≥ 1;
//   - an input population has no slices and exactly one entry in Inputs;
//   - a neuron population's slices each lie within a core of the image and
//     within the population, and together cover 0..size-1 exactly once;
//   - no two slices, of any populations, claim the same neuron of a core.
//
// Probes
//   - each names a population, records a non-empty set of known signals
//     (only spikes for an input population) and lists at least one neuron,
//     each in 0..size-1 and listed once.
//
// Check runs in time O(size of the image · log) and reports every violation;
// a violation repeated over many entries of one array is reported once, with
// the first offending entry and how many more there are, so that a badly
// broken image gives a readable error.

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/tessera-sim/tessera/core"
)

// Limits of the core's integer datapath that package core checks when it
// builds a core but does not export (core/core.go, func check); keep them
// equal. The others come from core's exported constants.
const (
	maxBiasExp       = core.MaxBiasExp
	maxWeightExp     = core.MaxWeightExp
	maxWeightClasses = core.MaxWeightClasses
)

// Check verifies that img is internally consistent and fits its preset (the
// invariants are listed at the top of check.go). It returns nil or every
// problem found, joined with errors.Join; each names the core, input,
// population or probe and the index at fault. Encode runs Check before writing
// and Decode after reading. Check never panics, whatever img holds.
func (img *Image) Check() error {
	if img == nil {
		return errors.New("image: nil image")
	}
	c := checker{img: img}
	c.header()
	c.coreIDs()
	for i := range img.Cores {
		c.core(i)
	}
	c.populations()
	c.inputs()
	c.probes()
	return errors.Join(c.errs...)
}

// checker holds what Check has learned so far.
type checker struct {
	img  *Image
	errs []error
	// coreIndex maps a core id to its index in img.Cores (first occurrence).
	coreIndex map[int32]int
	// popIndex maps a population name to its index in img.Populations
	// (first occurrence).
	popIndex map[string]int
	// claims lists, per index in img.Cores, the neuron ranges that
	// population slices place there.
	claims [][]claim
}

// claim is one slice's range of core neurons.
type claim struct {
	lo, hi     int64 // neurons lo..hi-1 of the core
	pop, slice int
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// tally collects the violations of one rule over one array, so that the rule
// is reported once with its first offender and a count.
type tally struct {
	n   int
	msg string
}

func (t *tally) add(format string, args ...any) {
	if t.n == 0 {
		t.msg = fmt.Sprintf(format, args...)
	}
	t.n++
}

func (c *checker) flush(where string, t *tally) {
	switch {
	case t.n == 1:
		c.errorf("%s: %s", where, t.msg)
	case t.n > 1:
		c.errorf("%s: %s (and %d more like it)", where, t.msg, t.n-1)
	}
	*t = tally{}
}

func (c *checker) header() {
	img := c.img
	if err := img.Preset.Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if !utf8.ValidString(img.Name) {
		c.errorf("image name %q is not valid UTF-8", img.Name)
	}
	if img.DtPS <= 0 {
		c.errorf("image dt_ps is %d; it must be > 0", img.DtPS)
	}
}

func (c *checker) coreIDs() {
	img := c.img
	total := int64(img.Preset.Mesh.Cores())
	c.coreIndex = make(map[int32]int, len(img.Cores))
	c.claims = make([][]claim, len(img.Cores))
	for i := range img.Cores {
		id := img.Cores[i].ID
		if id < 0 || int64(id) >= total {
			c.errorf("core %d (cores[%d]): id out of range 0..%d (preset %q has %d cores)",
				id, i, total-1, img.Preset.Name, total)
		}
		if i > 0 && id <= img.Cores[i-1].ID {
			c.errorf("core %d (cores[%d]): id not above the id %d of cores[%d] (core ids must strictly increase)",
				id, i, img.Cores[i-1].ID, i-1)
		}
		if _, dup := c.coreIndex[id]; !dup {
			c.coreIndex[id] = i
		}
	}
}

func (c *checker) core(i int) {
	co := &c.img.Cores[i]
	lim := c.img.Preset.Core
	where := fmt.Sprintf("core %d (cores[%d])", co.ID, i)
	var t tally

	if !co.Used {
		c.errorf("%s: used is false; an image holds only cores in use", where)
	}

	// Neurons.
	n := co.NumNeurons()
	for _, a := range [...]struct {
		name string
		len  int
	}{{"dv", len(co.Dv)}, {"vth", len(co.Vth)}, {"bias_mant", len(co.BiasMant)},
		{"bias_exp", len(co.BiasExp)}, {"u_init", len(co.UInit)}, {"v_init", len(co.VInit)}} {
		if a.len != n {
			c.errorf("%s: %s has %d entries but du has %d; every neuron array has one entry per neuron", where, a.name, a.len, n)
		}
	}
	if n > lim.MaxNeurons {
		c.errorf("%s: %d neurons, more than the %d per core of preset %q (core.max_neurons)", where, n, lim.MaxNeurons, c.img.Preset.Name)
	}
	for _, a := range [...]struct {
		name   string
		v      []int32
		lo, hi int32
	}{
		{"du", co.Du, 0, core.DecayMax},
		{"dv", co.Dv, 0, core.DecayMax},
		{"vth", co.Vth, 0, core.VthMax},
		{"bias_exp", co.BiasExp, 0, maxBiasExp},
		{"u_init", co.UInit, -core.UMax + 1, core.UMax},
		{"v_init", co.VInit, -core.VMax, core.VMax},
	} {
		for j, v := range a.v {
			if v < a.lo || v > a.hi {
				t.add("neuron %d: %s %d out of range %d..%d", j, a.name, v, a.lo, a.hi)
			}
		}
		c.flush(where, &t)
	}
	for j := range min(len(co.BiasMant), len(co.BiasExp)) {
		if e := co.BiasExp[j]; e >= 0 && e <= maxBiasExp {
			if b := int64(co.BiasMant[j]) << e; b < -core.VMax || b > core.VMax {
				t.add("neuron %d: bias %d<<%d = %d overflows the 24-bit range ±%d", j, co.BiasMant[j], e, b, core.VMax)
			}
		}
	}
	c.flush(where, &t)
	if err := co.Model.Validate(); err != nil {
		c.errorf("%s: model: %v", where, err)
	}
	if len(co.WeightExp) > maxWeightClasses {
		c.errorf("%s: %d weight-exponent classes, more than %d", where, len(co.WeightExp), maxWeightClasses)
	}
	for k, e := range co.WeightExp {
		if e < -maxWeightExp || e > maxWeightExp {
			t.add("weight-exponent class %d: exponent %d out of range %d..%d", k, e, -maxWeightExp, maxWeightExp)
		}
	}
	c.flush(where, &t)

	// Synapse memory.
	nsyn := len(co.SynNeuron)
	c.csr(where, "axon_start", co.AxonStart, -1, "axon", nsyn, "synapses")
	if co.NumAxons() > lim.MaxAxons {
		c.errorf("%s: %d axons, more than the %d per core of preset %q (core.max_axons)", where, co.NumAxons(), lim.MaxAxons, c.img.Preset.Name)
	}
	for _, a := range [...]struct {
		name string
		len  int
	}{{"syn_weight", len(co.SynWeight)}, {"syn_delay", len(co.SynDelay)}, {"syn_class", len(co.SynClass)}} {
		if a.len != nsyn {
			c.errorf("%s: %s has %d entries but syn_neuron has %d; every synapse array has one entry per synapse", where, a.name, a.len, nsyn)
		}
	}
	for s, v := range co.SynNeuron {
		if int64(v) >= int64(n) {
			t.add("synapse %d targets neuron %d, but the core has %d neurons", s, v, n)
		}
	}
	c.flush(where, &t)
	for s, v := range co.SynClass {
		if int(v) >= len(co.WeightExp) {
			t.add("synapse %d has weight-exponent class %d, but the core has %d classes", s, v, len(co.WeightExp))
		}
	}
	c.flush(where, &t)
	for s, v := range co.SynDelay {
		if int(v) > lim.MaxDelay {
			t.add("synapse %d has delay %d, more than core.max_delay %d", s, v, lim.MaxDelay)
		}
	}
	c.flush(where, &t)
	if b := lim.MaxWeightBits; b >= 1 && b <= 32 {
		lo, hi := -(int64(1) << (b - 1)), int64(1)<<(b-1)-1
		for s, v := range co.SynWeight {
			if int64(v) < lo || int64(v) > hi {
				t.add("synapse %d has weight %d, outside the %d-bit range %d..%d (core.max_weight_bits)", s, v, b, lo, hi)
			}
		}
		c.flush(where, &t)
	}

	// Plastic groups.
	for g := range co.Plastic {
		pg := &co.Plastic[g]
		pw := fmt.Sprintf("%s: plastic group %d (%s)", where, g, pg.Projection)
		if params, err := pg.Params(); err != nil {
			c.errorf("%s: %v", pw, err)
		} else if err := params.Validate(); err != nil {
			c.errorf("%s: %v", pw, err)
		}
		if len(pg.PreNeurons) != len(pg.Axons) {
			c.errorf("%s: %d pre neurons for %d inputs", pw, len(pg.PreNeurons), len(pg.Axons))
		}
		if len(pg.Weights) != n*len(pg.Axons) {
			c.errorf("%s: %d weights for %d neurons × %d inputs", pw, len(pg.Weights), n, len(pg.Axons))
		}
		for j, a := range pg.Axons {
			if int(a) >= co.NumAxons() {
				c.errorf("%s: input %d on axon %d, the core has %d axons", pw, j, a, co.NumAxons())
				break
			}
		}
		pre := c.img.population(pg.PrePopulation)
		if pre == nil {
			c.errorf("%s: unknown pre population %q", pw, pg.PrePopulation)
		} else {
			for j, x := range pg.PreNeurons {
				if x < 0 || x >= pre.Size {
					c.errorf("%s: input %d is neuron %d of %s, which has %d", pw, j, x, pre.Name, pre.Size)
					break
				}
			}
		}
	}

	// Routes.
	c.routes(where, "neuron", int64(n), co.RouteStart, co.RouteCore, co.RouteAxon)
	if len(co.RouteCore) > lim.MaxRoutes {
		c.errorf("%s: %d routes, more than the %d per core of preset %q (core.max_routes)", where, len(co.RouteCore), lim.MaxRoutes, c.img.Preset.Name)
	}
}

// csr checks a CSR index: at least one entry, the first 0, never
// decreasing, the last equal to end (the length of what it indexes, called
// endName). want is the required number of entries — one per unit plus one —
// or -1 for any. It reports whether the index is valid.
func (c *checker) csr(where, name string, idx []uint32, want int64, unit string, end int, endName string) bool {
	ok := true
	if want >= 0 && int64(len(idx)) != want {
		c.errorf("%s: %s has %d entries, want %d (one per %s plus one)", where, name, len(idx), want, unit)
		ok = false
	}
	if len(idx) == 0 {
		if want < 0 {
			c.errorf("%s: %s is empty; it needs at least the entry 0", where, name)
		}
		return false
	}
	if idx[0] != 0 {
		c.errorf("%s: %s[0] is %d, want 0", where, name, idx[0])
		ok = false
	}
	var t tally
	for j := 1; j < len(idx); j++ {
		if idx[j] < idx[j-1] {
			t.add("%s[%d] = %d is below %s[%d] = %d (it must not decrease)", name, j, idx[j], name, j-1, idx[j-1])
		}
	}
	if t.n > 0 {
		ok = false
	}
	c.flush(where, &t)
	if last := idx[len(idx)-1]; int64(last) != int64(end) {
		c.errorf("%s: %s ends at %d, but there are %d %s", where, name, last, end, endName)
		ok = false
	}
	return ok
}

// routes checks a route table with one route_start entry per unit (neuron
// or channel) plus one.
func (c *checker) routes(where, unit string, units int64, start, core, axon []uint32) {
	startOK := c.csr(where, "route_start", start, units+1, unit, len(core), "routes")
	if len(axon) != len(core) {
		c.errorf("%s: route_axon has %d entries but route_core has %d", where, len(axon), len(core))
	}
	owner := func(r int) string {
		if !startOK {
			return ""
		}
		// The unit u whose routes start[u]..start[u+1]-1 hold r.
		u, _ := slices.BinarySearch(start, uint32(r)+1)
		return fmt.Sprintf(" (of %s %d)", unit, u-1)
	}
	var missing, badAxon tally
	for r := 0; r < len(core) && r < len(axon); r++ {
		k, ok := int32(-1), false
		if core[r] <= uint32(1<<31-1) {
			k = int32(core[r])
			_, ok = c.coreIndex[k]
		}
		if !ok {
			missing.add("route %d%s targets core %d, which is not in the image", r, owner(r), core[r])
			continue
		}
		if na := c.img.Cores[c.coreIndex[k]].NumAxons(); int64(axon[r]) >= int64(na) {
			badAxon.add("route %d%s targets axon %d of core %d, which has %d axons", r, owner(r), axon[r], k, na)
		}
	}
	c.flush(where, &missing)
	c.flush(where, &badAxon)
}

func (c *checker) populations() {
	img := c.img
	c.popIndex = make(map[string]int, len(img.Populations))
	for i := range img.Populations {
		p := &img.Populations[i]
		where := fmt.Sprintf("population %q (populations[%d])", p.Name, i)
		switch {
		case p.Name == "":
			c.errorf("%s: the name is empty", where)
		case !utf8.ValidString(p.Name):
			c.errorf("%s: the name is not valid UTF-8", where)
		}
		if j, dup := c.popIndex[p.Name]; dup {
			c.errorf("%s: the name is already used by populations[%d]", where, j)
		} else {
			c.popIndex[p.Name] = i
		}
		if p.Size < 1 {
			c.errorf("%s: size %d, must be ≥ 1", where, p.Size)
		}
		if p.IsInput {
			if len(p.Slices) > 0 {
				c.errorf("%s: an input population has no slices, this one has %d", where, len(p.Slices))
			}
			continue
		}
		c.slices(where, i)
	}
	// No two slices may claim the same neuron of a core.
	for k, cl := range c.claims {
		slices.SortFunc(cl, func(a, b claim) int { return compareInt64(a.lo, b.lo) })
		var t tally
		var prev claim
		for j, x := range cl {
			if j > 0 && x.lo < prev.hi {
				t.add("neurons %d..%d are claimed by population %q slice %d and by population %q slice %d",
					x.lo, min(x.hi, prev.hi)-1, img.Populations[prev.pop].Name, prev.slice, img.Populations[x.pop].Name, x.slice)
			}
			if j == 0 || x.hi > prev.hi {
				prev = x
			}
		}
		c.flush(fmt.Sprintf("core %d (cores[%d])", img.Cores[k].ID, k), &t)
	}
}

// slices checks the slices of neuron population i.
func (c *checker) slices(where string, i int) {
	p := &c.img.Populations[i]
	size := int64(p.Size)
	type span struct {
		lo, hi int64
		slice  int
	}
	var spans []span
	for j, s := range p.Slices {
		ok := true
		if s.Count < 1 {
			c.errorf("%s: slice %d has count %d, must be ≥ 1", where, j, s.Count)
			ok = false
		}
		lo, hi := int64(s.Start), int64(s.Start)+int64(s.Count)
		if s.Count >= 1 && (lo < 0 || hi > size) {
			c.errorf("%s: slice %d holds population neurons %d..%d, outside 0..%d", where, j, lo, hi-1, size-1)
			ok = false
		}
		k, onImage := c.coreIndex[s.Core]
		if !onImage {
			c.errorf("%s: slice %d is on core %d, which is not in the image", where, j, s.Core)
			ok = false
		}
		if onImage && s.Count >= 1 {
			off, end := int64(s.Offset), int64(s.Offset)+int64(s.Count)
			if n := int64(c.img.Cores[k].NumNeurons()); off < 0 || end > n {
				c.errorf("%s: slice %d holds neurons %d..%d of core %d, which has %d neurons", where, j, off, end-1, s.Core, n)
				ok = false
			} else {
				c.claims[k] = append(c.claims[k], claim{lo: off, hi: end, pop: i, slice: j})
			}
		}
		if ok {
			spans = append(spans, span{lo, hi, j})
		}
	}
	// The valid slices must cover 0..size-1 exactly once.
	slices.SortFunc(spans, func(a, b span) int { return compareInt64(a.lo, b.lo) })
	var gaps, overlaps tally
	next := int64(0) // every neuron below next is covered
	last := -1       // the slice that covers next-1
	for _, s := range spans {
		if s.lo > next {
			gaps.add("neurons %d..%d are in no slice", next, s.lo-1)
		}
		if s.lo < next {
			overlaps.add("neurons %d..%d are in slices %d and %d", s.lo, min(s.hi, next)-1, last, s.slice)
		}
		if s.hi > next {
			next, last = s.hi, s.slice
		}
	}
	if size > 0 && next < size {
		gaps.add("neurons %d..%d are in no slice", next, size-1)
	}
	c.flush(where, &gaps)
	c.flush(where, &overlaps)
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *checker) inputs() {
	img := c.img
	owner := make(map[string]int, len(img.Inputs)) // population → first input
	for i := range img.Inputs {
		in := &img.Inputs[i]
		where := fmt.Sprintf("input %q (inputs[%d])", in.Population, i)
		if j, dup := owner[in.Population]; dup {
			c.errorf("%s: population %q already has an input, inputs[%d]", where, in.Population, j)
		} else {
			owner[in.Population] = i
		}
		if p, ok := c.popIndex[in.Population]; !ok {
			c.errorf("%s: there is no population %q", where, in.Population)
		} else if pop := &img.Populations[p]; !pop.IsInput {
			c.errorf("%s: population %q is not an input population (is_input is false)", where, in.Population)
		} else if pop.Size != in.Size {
			c.errorf("%s: size %d, but population %q has size %d", where, in.Size, in.Population, pop.Size)
		}
		if in.Size < 1 {
			c.errorf("%s: size %d, must be ≥ 1", where, in.Size)
		}
		switch in.Kind {
		case InputRaster:
			if in.ProbQ32 != 0 {
				c.errorf("%s: a raster input has prob_q32 %d; only Poisson inputs have a probability", where, in.ProbQ32)
			}
		case InputPoisson:
			if len(in.Spikes) > 0 {
				c.errorf("%s: a Poisson input has %d raster spikes", where, len(in.Spikes))
			}
		default:
			c.errorf("%s: kind %d is neither raster (%d) nor Poisson (%d)", where, in.Kind, InputRaster, InputPoisson)
		}
		var step, index, order tally
		for j, s := range in.Spikes {
			if s.Step < 1 {
				step.add("spike %d has step %d; steps start at 1", j, s.Step)
			}
			if s.Index < 0 || s.Index >= in.Size {
				index.add("spike %d has index %d, outside 0..%d", j, s.Index, in.Size-1)
			}
			if j > 0 {
				if p := in.Spikes[j-1]; s.Step < p.Step || (s.Step == p.Step && s.Index <= p.Index) {
					order.add("spike %d (step %d, index %d) is not after spike %d (step %d, index %d); "+
						"spikes are sorted by step, then index, without duplicates", j, s.Step, s.Index, j-1, p.Step, p.Index)
				}
			}
		}
		c.flush(where, &step)
		c.flush(where, &index)
		c.flush(where, &order)
		c.routes(where, "channel", max(int64(in.Size), 0), in.RouteStart, in.RouteCore, in.RouteAxon)
	}
	for i := range img.Populations {
		p := &img.Populations[i]
		if _, ok := owner[p.Name]; p.IsInput && !ok && c.popIndex[p.Name] == i {
			c.errorf("population %q (populations[%d]): an input population needs an entry in inputs, and has none", p.Name, i)
		}
	}
}

func (c *checker) probes() {
	img := c.img
	for i := range img.Probes {
		pr := &img.Probes[i]
		where := fmt.Sprintf("probe %d (population %q)", i, pr.Population)
		switch {
		case pr.Signals == 0:
			c.errorf("%s: it records no signal", where)
		case pr.Signals&^SignalsKnown != 0:
			c.errorf("%s: unknown signal bits %#x (known: spikes %#x, u %#x, v %#x)",
				where, uint8(pr.Signals&^SignalsKnown), SignalSpikes, SignalU, SignalV)
		}
		if len(pr.Neurons) == 0 {
			c.errorf("%s: it lists no neurons (a probe in an image lists its neurons explicitly)", where)
		}
		p, ok := c.popIndex[pr.Population]
		if !ok {
			c.errorf("%s: there is no population %q", where, pr.Population)
			continue
		}
		pop := &img.Populations[p]
		if pop.IsInput && pr.Signals&^SignalSpikes != 0 {
			c.errorf("%s: it records %s, but an input population has only spikes", where, pr.Signals)
		}
		var rng, dup tally
		seen := make(map[int32]int, len(pr.Neurons))
		for j, n := range pr.Neurons {
			if n < 0 || n >= pop.Size {
				rng.add("neuron %d is outside population %q's 0..%d", n, pop.Name, pop.Size-1)
				continue
			}
			if k, again := seen[n]; again {
				dup.add("neuron %d is listed twice, at %d and %d", n, k, j)
			} else {
				seen[n] = j
			}
		}
		c.flush(where, &rng)
		c.flush(where, &dup)
	}
}
