package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// trace is one probed neuron's u and v over steps.
type trace struct {
	name string
	u, v plotter.XYs
}

// Membrane draws the probed neurons' state over steps: v (membrane
// potential) on the upper panel, u (synaptic current) on the lower, one line
// per neuron in the same colour on both, in hardware units. The recorded
// spikes of those neurons (spikes may be nil) are marked by triangles along
// the top of the v panel. At most o.MaxTraces neurons are drawn, the first
// probed; the title says when some are left out. rep may be nil.
func Membrane(probes []Probe, spikes []Spike, rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	if len(probes) == 0 {
		return nil, fmt.Errorf("plot membrane: no probes recorded")
	}
	type key struct {
		pop    string
		neuron int
	}
	index := map[key]int{}
	var traces []*trace
	for _, pr := range probes {
		k := key{pr.Population, pr.Neuron}
		i, ok := index[k]
		if !ok {
			i = len(traces)
			index[k] = i
			traces = append(traces, &trace{name: fmt.Sprintf("%s[%d]", pr.Population, pr.Neuron)})
		}
		if i >= o.MaxTraces {
			continue
		}
		t := traces[i]
		t.u = append(t.u, plotter.XY{X: float64(pr.Step), Y: float64(pr.U)})
		t.v = append(t.v, plotter.XY{X: float64(pr.Step), Y: float64(pr.V)})
	}
	shown := traces[:min(len(traces), o.MaxTraces)]
	fired := make([][]float64, len(shown))
	for _, sp := range spikes {
		if i, ok := index[key{sp.Population, sp.Neuron}]; ok && i < len(shown) {
			fired[i] = append(fired[i], float64(sp.Step))
		}
	}
	title := "Membrane traces"
	if l := runLabel(rep); l != "" {
		title += ": " + l
	}
	if len(shown) < len(traces) {
		title += fmt.Sprintf("\nfirst %d of %d probed neurons", len(shown), len(traces))
	} else {
		title += fmt.Sprintf("\n%d probed %s, state at the end of each step", len(shown), plural(len(shown), "neuron"))
	}
	anySpike := false
	for _, f := range fired {
		anySpike = anySpike || len(f) > 0
	}
	if anySpike {
		title += "; triangles mark spikes"
	}
	top := newPlot(title, "", "v, membrane potential\n(hardware units)")
	bottom := newPlot("", "step", "u, synaptic current\n(hardware units)")
	leg := newLegend()
	var names []string
	glyphs := len(probes)/max(len(traces), 1) <= 60
	for i, t := range shown {
		for _, panel := range []struct {
			p   *gplot.Plot
			xys plotter.XYs
		}{{top, t.v}, {bottom, t.u}} {
			slices.SortStableFunc(panel.xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
			line, err := plotter.NewLine(panel.xys)
			if err != nil {
				return nil, fmt.Errorf("plot membrane: %s: %w", t.name, err)
			}
			line.Color = seriesColor(i)
			line.Width = vg.Points(1.4)
			line.Dashes = seriesDashes(i)
			panel.p.Add(line)
			if glyphs {
				sc, err := plotter.NewScatter(panel.xys)
				if err != nil {
					return nil, fmt.Errorf("plot membrane: %s: %w", t.name, err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
				panel.p.Add(sc)
				if panel.p == top {
					leg.Add(t.name, line, sc)
				}
			} else if panel.p == top {
				leg.Add(t.name, line)
			}
		}
		names = append(names, t.name)
		if len(fired[i]) > 0 {
			top.Add(&topMarks{xs: fired[i], row: i, style: draw.GlyphStyle{Color: seriesColor(i),
				Radius: vg.Points(3), Shape: draw.PyramidGlyph{}}})
		}
	}
	if anySpike {
		mark, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return nil, fmt.Errorf("plot membrane: %w", err)
		}
		mark.GlyphStyle = draw.GlyphStyle{Color: color.Gray{Y: 60}, Radius: vg.Points(3), Shape: draw.PyramidGlyph{}}
		names = append(names, "spike")
		leg.Add("spike", mark)
	}
	for _, p := range []*gplot.Plot{top, bottom} {
		p.Add(plotter.NewGrid())
		p.X.Min = min(p.X.Min, 0)
		p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 0)
	}
	if anySpike { // room above the traces for one row of marks per neuron
		top.Y.Max += (top.Y.Max - top.Y.Min) * (0.06 + 0.05*float64(len(shown)))
	}
	// Same x range on both panels.
	lo, hi := min(top.X.Min, bottom.X.Min), max(top.X.Max, bottom.X.Max)
	top.X.Min, bottom.X.Min, top.X.Max, bottom.X.Max = lo, lo, hi, hi
	top.X.Tick.Label.Color = color.Transparent

	return newFigure("membrane", title, o, func(c draw.Canvas) {
		withLegend(c, leg, names, func(main draw.Canvas) draw.Canvas {
			tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(8)}
			cs := gplot.Align([][]*gplot.Plot{{top}, {bottom}}, tiles, main)
			top.Draw(cs[0][0])
			bottom.Draw(cs[1][0])
			return top.DataCanvas(cs[0][0])
		})
	}), nil
}

// maxWeightLines bounds the grey lines of Weights; beyond it every k-th
// synapse is drawn (the means use all).
const maxWeightLines = 1000

