package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LinkValue is one directed mesh link for LinkTraffic: output port Dir
// (east, west, north or south) of the router of tile (X, Y), to the
// neighbouring tile that way.
type LinkValue struct {
	X, Y  int
	Dir   string
	Value float64 // the colour: utilisation in % of the run's mesh cycles (flits when LinkMap.Cycles is 0)

	Flits         uint64
	CreditStalls  uint64 // (VC, cycle) pairs a flit waited for a credit
	MaxQueueFlits int    // most flits queued at the input port at the far end
	ChipLink      bool   // a chip-to-chip link (boards)
}

// LinkMap is a value per directed mesh link and per tile of a Width×Height
// mesh: what LinkTraffic draws. Links not listed carried no flit and are
// drawn at 0; tiles not listed are grey.
type LinkMap struct {
	Width, Height int
	Links         []LinkValue
	Tiles         []TileValue // each tile's cell: ejection into its cores
	// Cycles is the run's mesh cycles, the utilisation's denominator; 0
	// when the report does not give the mesh clock: Values are then flits.
	Cycles float64
	Title  string // what the colour shows, for the title
	Note   string // how to read it, under the picture
	Unit   string // the colour bar's label, with the unit
}

// PerLinkUtilisation derives a LinkMap from the per-link counters of a
// report (report.json's links, written with mesh_model: cycle): each mesh
// link's utilisation, flits / mesh cycles of the run (hardware_time_ps /
// mesh_cycle_ps; one flit per link per cycle at most). Ejection ports
// (local0, local1, …) are not mesh links: each tile's cell shows the
// utilisation of its busiest ejection port, labelled with the flits its
// ports ejected. Without mesh_cycle_ps the values are flits.
func PerLinkUtilisation(rep *Report) LinkMap {
	width, height := rep.MeshSize()
	m := LinkMap{Width: width, Height: height}
	if rep.MeshCyclePS > 0 && rep.HardwareTimePS > 0 {
		m.Cycles = float64(rep.HardwareTimePS) / float64(rep.MeshCyclePS)
	}
	value := func(flits uint64) float64 {
		if m.Cycles > 0 {
			return 100 * float64(flits) / m.Cycles
		}
		return float64(flits)
	}
	type eject struct {
		flits uint64
		max   float64
		used  bool // a core in use or an ejected flit
	}
	inMesh := func(t [2]int) bool { return t[0] >= 0 && t[1] >= 0 && t[0] < width && t[1] < height }
	tiles := make([]eject, width*height)
	for _, c := range rep.Cores {
		if inMesh(c.Tile) {
			tiles[c.Tile[1]*width+c.Tile[0]].used = true
		}
	}
	for _, l := range rep.Links {
		if !inMesh(l.Tile) {
			continue
		}
		if _, _, ok := direction(l.Port); ok {
			m.Links = append(m.Links, LinkValue{X: l.Tile[0], Y: l.Tile[1], Dir: l.Port, Value: value(l.Flits),
				Flits: l.Flits, CreditStalls: l.CreditStalls, MaxQueueFlits: l.MaxQueueFlits, ChipLink: l.ChipLink})
			continue
		}
		e := &tiles[l.Tile[1]*width+l.Tile[0]]
		e.used = true
		e.flits += l.Flits
		e.max = max(e.max, value(l.Flits))
	}
	for i, e := range tiles {
		if !e.used {
			continue
		}
		label := ""
		if e.flits > 0 {
			label = fmtCount(float64(e.flits))
			if m.Cycles > 0 {
				label = fmtShare(e.max) + "\n" + label
			}
		}
		m.Tiles = append(m.Tiles, TileValue{X: i % width, Y: i / width, Value: e.max, Label: label})
	}
	if m.Cycles > 0 {
		m.Title = fmt.Sprintf("utilisation of each link over %s mesh cycles", fmtCount(m.Cycles))
		m.Unit = "link utilisation (% of cycles)"
		m.Note = "Arrows: the link from a router to its neighbour, coloured by flits / mesh cycles; each direction keeps to its right.\n" +
			"Squares: a tile's ejection into its cores (busiest local port; labels: utilisation, flits ejected). Grey: no core in use."
	} else {
		m.Title = "flits over each link (the report has no mesh_cycle_ps)"
		m.Unit = "flits"
		m.Note = "Arrows: the link from a router to its neighbour, coloured by the flits it carried; each direction keeps to its right.\n" +
			"Squares: a tile's ejection into its cores (busiest local port; label: flits ejected). Grey: no core in use."
	}
	return m
}

