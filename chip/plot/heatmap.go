package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TileValue is one tile's value for a mesh heatmap, with an optional label
// drawn in its cell ("\n" separates lines).
type TileValue struct {
	X, Y  int
	Value float64
	Label string
}

// TileMap is a value per tile of a Width×Height mesh: what RouterTraffic
// draws. Tiles not listed are drawn grey (no data).
type TileMap struct {
	Width, Height int
	Tiles         []TileValue
	Title         string // what the colour shows, for the title
	Note          string // how to read it, under the picture
	Unit          string // the colour bar's label, with the unit
}

// grid is a heatmap's cells: cols×rows with sub×sub cells per tile, row 0
// at the bottom (tile y grows north, upward).
type grid struct {
	cols, rows, sub int
	z               []float64 // NaN: no data
	labels          []string
}

func newGrid(width, height, sub int) *grid {
	g := &grid{cols: width * sub, rows: height * sub, sub: sub}
	g.z = make([]float64, g.cols*g.rows)
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	g.labels = make([]string, len(g.z))
	return g
}

func (g *grid) Dims() (c, r int)   { return g.cols, g.rows }
func (g *grid) Z(c, r int) float64 { return g.z[r*g.cols+c] }
func (g *grid) X(c int) float64    { return -0.5 + (float64(c)+0.5)/float64(g.sub) }
func (g *grid) Y(r int) float64    { return -0.5 + (float64(r)+0.5)/float64(g.sub) }
func (g *grid) set(c, r int, v float64, label string) {
	i := r*g.cols + c
	if math.IsNaN(g.z[i]) {
		g.z[i] = 0
	}
	g.z[i] += v
	g.labels[i] = label
}

// max returns the largest value, 0 when there is none.
func (g *grid) max() float64 {
	m := 0.0
	for _, v := range g.z {
		if !math.IsNaN(v) {
			m = max(m, v)
		}
	}
	return m
}

// heatColors run from pale yellow to dark red (ColorBrewer YlOrRd), light
// for little, dark for much; grey marks cells without data.
var (
	heatControls = []color.Color{
		color.RGBA{255, 255, 204, 255}, color.RGBA{254, 217, 118, 255}, color.RGBA{253, 141, 60, 255},
		color.RGBA{227, 26, 28, 255}, color.RGBA{128, 0, 38, 255},
	}
	noDataColor = color.RGBA{215, 215, 215, 255}
)

func heatColorMap(maxV float64) (palette.ColorMap, error) {
	// Luminance maps run dark to light; reverse for light-to-dark.
	dark := slices.Clone(heatControls)
	slices.Reverse(dark)
	lum, err := moreland.NewLuminance(dark)
	if err != nil {
		return nil, err
	}
	cm := palette.Reverse(lum)
	if maxV <= 0 || math.IsNaN(maxV) || math.IsInf(maxV, 0) {
		maxV = 1
	}
	cm.SetMin(0)
	cm.SetMax(maxV)
	return cm, nil
}

// heatmap draws g over a width×height mesh with a colour bar labelled unit.
func heatmap(name, title, note, unit string, width, height int, g *grid, o Options) (*Figure, error) {
	cm, err := heatColorMap(g.max())
	if err != nil {
		return nil, fmt.Errorf("plot %s: %w", name, err)
	}
	hm := plotter.NewHeatMap(g, cm.Palette(256))
	hm.Min, hm.Max = cm.Min(), cm.Max()
	hm.NaN = noDataColor
	hm.Underflow, hm.Overflow = heatControls[0], heatControls[len(heatControls)-1]

	p := newPlot(title, "tile x (east →)", "tile y (north →)")
	p.Add(hm)
	p.Add(&tileBorders{width: width, height: height, sub: g.sub})
	p.Add(&cellLabels{g: g, cm: cm})
	p.X.Min, p.X.Max = -0.5, float64(width)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(height)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Marker = tileTicks(width)
	p.Y.Tick.Marker = tileTicks(height)

	bar := colorBar(cm, unit)
	return newFigure(name, title, o, func(c draw.Canvas) { drawWithBar(c, p, bar, note) }), nil
}

// colorBar is a vertical colour bar of cm labelled unit, for drawWithBar.
func colorBar(cm palette.ColorMap, unit string) *gplot.Plot {
	bar := newPlot("", "", unit)
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	return bar
}

