package image

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxRows is the table length Disassemble stops at.
const DefaultMaxRows = 64

// DisassembleOptions tunes DisassembleWith.
type DisassembleOptions struct {
	// MaxRows caps every table (neurons, synapses, routes, spikes, slices,
	// probe neurons) at this many rows, followed by a "... N more" line.
	// 0 prints every row.
	MaxRows int
}

// Disassemble writes img as readable text — what `tessera inspect` prints —
// with tables cut at DefaultMaxRows rows. See DisassembleWith.
func Disassemble(w io.Writer, img *Image) error {
	return DisassembleWith(w, img, DisassembleOptions{MaxRows: DefaultMaxRows})
}

// DisassembleWith writes img as readable text: a summary, the preset, then
// every core (tile, neurons, weight-exponent classes, synapses by axon, routes
// by neuron), input, population and probe. The output is deterministic. It
// does not check img, and prints "?" where an inconsistent image lacks an
// entry, so it can show a broken image too; it returns only w's errors.
func DisassembleWith(w io.Writer, img *Image, opts DisassembleOptions) error {
	if img == nil {
		return fmt.Errorf("image: disassemble: nil image")
	}
	p := printer{w: bufio.NewWriter(w), max: max(opts.MaxRows, 0)}
	p.summary(img)
	p.preset(img)
	for i := range img.Cores {
		p.core(img, i)
	}
	for i := range img.Inputs {
		p.input(&img.Inputs[i])
	}
	for i := range img.Populations {
		p.population(&img.Populations[i])
	}
	for i := range img.Probes {
		p.probe(i, &img.Probes[i])
	}
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("image: disassemble: %w", err)
	}
	return nil
}

// printer writes the text. bufio.Writer keeps the first write error, and
// Flush returns it.
type printer struct {
	w   *bufio.Writer
	max int
}

func (p *printer) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *printer) summary(img *Image) {
	var neurons, synapses, coreRoutes, inputRoutes int
	for i := range img.Cores {
		neurons += img.Cores[i].NumNeurons()
		synapses += len(img.Cores[i].SynNeuron)
		coreRoutes += len(img.Cores[i].RouteCore)
	}
	for i := range img.Inputs {
		inputRoutes += len(img.Inputs[i].RouteCore)
	}
	m := img.Preset.Mesh
	p.printf("image %q\n", img.Name)
	for _, kv := range [...]struct{ k, v string }{
		{"format", fmt.Sprintf("tsi version %d", Version)},
		{"preset", fmt.Sprintf("%s (%d×%d tiles × %s = %s)", img.Preset.Name, m.Width, m.Height,
			plural(m.CoresPerTile, "core"), plural(m.Cores(), "core"))},
		{"dt", formatPS(img.DtPS)},
		{"cores", fmt.Sprint(len(img.Cores))},
		{"neurons", fmt.Sprint(neurons)},
		{"synapses", fmt.Sprint(synapses)},
		{"routes", fmt.Sprintf("%d (%d from cores, %d from inputs)", coreRoutes+inputRoutes, coreRoutes, inputRoutes)},
		{"inputs", fmt.Sprint(len(img.Inputs))},
		{"populations", fmt.Sprint(len(img.Populations))},
		{"probes", fmt.Sprint(len(img.Probes))},
	} {
		p.printf("  %-13s%s\n", kv.k, kv.v)
	}
}

// formatPS writes a duration in ps, with a readable unit when it is a whole
// number of one.
func formatPS(ps int64) string {
	for _, u := range [...]struct {
		ps   int64
		name string
	}{{1_000_000_000_000, "s"}, {1_000_000_000, "ms"}, {1_000_000, "µs"}, {1_000, "ns"}} {
		if ps != 0 && ps%u.ps == 0 {
			return fmt.Sprintf("%d ps (%d %s)", ps, ps/u.ps, u.name)
		}
	}
	return fmt.Sprintf("%d ps", ps)
}