// BusiestLink returns the link of m with the largest value (the first, on
// a tie); ok is false when no link carried a flit.
func BusiestLink(m LinkMap) (LinkValue, bool) {
	best := -1
	for i, l := range m.Links {
		if l.Flits > 0 && (best < 0 || l.Value > m.Links[best].Value) {
			best = i
		}
	}
	if best < 0 {
		return LinkValue{}, false
	}
	return m.Links[best], true
}

// LinkSummary names the busiest link of m (tile, direction, utilisation,
// and what queued there) and, on a second line, the link that stalled most
// on credits when that is another one.
func LinkSummary(m LinkMap) string {
	b, ok := BusiestLink(m)
	if !ok {
		return "No link carried a flit."
	}
	var s strings.Builder
	s.WriteString("Busiest link: " + linkName(b) + ", ")
	if m.Cycles > 0 {
		fmt.Fprintf(&s, "%s (%s flits in %s cycles)", fmtShare(b.Value), fmtCount(float64(b.Flits)), fmtCount(m.Cycles))
	} else {
		fmt.Fprintf(&s, "%s flits", fmtCount(float64(b.Flits)))
	}
	fmt.Fprintf(&s, ", %s credit %s, up to %d %s queued at the far end.", fmtCount(float64(b.CreditStalls)),
		plural(int(min(b.CreditStalls, 2)), "stall"), b.MaxQueueFlits, plural(b.MaxQueueFlits, "flit"))
	stalled := b
	for _, l := range m.Links {
		if l.CreditStalls > stalled.CreditStalls {
			stalled = l
		}
	}
	if stalled != b {
		fmt.Fprintf(&s, "\nMost credit stalls: %s, %s.", linkName(stalled), fmtCount(float64(stalled.CreditStalls)))
	}
	return s.String()
}

// linkName is "tile (3, 1) east", marked when it crosses a chip edge.
func linkName(l LinkValue) string {
	s := fmt.Sprintf("tile (%d, %d) %s", l.X, l.Y, l.Dir)
	if l.ChipLink {
		s += " (chip-to-chip)"
	}
	return s
}

// Traffic draws the traffic figure of a report: the per-link map
// (PerLinkUtilisation, LinkTraffic) when the report has per-link counters,
// the per-router map (LinkUtilisation, RouterTraffic) otherwise.
func Traffic(rep *Report, o Options) (*Figure, error) {
	if rep == nil {
		return nil, fmt.Errorf("plot traffic: no report")
	}
	if len(rep.Links) > 0 {
		return LinkTraffic(PerLinkUtilisation(rep), runLabel(rep), o)
	}
	return RouterTraffic(LinkUtilisation(rep), runLabel(rep), o)
}