// drawWithBar draws a mesh picture p with note under it and the colour bar
// to its right, spanning p's data area vertically.
func drawWithBar(c draw.Canvas, p, bar *gplot.Plot, note string) {
	c = pad(c, vg.Points(6))
	c = drawNote(c, note)
	barW := vg.Inch * 1.1
	main := draw.Crop(c, 0, -barW, 0, 0)
	p.Draw(main)
	// The bar spans the heatmap's data area, vertically.
	dc := p.DataCanvas(main)
	bc := draw.Crop(c, c.Max.X-c.Min.X-barW+vg.Points(14), 0, 0, 0)
	bc.Min.Y, bc.Max.Y = dc.Min.Y, dc.Max.Y
	bd := bar.DataCanvas(bc)
	bc.Min.Y -= bd.Min.Y - dc.Min.Y
	bc.Max.Y += dc.Max.Y - bd.Max.Y
	bd = bar.DataCanvas(bc)
	bc.Max.X -= (bd.Max.X - bd.Min.X) - vg.Points(14) // a narrow bar
	bar.Draw(bc)
}

// tileTicks labels every tile, or every k-th on a large mesh.
func tileTicks(n int) gplot.Ticker {
	step := 1
	for n/step > 16 {
		step *= 2
	}
	var ticks []gplot.Tick
	for i := 0; i < n; i += step {
		ticks = append(ticks, gplot.Tick{Value: float64(i), Label: strconv.Itoa(i)})
	}
	return gplot.ConstantTicks(ticks)
}

// tileBorders outlines each tile; with a sub-grid, thin white lines split
// it into its cores.
type tileBorders struct{ width, height, sub int }

func (t *tileBorders) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, ty := p.Transforms(&c)
	thin := draw.LineStyle{Color: color.White, Width: vg.Points(0.6)}
	thick := draw.LineStyle{Color: color.Gray{Y: 70}, Width: vg.Points(1.2)}
	switch n := max(t.width, t.height) * t.sub; {
	case n > 96: // cells of a few pixels: borders would hide them
		return
	case n > 24:
		thick = draw.LineStyle{Color: color.Gray{Y: 250}, Width: vg.Points(0.25)}
		thin.Width = 0
	}
	for i := 0; i <= t.width*t.sub; i++ {
		x := tx(-0.5 + float64(i)/float64(t.sub))
		sty := thin
		if i%t.sub == 0 {
			sty = thick
		}
		if sty.Width > 0 {
			c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
		}
	}
	for i := 0; i <= t.height*t.sub; i++ {
		y := ty(-0.5 + float64(i)/float64(t.sub))
		sty := thin
		if i%t.sub == 0 {
			sty = thick
		}
		if sty.Width > 0 {
			c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
		}
	}
}

// cellLabels writes each cell's label centred, dark on light cells and
// white on dark ones, sized to the cell; cells too small get none.
type cellLabels struct {
	g  *grid
	cm palette.ColorMap
}

func (l *cellLabels) Plot(c draw.Canvas, p *gplot.Plot) {
	g := l.g
	tx, ty := p.Transforms(&c)
	cellW := (c.Max.X - c.Min.X) / vg.Length(g.cols)
	cellH := (c.Max.Y - c.Min.Y) / vg.Length(g.rows)
	for i, label := range g.labels {
		var bg color.Color = color.White // no colour: dark text
		if v := g.z[i]; !math.IsNaN(v) {
			if clr, err := l.cm.At(min(max(v, l.cm.Min()), l.cm.Max())); err == nil {
				bg = clr
			}
		}
		col, row := i%g.cols, i/g.cols
		drawBoxLabel(c, label, tx(g.X(col)), ty(g.Y(row)), cellW, cellH, bg)
	}
}

// luminance is a colour's relative luminance, 0 (black) to 1 (white).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// CoresPerTile infers how many cores share a tile from the report: cores
// fill a tile, then tiles go row by row (x fastest), so core id / cores per
// tile is the tile index y×width+x. It returns the smallest count that fits
// every core, or 0 when none does.
func CoresPerTile(rep *Report) int {
	if rep.Layout != nil && rep.Layout.CoresPerTile > 0 {
		return rep.Layout.CoresPerTile
	}
	width, _ := rep.MeshSize()
	for cpt := 1; cpt <= 64; cpt++ {
		ok := true
		for _, c := range rep.Cores {
			if c.ID/cpt != c.Tile[1]*width+c.Tile[0] {
				ok = false
				break
			}
		}
		if ok {
			return cpt
		}
	}
	return 0
}

// coreLayout says how coreGrid laid the cores out.
type coreLayout struct {
	short string // for the title
	note  string // how to read the cells, under the picture
}

