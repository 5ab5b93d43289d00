package plot

import (
	"fmt"
	"image/color"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// band is one population's stripe of the raster.
type band struct {
	name   string
	size   int     // largest recorded neuron index + 1
	lo, hi float64 // the stripe's extent on the y axis
	spikes int
	pts    plotter.XYs
}

// y maps a neuron index to the band's y coordinate: linear within the band.
func (b *band) y(neuron float64) float64 {
	return b.lo + (neuron+0.5)*(b.hi-b.lo)/float64(b.size)
}

// Raster draws the recorded spikes, one dot per spike: x is the step's time
// (step × dt, in ms) or the step, y the neuron index, populations stacked
// top-down in order of first spike with a separator between them. Each
// population's stripe spans its recorded neuron indices 0..max and gets at
// least a minimum share of the height, so a population of few recorded
// neurons stays visible beside a large one. rep may be nil (then x is the
// step). A run with more spikes than o.MaxSpikes is thinned evenly, and the
// title says so.
func Raster(spikes []Spike, rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	if len(spikes) == 0 {
		return nil, fmt.Errorf("plot raster: no spikes recorded")
	}
	xScale, xLabel := 1.0, "step"
	if o.XAxis == XAxisTime && rep != nil && rep.DtPS > 0 {
		xScale = float64(rep.DtPS) / 1e9
		xLabel = fmt.Sprintf("time (ms) = step × dt, dt = %s", fmtPS(float64(rep.DtPS)))
	}

	// Populations in order of first spike, sized by their largest index.
	var bands []*band
	index := map[string]int{}
	maxStep := 0
	for _, s := range spikes {
		i, ok := index[s.Population]
		if !ok {
			i = len(bands)
			index[s.Population] = i
			bands = append(bands, &band{name: s.Population})
		}
		b := bands[i]
		b.size = max(b.size, s.Neuron+1)
		b.spikes++
		maxStep = max(maxStep, s.Step)
	}
	total := 0
	for _, b := range bands {
		total += b.size
	}
	minShare := float64(total) * 0.25 / float64(len(bands))
	if len(bands) == 1 {
		minShare = 0
	}
	top := 0.0
	for _, b := range bands { // first population at the top
		h := max(float64(b.size), minShare)
		b.hi, b.lo = top, top-h
		top -= h
	}

	stride := 1
	if o.MaxSpikes > 0 && len(spikes) > o.MaxSpikes {
		stride = (len(spikes) + o.MaxSpikes - 1) / o.MaxSpikes
	}
	for i := 0; i < len(spikes); i += stride {
		s := spikes[i]
		b := bands[index[s.Population]]
		b.pts = append(b.pts, plotter.XY{X: float64(s.Step) * xScale, Y: b.y(float64(s.Neuron))})
	}

	title := "Spike raster"
	if l := runLabel(rep); l != "" {
		title += ": " + l
	}
	sub := fmt.Sprintf("%d recorded spikes (neurons probed with record: spikes)", len(spikes))
	if stride > 1 {
		sub = fmt.Sprintf("%d recorded spikes, every %s drawn", len(spikes), ordinal(stride))
	}
	p := newPlot(title+"\n"+sub, xLabel, "neuron index within population")
	p.Title.TextStyle.Font.Size = titleSize
	steps := maxStep
	if rep != nil && rep.Steps > 0 {
		steps = max(rep.Steps, maxStep)
	}
	p.X.Min, p.X.Max = 0, float64(steps)*xScale+0.5*xScale
	p.Y.Min, p.Y.Max = top, 0
	p.Y.Tick.Marker = bandTicks(bands, -top)
	p.Add(plotter.NewGrid())
	p.Add(&hLines{ys: separators(bands), style: draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(1)}})

	radius := vg.Points(1.6)
	switch n := len(spikes) / stride; {
	case n > 50_000:
		radius = vg.Points(0.5)
	case n > 5_000:
		radius = vg.Points(0.9)
	}
	for i, b := range bands {
		sc, err := plotter.NewScatter(b.pts)
		if err != nil {
			return nil, fmt.Errorf("plot raster: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(sc)
	}

	fig := newFigure("raster", title, o, func(c draw.Canvas) {
		c = pad(c, vg.Points(6))
		// A label column on the right names each stripe at its height.
		name := textStyle(sansBold, labelSize, color.Black)
		detail := textStyle(sans, noteSize, color.Gray{Y: 70})
		colW := vg.Length(0)
		for _, b := range bands {
			colW = max(colW, name.Width(b.name), detail.Width(bandDetail(b)))
		}
		colW += vg.Points(10)
		main := draw.Crop(c, 0, -colW, 0, 0)
		p.Draw(main)
		dc := p.DataCanvas(main)
		_, ty := p.Transforms(&dc)
		for i, b := range bands {
			y := ty((b.lo + b.hi) / 2)
			x := main.Max.X + vg.Points(8)
			name.Color = seriesColor(i)
			name.YAlign = draw.YBottom
			c.FillText(name, vg.Point{X: x, Y: y}, b.name)
			detail.YAlign = draw.YTop
			c.FillText(detail, vg.Point{X: x, Y: y - vg.Points(1)}, bandDetail(b))
		}
	})
	return fig, nil
}

func bandDetail(b *band) string {
	spikes := fmt.Sprintf("%d %s", b.spikes, plural(b.spikes, "spike"))
	if b.size == 1 {
		return spikes + ", neuron 0"
	}
	return fmt.Sprintf("%s, neurons 0–%d", spikes, b.size-1)
}

// separators are the y coordinates between stripes.
func separators(bands []*band) []float64 {
	var ys []float64
	for _, b := range bands[1:] {
		ys = append(ys, b.hi)
	}
	return ys
}

// bandTicks labels each stripe with neuron indices of its own: 0 and round
// indices up to its largest, leaving out those that would crowd the stripe's
// top edge.
func bandTicks(bands []*band, span float64) gplot.Ticker {
	var ticks []gplot.Tick
	for _, b := range bands {
		step := intStep(b.size-1, max(2, int(5*(b.hi-b.lo)/span)))
		for n := 0; n < b.size; n += step {
			y := b.y(float64(n))
			if n != 0 && b.hi-y < 0.04*span {
				continue
			}
			ticks = append(ticks, gplot.Tick{Value: y, Label: strconv.Itoa(n)})
		}
	}
	return gplot.ConstantTicks(ticks)
}

// intStep is a round step (1, 2, 5, 10, 20, …) dividing 0..n into at most
// about k intervals.
func intStep(n, k int) int {
	if n <= 0 {
		return 1
	}
	for step := 1; ; step *= 10 {
		for _, m := range []int{1, 2, 5} {
			if n/(step*m) < k {
				return step * m
			}
		}
	}
}

// hLines draws horizontal lines across the whole data area.
type hLines struct {
	ys    []float64
	style draw.LineStyle
}

func (h *hLines) Plot(c draw.Canvas, p *gplot.Plot) {
	_, ty := p.Transforms(&c)
	for _, y := range h.ys {
		c.StrokeLine2(h.style, c.Min.X, ty(y), c.Max.X, ty(y))
	}
}