// LinkTraffic draws a per-link map (from PerLinkUtilisation, or any
// LinkMap) laid out as the mesh: a square per tile, an arrow per directed
// link between neighbouring tiles, chip-to-chip links outlined dashed, the
// busiest link outlined bold and named under the picture; title names the
// run.
func LinkTraffic(m LinkMap, title string, o Options) (*Figure, error) {
	o = o.withDefaults()
	if m.Width <= 0 || m.Height <= 0 || m.Width*m.Height > maxTiles {
		return nil, fmt.Errorf("plot traffic: mesh %d×%d: want 1..%d tiles", m.Width, m.Height, maxTiles)
	}
	maxV := 0.0
	for _, t := range m.Tiles {
		if t.X < 0 || t.Y < 0 || t.X >= m.Width || t.Y >= m.Height {
			return nil, fmt.Errorf("plot traffic: tile (%d, %d) is outside the %d×%d mesh", t.X, t.Y, m.Width, m.Height)
		}
		maxV = max(maxV, t.Value)
	}
	for _, l := range m.Links {
		dx, dy, ok := direction(l.Dir)
		if !ok {
			return nil, fmt.Errorf("plot traffic: link of tile (%d, %d): direction %q: want one of %s",
				l.X, l.Y, l.Dir, strings.Join(directions, ", "))
		}
		if l.X < 0 || l.Y < 0 || l.X >= m.Width || l.Y >= m.Height ||
			l.X+dx < 0 || l.Y+dy < 0 || l.X+dx >= m.Width || l.Y+dy >= m.Height {
			return nil, fmt.Errorf("plot traffic: link %s of tile (%d, %d) is not inside the %d×%d mesh", l.Dir, l.X, l.Y, m.Width, m.Height)
		}
		if !math.IsNaN(l.Value) {
			maxV = max(maxV, l.Value)
		}
	}
	cm, err := heatColorMap(maxV)
	if err != nil {
		return nil, fmt.Errorf("plot traffic: %w", err)
	}
	full := "Router traffic per link"
	if title != "" {
		full += ": " + title
	}
	full += fmt.Sprintf("\n%d×%d tiles, %s", m.Width, m.Height, m.Title)

	layer := &linkLayer{m: m, cm: cm, busiest: -1}
	if b, ok := BusiestLink(m); ok {
		layer.busiest = slices.Index(m.Links, b)
	}
	p := newPlot(full, "tile x (east →)", "tile y (north →)")
	p.Add(layer)
	p.X.Min, p.X.Max = -0.5, float64(m.Width)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(m.Height)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Marker = tileTicks(m.Width)
	p.Y.Tick.Marker = tileTicks(m.Height)
	bar := colorBar(cm, m.Unit)

	note := LinkSummary(m)
	if m.Note != "" {
		note += "\n" + m.Note
	}
	chip := false
	for _, l := range m.Links {
		chip = chip || l.ChipLink
	}
	if chip {
		note += "\nDashed outline: a chip-to-chip link. Bold outline: the busiest link."
	} else if layer.busiest >= 0 {
		note += "\nBold outline: the busiest link."
	}
	return newFigure(NameTraffic, full, o, func(c draw.Canvas) { drawWithBar(c, p, bar, note) }), nil
}

// linkLayer draws a LinkMap in a plot's data area: a square per tile, an
// arrow per directed link.
type linkLayer struct {
	m       LinkMap
	cm      palette.ColorMap
	busiest int // index into m.Links, -1 none
}

func (l *linkLayer) color(v float64) color.Color {
	if math.IsNaN(v) {
		return noDataColor
	}
	c, err := l.cm.At(min(max(v, l.cm.Min()), l.cm.Max()))
	if err != nil {
		return noDataColor
	}
	return c
}

// linkGeom is where the arrows and squares go, in canvas units.
type linkGeom struct {
	cellW, cellH vg.Length // one tile
	bw, bh       vg.Length // half the width and height of a tile's square
	thick        vg.Length // an arrow's shaft
	off          vg.Length // an arrow's distance from the line joining the tile centres
	gap          vg.Length // between a square and an arrow's ends
	detail       bool      // room for outlines, arrow heads and labels
}