// coreGrid lays one value per core out as the mesh: a sub-grid of its
// cores in each tile (slot = id mod cores per tile, filled left to right,
// top to bottom), or one cell per tile when sums is set or the layout cannot
// be inferred, holding the sum (or, with mean, the mean) of its cores. A
// cell's colour is raw/scale, its label label(raw).
func coreGrid(rep *Report, sums, mean bool, raw func(Core) float64, scale float64, label func(float64) string) (*grid, coreLayout) {
	width, height := rep.MeshSize()
	cpt := CoresPerTile(rep)
	if sums || cpt <= 1 {
		g := newGrid(width, height, 1)
		total := make([]float64, width*height)
		count := make([]int, width*height)
		for _, c := range rep.Cores {
			i := c.Tile[1]*width + c.Tile[0]
			total[i] += raw(c)
			count[i]++
		}
		for i, n := range count {
			if n == 0 {
				continue
			}
			v := total[i]
			if mean {
				v /= float64(n)
			}
			g.z[i] = v / scale
			g.labels[i] = label(v)
			if cpt != 1 {
				g.labels[i] += fmt.Sprintf("\n%d %s", n, plural(n, "core"))
			}
		}
		agg := "sum"
		if mean {
			agg = "mean"
		}
		switch {
		case cpt == 1:
			return g, coreLayout{"one core per tile", "Each cell is a tile and its one core."}
		case cpt == 0:
			return g, coreLayout{fmt.Sprintf("per-tile %ss of its cores", agg),
				fmt.Sprintf("Each cell is a tile: the %s over its cores (cores per tile could not be inferred from core ids); labels: value, cores in use.", agg)}
		}
		return g, coreLayout{fmt.Sprintf("per-tile %ss of its cores (up to %d)", agg, cpt),
			fmt.Sprintf("Each cell is a tile: the %s over its cores in use; labels: value, cores in use.", agg)}
	}
	sub := int(math.Ceil(math.Sqrt(float64(cpt))))
	g := newGrid(width, height, sub)
	for _, c := range rep.Cores {
		slot := c.ID % cpt
		col := c.Tile[0]*sub + slot%sub
		row := c.Tile[1]*sub + (sub - 1 - slot/sub)
		v := raw(c)
		g.set(col, row, v/scale, fmt.Sprintf("c%d\n%s", c.ID, label(v)))
	}
	return g, coreLayout{fmt.Sprintf("%d cores per tile as a %d×%d sub-grid", cpt, sub, sub),
		"Bold lines outline tiles; each small cell is a core, ids left→right then top→bottom; labels: core id, value."}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// CoreEnergy draws each core's energy (total_energy_fj: synaptic ops,
// neuron updates and spikes out; router hops are in RouterTraffic) as a
// heatmap laid out as the mesh.
func CoreEnergy(rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	if rep == nil || len(rep.Cores) == 0 {
		return nil, fmt.Errorf("plot energy: the report lists no cores")
	}
	raw := func(c Core) float64 { return float64(c.EnergyFJ) }
	probe, _ := coreGrid(rep, o.TileSums, false, raw, 1, fmtNum)
	div, unit := energyUnit(probe.max())
	g, layout := coreGrid(rep, o.TileSums, false, raw, div, func(fj float64) string { return fmtNum(fj / div) })
	var sum uint64
	for _, c := range rep.Cores {
		sum += c.EnergyFJ
	}
	width, height := rep.MeshSize()
	title := fmt.Sprintf("Energy per core: %s\n%d×%d tiles, %s; all cores %s", runLabel(rep), width, height, layout.short, fmtEnergy(float64(sum)))
	note := layout.note + " Grey: no core in use.\nCore ops only (synaptic ops, neuron updates, spikes out); router hops are in the traffic plot."
	return heatmap("energy", title, note, "energy ("+unit+")", width, height, g, o)
}

// CoreActivity draws each core's activity, o.Activity (spikes, syn_ops,
// spikes_out, neuron_active or busy), as a heatmap laid out as the mesh.
// With per-tile cells, counts are summed and busy shares averaged.
func CoreActivity(rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	if rep == nil || len(rep.Cores) == 0 {
		return nil, fmt.Errorf("plot activity: the report lists no cores")
	}
	var what, unit string
	var raw func(Core) float64
	switch o.Activity {
	case ActivitySpikes:
		what, unit, raw = "Spikes fired per core", "spikes fired", func(c Core) float64 { return float64(c.Ops.Spikes) }
	case ActivitySynOps:
		what, unit, raw = "Synaptic ops per core", "synaptic ops", func(c Core) float64 { return float64(c.Ops.SynOps) }
	case ActivitySpikesOut:
		what, unit, raw = "Packets sent per core", "packets sent", func(c Core) float64 { return float64(c.Ops.SpikesOut) }
	case ActivityNeuronActive:
		what, unit, raw = "Active neuron updates per core", "active neuron updates", func(c Core) float64 { return float64(c.Ops.NeuronActive) }
	case ActivityBusy:
		if rep.HardwareTimePS <= 0 {
			return nil, fmt.Errorf("plot activity: busy share needs hardware_time_ps > 0")
		}
		hw := float64(rep.HardwareTimePS)
		what, unit, raw = "Core busy time", "busy (% of hardware time)", func(c Core) float64 { return 100 * float64(c.BusyPS) / hw }
	default:
		return nil, fmt.Errorf("plot activity: metric %q: want one of %s", o.Activity, strings.Join(ActivityMetrics, ", "))
	}
	mean := o.Activity == ActivityBusy
	label, scale := fmtCount, 1.0
	if mean {
		label = func(v float64) string { return fmtNum(v) + "%" }
	} else {
		// Scale large counts so the colour bar reads 1.5 (thousands), not 1500.
		probe, _ := coreGrid(rep, o.TileSums, false, raw, 1, fmtNum)
		if m := probe.max(); m >= 1e4 {
			name := "thousands"
			scale = 1e3
			if m >= 1e7 {
				scale, name = 1e6, "millions"
			}
			unit += " (" + name + ")"
		}
	}
	g, layout := coreGrid(rep, o.TileSums, mean, raw, scale, label)
	width, height := rep.MeshSize()
	title := fmt.Sprintf("%s: %s\n%d×%d tiles, %s", what, runLabel(rep), width, height, layout.short)
	note := layout.note + " Grey: no core in use."
	if mean {
		note += "\nBusy: the sum of the latencies of the core's ops (sweeps and synaptic ops) over the run's hardware time."
	}
	return heatmap("activity", title, note, unit, width, height, g, o)
}

// LinkUtilisation derives a TileMap from the routers of a report: for each
// tile, the mean utilisation of its router's outgoing mesh links, busy_ps /
// (links × hardware_time_ps), labelled with the hops it sent. It is the
// traffic figure of reports without per-link counters (the per-hop mesh
// model); PerLinkUtilisation reads the links of the cycle-accurate mesh.
func LinkUtilisation(rep *Report) TileMap {
	width, height := rep.MeshSize()
	m := TileMap{Width: width, Height: height,
		Title: "mean utilisation of each router's outgoing links",
		Unit:  "link utilisation (%)",
		Note: "Utilisation: busy_ps / (outgoing links × hardware time). Labels: utilisation and packets the router sent\n" +
			"on to a neighbour (hops east-west + north-south); unlabelled tiles carried no traffic."}
	hw := float64(rep.HardwareTimePS)
	for _, r := range rep.Routers {
		x, y := r.Tile[0], r.Tile[1]
		links := 0
		if x > 0 {
			links++
		}
		if x < width-1 {
			links++
		}
		if y > 0 {
			links++
		}
		if y < height-1 {
			links++
		}
		v := 0.0
		if hw > 0 && links > 0 {
			v = 100 * float64(r.BusyPS) / (float64(links) * hw)
		}
		hops := r.HopsEW + r.HopsNS
		label := ""
		if hops > 0 || r.BusyPS > 0 {
			label = fmt.Sprintf("%s\n%s %s", fmtShare(v), fmtCount(float64(hops)), plural(int(min(hops, 2)), "hop"))
		}
		m.Tiles = append(m.Tiles, TileValue{X: x, Y: y, Value: v, Label: label})
	}
	return m
}

// RouterTraffic draws a per-tile value (from LinkUtilisation, or any
// TileMap) as a heatmap laid out as the mesh; title names the run.
func RouterTraffic(m TileMap, title string, o Options) (*Figure, error) {
	o = o.withDefaults()
	if m.Width <= 0 || m.Height <= 0 || m.Width*m.Height > maxTiles {
		return nil, fmt.Errorf("plot traffic: mesh %d×%d: want 1..%d tiles", m.Width, m.Height, maxTiles)
	}
	g := newGrid(m.Width, m.Height, 1)
	for _, t := range m.Tiles {
		if t.X < 0 || t.Y < 0 || t.X >= m.Width || t.Y >= m.Height {
			return nil, fmt.Errorf("plot traffic: tile (%d, %d) is outside the %d×%d mesh", t.X, t.Y, m.Width, m.Height)
		}
		g.set(t.X, t.Y, t.Value, t.Label)
	}
	full := "Router traffic"
	if title != "" {
		full += ": " + title
	}
	full += fmt.Sprintf("\n%d×%d tiles, %s", m.Width, m.Height, m.Title)
	return heatmap("traffic", full, m.Note, m.Unit, m.Width, m.Height, g, o)
}