// Weights draws synaptic weights over a learning run, one line per synapse
// (a WeightSeries, as read from weights.csv). Up to o.MaxLabels synapses get
// a colour and a legend entry; with more, every synapse is a thin grey line
// and the mean of each projection (or of all synapses, when the file does
// not name projections) at each step is drawn bold. rep may be nil.
func Weights(series []WeightSeries, rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	n := 0
	for _, s := range series {
		if len(s.Steps) != len(s.Weights) {
			return nil, fmt.Errorf("plot weights: synapse %s: %d steps but %d weights", s.Synapse, len(s.Steps), len(s.Weights))
		}
		n += len(s.Steps)
	}
	if n == 0 {
		return nil, fmt.Errorf("plot weights: no weights recorded")
	}
	title := "Weight evolution"
	if l := runLabel(rep); l != "" {
		title += ": " + l
	}
	title += fmt.Sprintf("\n%d %s", len(series), plural(len(series), "synapse"))
	projections := map[string]bool{}
	for _, s := range series {
		if s.Group != "" {
			projections[s.Group] = true
		}
	}
	if n := len(projections); n > 0 {
		title += fmt.Sprintf(" in %d %s", n, plural(n, "projection"))
	}
	p := newPlot(title, "step", "weight (hardware units)")
	p.Add(plotter.NewGrid())
	leg := newLegend()
	var names []string
	xys := func(s WeightSeries) plotter.XYs {
		out := make(plotter.XYs, len(s.Steps))
		for i := range s.Steps {
			out[i] = plotter.XY{X: float64(s.Steps[i]), Y: s.Weights[i]}
		}
		return out
	}
	if len(series) <= o.MaxLabels {
		for i, s := range series {
			line, err := plotter.NewLine(xys(s))
			if err != nil {
				return nil, fmt.Errorf("plot weights: synapse %s: %w", s.Synapse, err)
			}
			line.Color = seriesColor(i)
			line.Width = vg.Points(1.5)
			line.Dashes = seriesDashes(i)
			p.Add(line)
			leg.Add(s.Synapse, line)
			names = append(names, s.Synapse)
		}
	} else {
		// Every synapse thin and grey (at most maxWeightLines of them), and
		// the mean of each projection (or of all) at each step, bold.
		stride := (len(series) + maxWeightLines - 1) / maxWeightLines
		var each *plotter.Line
		type group struct {
			name     string
			synapses int
			sum      map[int]float64
			cnt      map[int]int
		}
		var groups []*group
		gindex := map[string]int{}
		for si, s := range series {
			gi, ok := gindex[s.Group]
			if !ok {
				gi = len(groups)
				gindex[s.Group] = gi
				groups = append(groups, &group{name: s.Group, sum: map[int]float64{}, cnt: map[int]int{}})
			}
			g := groups[gi]
			g.synapses++
			for i, st := range s.Steps {
				g.sum[st] += s.Weights[i]
				g.cnt[st]++
			}
			if si%stride != 0 {
				continue
			}
			line, err := plotter.NewLine(xys(s))
			if err != nil {
				return nil, fmt.Errorf("plot weights: synapse %s: %w", s.Synapse, err)
			}
			line.Color = color.NRGBA{R: 120, G: 120, B: 120, A: 110}
			line.Width = vg.Points(0.6)
			p.Add(line)
			each = line
		}
		eachName := fmt.Sprintf("each of %d synapses", len(series))
		if stride > 1 {
			eachName = fmt.Sprintf("every %s of %d synapses", ordinal(stride), len(series))
		}
		names = append(names, eachName)
		leg.Add(eachName, each)
		for gi, g := range groups {
			steps := make([]int, 0, len(g.sum))
			for st := range g.sum {
				steps = append(steps, st)
			}
			slices.Sort(steps)
			mean := make(plotter.XYs, len(steps))
			for i, st := range steps {
				mean[i] = plotter.XY{X: float64(st), Y: g.sum[st] / float64(g.cnt[st])}
			}
			ml, err := plotter.NewLine(mean)
			if err != nil {
				return nil, fmt.Errorf("plot weights: mean: %w", err)
			}
			ml.Color = seriesColor(gi + 1)
			ml.Dashes = seriesDashes(gi + 1)
			ml.Width = vg.Points(2.5)
			p.Add(ml)
			name := "mean"
			if g.name != "" {
				name = fmt.Sprintf("mean of %s (%d %s)", g.name, g.synapses, plural(g.synapses, "synapse"))
			}
			names = append(names, name)
			leg.Add(name, ml)
		}
	}
	p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 0)
	return newFigure("weights", title, o, func(c draw.Canvas) {
		withLegend(c, leg, names, func(main draw.Canvas) draw.Canvas {
			p.Draw(main)
			return p.DataCanvas(main)
		})
	}), nil
}

// topMarks draws a glyph at each x along the top of the data area, row
// marks down, so several neurons' marks do not overlap.
type topMarks struct {
	xs    []float64
	row   int
	style draw.GlyphStyle
}

func (m *topMarks) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, _ := p.Transforms(&c)
	y := c.Max.Y - m.style.Radius*(1.5+2.4*vg.Length(m.row))
	for _, x := range m.xs {
		c.DrawGlyph(m.style, vg.Point{X: tx(x), Y: y})
	}
}

// ordinal is 2nd, 3rd, 4th, 21st …
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