func newLinkGeom(cellW, cellH vg.Length) linkGeom {
	cell := min(cellW, cellH)
	g := linkGeom{cellW: cellW, cellH: cellH, bw: 0.3 * cellW, bh: 0.3 * cellH}
	g.thick = min(max(0.11*cell, vg.Points(0.8)), vg.Points(9))
	g.off = 0.75 * g.thick
	g.gap = min(0.04*cell, vg.Points(2))
	g.detail = cell >= vg.Points(14)
	return g
}

// arrow returns the link of direction (dx, dy) from the tile centred at
// (cx, cy): its start, unit direction u, right-hand normal n and length.
// Each direction keeps to its right, so both of a pair show.
func (g linkGeom) arrow(cx, cy vg.Length, dx, dy int) (start, u, n vg.Point, length vg.Length) {
	half, cell := g.bw, g.cellW
	if dx == 0 {
		half, cell = g.bh, g.cellH
	}
	u = vg.Point{X: vg.Length(dx), Y: vg.Length(dy)}
	n = vg.Point{X: vg.Length(dy), Y: vg.Length(-dx)}
	along := half + g.gap
	start = vg.Point{X: cx + u.X*along + n.X*g.off, Y: cy + u.Y*along + n.Y*g.off}
	return start, u, n, cell - 2*along
}

func (l *linkLayer) Plot(c draw.Canvas, p *gplot.Plot) {
	m := l.m
	tx, ty := p.Transforms(&c)
	g := newLinkGeom(tx(1)-tx(0), ty(1)-ty(0))

	// Tiles: a square each, coloured by its ejection.
	cell := make([]int, m.Width*m.Height) // index into m.Tiles + 1; 0: none
	for i, t := range m.Tiles {
		cell[t.Y*m.Width+t.X] = i + 1
	}
	outline := draw.LineStyle{Color: color.Gray{Y: 110}, Width: vg.Points(0.6)}
	for i, ti := range cell {
		cx, cy := tx(float64(i%m.Width)), ty(float64(i/m.Width))
		sq := []vg.Point{{X: cx - g.bw, Y: cy - g.bh}, {X: cx + g.bw, Y: cy - g.bh}, {X: cx + g.bw, Y: cy + g.bh}, {X: cx - g.bw, Y: cy + g.bh}}
		clr := color.Color(noDataColor)
		if ti > 0 {
			clr = l.color(m.Tiles[ti-1].Value)
		}
		c.FillPolygon(clr, sq)
		if g.detail {
			c.StrokeLines(outline, append(sq, sq[0]))
		}
	}

	// Links: every pair of neighbours, both directions; the busiest last.
	at := map[[3]int]int{} // x, y, direction → index into m.Links
	for i, lv := range m.Links {
		at[[3]int{lv.X, lv.Y, slices.Index(directions, lv.Dir)}] = i
	}
	var last func()
	for i := range cell {
		x, y := i%m.Width, i/m.Width
		for d, dir := range directions {
			dx, dy, _ := direction(dir)
			if x+dx < 0 || y+dy < 0 || x+dx >= m.Width || y+dy >= m.Height {
				continue
			}
			lv := LinkValue{X: x, Y: y, Dir: dir}
			k, ok := at[[3]int{x, y, d}]
			if ok {
				lv = m.Links[k]
			}
			cx, cy := tx(float64(x)), ty(float64(y))
			if ok && k == l.busiest {
				last = func() { l.drawLink(c, g, lv, cx, cy, true) }
				continue
			}
			l.drawLink(c, g, lv, cx, cy, false)
		}
	}
	if last != nil {
		last()
	}
	if !g.detail {
		return
	}

	// Labels: in the squares, and beside the arrows that carried flits.
	for _, t := range m.Tiles {
		drawBoxLabel(c, t.Label, tx(float64(t.X)), ty(float64(t.Y)), 2*g.bw, 2*g.bh, l.color(t.Value))
	}
	for _, lv := range m.Links {
		if lv.Flits == 0 {
			continue
		}
		label := fmtShare(lv.Value)
		if m.Cycles <= 0 {
			label = fmtCount(lv.Value)
		}
		dx, dy, _ := direction(lv.Dir)
		start, u, n, length := g.arrow(tx(float64(lv.X)), ty(float64(lv.Y)), dx, dy)
		room := g.bh // across the arrow, on its right, up to the square's edge
		if dx == 0 {
			room = g.bw
		}
		room -= g.off + g.thick/2 + vg.Points(1)
		size := min(float64(length)/(0.6*float64(len([]rune(label)))+0.4), float64(room)/1.2, 8)
		if size < 5 {
			continue
		}
		sty := textStyle(sans, vg.Length(size), color.Black)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		if dx == 0 {
			sty.Rotation = math.Pi / 2
		}
		b := g.thick/2 + vg.Points(1) + 0.6*vg.Length(size)
		mid := vg.Point{X: start.X + u.X*length/2 + n.X*b, Y: start.Y + u.Y*length/2 + n.Y*b}
		c.FillText(sty, mid, label)
	}
}