func (p *printer) preset(img *Image) {
	p.printf("\npreset %s\n", img.Preset.Name)
	js, err := json.MarshalIndent(img.Preset, "  ", "  ")
	if err != nil { // cannot happen for a preset.Spec; say so rather than hide it
		p.printf("  (cannot print the preset: %v)\n", err)
		return
	}
	p.printf("  %s\n", js)
}

func (p *printer) core(img *Image, i int) {
	co := &img.Cores[i]
	m := img.Preset.Mesh
	tile := "tile ?"
	if m.CoresPerTile > 0 && m.Width > 0 && co.ID >= 0 {
		x, y := m.CoreTile(int(co.ID))
		tile = fmt.Sprintf("tile (%d, %d) slot %d", x, y, int(co.ID)%m.CoresPerTile)
	}
	p.printf("\ncore %d  %s", co.ID, tile)
	if !co.Used {
		p.printf("  (not marked used)")
	}
	p.printf("\n")

	n := co.NumNeurons()
	p.printf("  neurons: %d\n", n)
	t := p.table("neuron", "du", "dv", "vth", "bias_mant", "bias_exp", "u_init", "v_init")
	for j := 0; j < n && !t.full(); j++ {
		t.row(j, cell(co.Du, j), cell(co.Dv, j), cell(co.Vth, j), cell(co.BiasMant, j),
			cell(co.BiasExp, j), cell(co.UInit, j), cell(co.VInit, j))
	}
	t.end(n)

	if m := co.Model; !m.Plain() {
		p.printf("  model: refractory_steps=%d theta_step=%d dtheta=%d graded_bits=%d noise=%s noise_exp=%d\n",
			m.RefractorySteps, m.ThetaStep, m.DTheta, m.GradedBits, m.NoiseTarget, m.NoiseExp)
	}
	p.printf("  weight-exponent classes: %d\n", len(co.WeightExp))
	t = p.table("class", "exp")
	for j := 0; j < len(co.WeightExp) && !t.full(); j++ {
		t.row(j, co.WeightExp[j])
	}
	t.end(len(co.WeightExp))

	nsyn := len(co.SynNeuron)
	p.printf("  axons: %d, synapses: %d\n", co.NumAxons(), nsyn)
	t = p.table("axon", "synapse", "neuron", "weight", "delay", "class")
	own := newOwners(co.AxonStart, nsyn)
	for s := 0; s < nsyn && !t.full(); s++ {
		t.row(own.of(s), s, co.SynNeuron[s], cell(co.SynWeight, s), cell(co.SynDelay, s), cell(co.SynClass, s))
	}
	t.end(nsyn)

	p.routes("neuron", co.RouteStart, co.RouteCore, co.RouteAxon)
	for g := range co.Plastic {
		pg := &co.Plastic[g]
		p.printf("  plastic group %d: projection %s, rule %q, t_epoch %d, %s, %d-bit, weight_exp %d, %d inputs from %s\n",
			g, pg.Projection, pg.Rule, pg.TEpoch, pg.SignMode, pg.NumWeightBits, pg.WeightExp, len(pg.Axons), pg.PrePopulation)
		p.printf("    traces (impulse, tau): x1 %v, x2 %v, y1 %v, y2 %v, y3 %v\n",
			pg.Traces[0], pg.Traces[1], pg.Traces[2], pg.Traces[3], pg.Traces[4])
	}
}

func (p *printer) routes(unit string, start, core, axon []uint32) {
	p.printf("  routes: %d\n", len(core))
	t := p.table(unit, "route", "core", "axon")
	own := newOwners(start, len(core))
	for r := 0; r < len(core) && !t.full(); r++ {
		t.row(own.of(r), r, core[r], cell(axon, r))
	}
	t.end(len(core))
}