// drawLink draws one directed link from the tile centred at (cx, cy).
func (l *linkLayer) drawLink(c draw.Canvas, g linkGeom, lv LinkValue, cx, cy vg.Length, busiest bool) {
	dx, dy, _ := direction(lv.Dir)
	start, u, n, length := g.arrow(cx, cy, dx, dy)
	if length <= 0 {
		return
	}
	pt := func(a, b vg.Length) vg.Point {
		return vg.Point{X: start.X + u.X*a + n.X*b, Y: start.Y + u.Y*a + n.Y*b}
	}
	sty := draw.LineStyle{Color: color.Gray{Y: 70}, Width: vg.Points(0.5)}
	if lv.Flits == 0 {
		sty.Color = color.Gray{Y: 150}
		sty.Width = vg.Points(0.4)
	}
	if lv.ChipLink {
		sty = draw.LineStyle{Color: color.Black, Width: vg.Points(0.9), Dashes: []vg.Length{vg.Points(3), vg.Points(1.5)}}
	}
	if busiest {
		sty.Color, sty.Width = color.Black, vg.Points(1.6)
	}
	fill := l.color(lv.Value)
	if !g.detail {
		// A few points per tile: a coloured line, with a thin black line
		// over it to mark a chip-to-chip or the busiest link.
		a, b := pt(0, 0), pt(length, 0)
		c.StrokeLine2(draw.LineStyle{Color: fill, Width: g.thick}, a.X, a.Y, b.X, b.Y)
		if lv.ChipLink || busiest {
			sty.Width = min(sty.Width, g.thick/2)
			c.StrokeLine2(sty, a.X, a.Y, b.X, b.Y)
		}
		return
	}
	t := g.thick
	head := min(1.3*t, length/2)
	poly := []vg.Point{pt(0, -t/2), pt(length-head, -t/2), pt(length-head, -0.85*t), pt(length, 0),
		pt(length-head, 0.85*t), pt(length-head, t/2), pt(0, t/2)}
	c.FillPolygon(fill, poly)
	c.StrokeLines(sty, append(poly, poly[0]))
}

// drawBoxLabel writes a label centred in a w×h box filled with bg, dark on
// light and white on dark, sized to fit; none when it would be too small.
func drawBoxLabel(c draw.Canvas, label string, cx, cy, w, h vg.Length, bg color.Color) {
	if label == "" {
		return
	}
	lines := strings.Split(label, "\n")
	longest := 0
	for _, s := range lines {
		longest = max(longest, len([]rune(s)))
	}
	size := min(float64(w)/(0.6*float64(longest)+1), float64(h)/(1.3*float64(len(lines))+0.4), 11)
	if size < 5.5 {
		return
	}
	sty := textStyle(sans, vg.Length(size), color.Black)
	if luminance(bg) < 0.45 {
		sty.Color = color.White
	}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, vg.Point{X: cx, Y: cy}, label)
}