func (p *printer) input(in *Input) {
	p.printf("\ninput %q  %s  size %d", in.Population, in.Kind, in.Size)
	if in.Kind == InputPoisson || in.ProbQ32 != 0 {
		p.printf("  prob_q32 %d (p ≈ %.6g)  seed %d", in.ProbQ32, float64(in.ProbQ32)/(1<<32), in.Seed)
	}
	p.printf("\n")
	if in.Kind != InputPoisson || len(in.Spikes) > 0 {
		p.printf("  spikes: %d\n", len(in.Spikes))
		t := p.table("spike", "step", "index")
		for j := 0; j < len(in.Spikes) && !t.full(); j++ {
			t.row(j, in.Spikes[j].Step, in.Spikes[j].Index)
		}
		t.end(len(in.Spikes))
	}
	p.routes("channel", in.RouteStart, in.RouteCore, in.RouteAxon)
}

func (p *printer) population(pop *Population) {
	p.printf("\npopulation %q  size %d", pop.Name, pop.Size)
	if pop.IsInput {
		p.printf("  input")
	}
	p.printf("\n")
	if pop.IsInput && len(pop.Slices) == 0 {
		return
	}
	p.printf("  slices: %d\n", len(pop.Slices))
	t := p.table("slice", "core", "offset", "start", "count")
	for j := 0; j < len(pop.Slices) && !t.full(); j++ {
		s := pop.Slices[j]
		t.row(j, s.Core, s.Offset, s.Start, s.Count)
	}
	t.end(len(pop.Slices))
}

func (p *printer) probe(i int, pr *Probe) {
	p.printf("\nprobe %d  population %q  signals %s\n", i, pr.Population, pr.Signals)
	p.printf("  neurons: %d\n", len(pr.Neurons))
	if len(pr.Neurons) == 0 {
		return
	}
	p.printf("   ")
	shown := len(pr.Neurons)
	if p.max > 0 {
		shown = min(shown, p.max)
	}
	for _, n := range pr.Neurons[:shown] {
		p.printf(" %d", n)
	}
	if more := len(pr.Neurons) - shown; more > 0 {
		p.printf(" ... %d more", more)
	}
	p.printf("\n")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// cell is a[j], or "?" when an inconsistent image has no such entry.
func cell[T any](a []T, j int) any {
	if j < len(a) {
		return a[j]
	}
	return "?"
}

// owners finds, for entries 0, 1, … of a CSR-indexed array in increasing
// order, the unit (axon, neuron, channel) that owns each. An invalid index
// gives "?".
type owners struct {
	start []uint32
	ok    bool
	u     int
}

func newOwners(start []uint32, n int) *owners {
	ok := len(start) > 0 && start[0] == 0 && int64(start[len(start)-1]) == int64(n)
	for j := 1; ok && j < len(start); j++ {
		ok = start[j] >= start[j-1]
	}
	return &owners{start: start, ok: ok}
}

// of must be called with increasing e.
func (o *owners) of(e int) any {
	if !o.ok {
		return "?"
	}
	for o.u+1 < len(o.start) && int64(o.start[o.u+1]) <= int64(e) {
		o.u++
	}
	return o.u
}

// table collects up to max rows and prints them with right-aligned columns.
type table struct {
	p    *printer
	head []string
	rows [][]string
}

func (p *printer) table(head ...string) *table { return &table{p: p, head: head} }

// full says whether the table holds as many rows as it will print.
func (t *table) full() bool { return t.p.max > 0 && len(t.rows) >= t.p.max }

func (t *table) row(cells ...any) {
	r := make([]string, len(cells))
	for i, c := range cells {
		r[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, r)
}

// end prints the table, and how many of its total rows were left out.
func (t *table) end(total int) {
	if total == 0 {
		return
	}
	width := make([]int, len(t.head))
	for i, h := range t.head {
		width[i] = len(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range cells {
			b.WriteString("  ")
			b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))))
			b.WriteString(c)
		}
		b.WriteByte('\n')
		t.p.w.WriteString(b.String())
	}
	line(t.head)
	for _, r := range t.rows {
		line(r)
	}
	if more := total - len(t.rows); more > 0 {
		t.p.printf("    ... %d more\n", more)
	}
}
