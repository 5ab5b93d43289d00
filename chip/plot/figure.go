package plot

import (
	"bufio"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the picture formats Figure.Encode writes.
var Formats = []string{"png", "svg"}

// Activity metrics CoreActivity can show.
const (
	ActivitySpikes       = "spikes"        // neurons that fired
	ActivitySynOps       = "syn_ops"       // synaptic ops
	ActivitySpikesOut    = "spikes_out"    // packets sent
	ActivityNeuronActive = "neuron_active" // neuron updates that changed state
	ActivityBusy         = "busy"          // busy_ps as a share of the run's hardware time
)

// ActivityMetrics lists the Activity values.
var ActivityMetrics = []string{ActivitySpikes, ActivitySynOps, ActivitySpikesOut, ActivityNeuronActive, ActivityBusy}

// X axes of the raster.
const (
	XAxisTime = "time" // the step's algorithmic time, step × dt, in ms
	XAxisStep = "step"
)

// Options tune the pictures. The zero value of a field means its default
// (see DefaultOptions).
type Options struct {
	Formats   []string // png and/or svg (default png)
	Only      []string // plot names to draw (default all; see Names)
	DPI       int      // PNG resolution (default 120)
	WidthIn   float64  // picture width in inches (default 8)
	HeightIn  float64  // picture height in inches (default 5)
	XAxis     string   // raster x axis: time (default when dt is known) or step
	Activity  string   // CoreActivity metric (default spikes)
	TileSums  bool     // heatmaps: one cell per tile summing its cores, instead of a cell per core
	MaxSpikes int      // raster: draw at most this many spikes, evenly thinned (default 200000)
	MaxTraces int      // membrane: at most this many probed neurons (default 12)
	MaxLabels int      // weights: synapses named in the legend; more are drawn grey with their mean (default 10)
}

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{Formats: []string{"png"}, DPI: 120, WidthIn: 8, HeightIn: 5, XAxis: XAxisTime,
		Activity: ActivitySpikes, MaxSpikes: 200_000, MaxTraces: 12, MaxLabels: 10}
}

// withDefaults fills zero fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if len(o.Formats) == 0 {
		o.Formats = d.Formats
	}
	if o.DPI == 0 {
		o.DPI = d.DPI
	}
	if o.WidthIn == 0 {
		o.WidthIn = d.WidthIn
	}
	if o.HeightIn == 0 {
		o.HeightIn = d.HeightIn
	}
	if o.XAxis == "" {
		o.XAxis = d.XAxis
	}
	if o.Activity == "" {
		o.Activity = d.Activity
	}
	if o.MaxSpikes == 0 {
		o.MaxSpikes = d.MaxSpikes
	}
	if o.MaxTraces == 0 {
		o.MaxTraces = d.MaxTraces
	}
	if o.MaxLabels == 0 {
		o.MaxLabels = d.MaxLabels
	}
	return o
}

// Validate checks the options (zero fields take their defaults).
func (o Options) Validate() error {
	var errs []string
	for _, f := range o.Formats {
		if !slices.Contains(Formats, f) {
			errs = append(errs, fmt.Sprintf("format %q: want one of %s", f, strings.Join(Formats, ", ")))
		}
	}
	for _, n := range o.Only {
		if !slices.Contains(Names, n) {
			errs = append(errs, fmt.Sprintf("plot %q: want one of %s", n, strings.Join(Names, ", ")))
		}
	}
	if o.DPI < 0 || o.DPI > 1200 {
		errs = append(errs, fmt.Sprintf("dpi %d: want 1..1200", o.DPI))
	}
	if o.WidthIn < 0 || o.WidthIn > 100 || o.HeightIn < 0 || o.HeightIn > 100 {
		errs = append(errs, fmt.Sprintf("size %g×%g in: want up to 100 in each", o.WidthIn, o.HeightIn))
	}
	if o.XAxis != "" && o.XAxis != XAxisTime && o.XAxis != XAxisStep {
		errs = append(errs, fmt.Sprintf("x axis %q: want %s or %s", o.XAxis, XAxisTime, XAxisStep))
	}
	if o.Activity != "" && !slices.Contains(ActivityMetrics, o.Activity) {
		errs = append(errs, fmt.Sprintf("activity %q: want one of %s", o.Activity, strings.Join(ActivityMetrics, ", ")))
	}
	if o.MaxSpikes < 0 || o.MaxTraces < 0 || o.MaxLabels < 0 {
		errs = append(errs, "max spikes, traces and labels must be ≥ 0")
	}
	if len(errs) > 0 {
		return fmt.Errorf("plot options: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Figure is one picture, ready to encode.
type Figure struct {
	Name     string // plot name, also the file stem: raster, energy, …
	Title    string
	WidthIn  float64
	HeightIn float64
	draw     func(c draw.Canvas)
}

// Encode writes the figure as format (png or svg); dpi applies to png.
func (f *Figure) Encode(w io.Writer, format string, dpi int) error {
	width, height := vg.Length(f.WidthIn)*vg.Inch, vg.Length(f.HeightIn)*vg.Inch
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(max(dpi, 1)))}
	case "svg":
		cw = vgsvg.New(width, height)
	default:
		return fmt.Errorf("plot %s: format %q: want one of %s", f.Name, format, strings.Join(Formats, ", "))
	}
	c := draw.New(cw)
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	f.draw(c)
	if _, err := cw.WriteTo(w); err != nil {
		return fmt.Errorf("plot %s: encode %s: %w", f.Name, format, err)
	}
	return nil
}

// Save writes the figure to path, the format taken from its extension.
func (f *Figure) Save(path string, dpi int) (err error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if !slices.Contains(Formats, format) {
		return fmt.Errorf("plot %s: %s: extension must be one of .%s", f.Name, path, strings.Join(Formats, ", ."))
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot %s: %w", f.Name, err)
	}
	defer func() {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("plot %s: %w", f.Name, cerr)
		}
	}()
	bw := bufio.NewWriter(file)
	if err := f.Encode(bw, format, dpi); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("plot %s: %w", f.Name, err)
	}
	return nil
}

// newFigure makes a figure of the options' size.
func newFigure(name, title string, o Options, draw func(c draw.Canvas)) *Figure {
	return &Figure{Name: name, Title: title, WidthIn: o.WidthIn, HeightIn: o.HeightIn, draw: draw}
}

// Fonts: a sans face, sized for an 8-inch picture read on screen or paper.
var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

const (
	titleSize = 13
	labelSize = 11
	tickSize  = 10
	noteSize  = 9
)

func textStyle(f font.Font, size vg.Length, clr color.Color) text.Style {
	f.Size = size
	return text.Style{Color: clr, Font: f, Handler: gplot.DefaultTextHandler}
}

// newPlot returns a plot with the package's fonts, title and axis labels.
func newPlot(title, xLabel, yLabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansBold
	p.Title.TextStyle.Font.Size = titleSize
	p.Title.Padding = vg.Points(8)
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans
		a.Label.TextStyle.Font.Size = labelSize
		a.Tick.Label.Font = sans
		a.Tick.Label.Font.Size = tickSize
		a.Label.Padding = vg.Points(4)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = numTicks{}, numTicks{}
	p.Legend.TextStyle.Font = sans
	p.Legend.TextStyle.Font.Size = tickSize
	return p
}

// newLegend returns a legend in the package's font, for drawing beside a
// plot rather than over its data.
func newLegend() gplot.Legend {
	l := gplot.NewLegend()
	l.TextStyle.Font = sans
	l.TextStyle.Font.Size = tickSize
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(3)
	return l
}

// legendWidth is the width the legend's longest entry needs.
func legendWidth(l gplot.Legend, names []string) vg.Length {
	w := vg.Length(0)
	for _, n := range names {
		w = max(w, l.TextStyle.Width(n))
	}
	return w + l.ThumbnailWidth + l.TextStyle.Width("    ")
}

// withLegend draws into c (padded) a figure with the legend at its right:
// drawPlots draws the plots into the part left of the legend and returns
// the data area whose top the legend's top is level with.
func withLegend(c draw.Canvas, leg gplot.Legend, names []string, drawPlots func(main draw.Canvas) draw.Canvas) {
	c = pad(c, vg.Points(6))
	legW := legendWidth(leg, names) + vg.Points(10)
	dc := drawPlots(draw.Crop(c, 0, -legW, 0, 0))
	lc := draw.Crop(c, c.Max.X-c.Min.X-legW+vg.Points(10), 0, 0, 0)
	lc.Max.Y = dc.Max.Y
	leg.Draw(lc)
}

// drawNote writes small grey text at the bottom-left of c and returns c
// without the strip it used.
func drawNote(c draw.Canvas, note string) draw.Canvas {
	if note == "" {
		return c
	}
	sty := textStyle(sans, noteSize, color.Gray{Y: 80})
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	h := sty.Height(note) + vg.Points(4)
	c.FillText(sty, vg.Point{X: c.Min.X + vg.Points(6), Y: c.Min.Y + vg.Points(3)}, note)
	return draw.Crop(c, 0, 0, h, 0)
}

// pad insets a canvas on every side.
func pad(c draw.Canvas, l vg.Length) draw.Canvas { return draw.Crop(c, l, -l, l, -l) }

// energyUnit picks a unit for femtojoule values up to maxFJ: the divisor and
// its name.
func energyUnit(maxFJ float64) (float64, string) {
	switch {
	case maxFJ >= 1e15:
		return 1e15, "J"
	case maxFJ >= 1e12:
		return 1e12, "mJ"
	case maxFJ >= 1e9:
		return 1e9, "µJ"
	case maxFJ >= 1e6:
		return 1e6, "nJ"
	case maxFJ >= 1e3:
		return 1e3, "pJ"
	}
	return 1, "fJ"
}

// fmtEnergy formats femtojoules in a readable unit.
func fmtEnergy(fj float64) string {
	d, u := energyUnit(fj)
	return fmtNum(fj/d) + " " + u
}

// fmtNum formats a value with three significant digits and no trailing
// zeros (1.53, 19.3, 150, 1500), with an exponent only beyond 10^6.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e6 || a < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	decimals := max(0, 2-int(math.Floor(math.Log10(a))))
	return trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
}

// trimZeros drops trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// fmtShare formats a percentage: 75.8%, 0.14%, <0.01%.
func fmtShare(pct float64) string {
	if pct > 0 && pct < 0.01 {
		return "<0.01%"
	}
	return fmtNum(pct) + "%"
}

// numTicks are gonum's default ticks with labels freed of trailing zeros
// (25, not 25.00).
type numTicks struct{}

func (numTicks) Ticks(lo, hi float64) []gplot.Tick {
	ticks := gplot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			if v, err := strconv.ParseFloat(ticks[i].Label, 64); err == nil && math.Abs(v) < 1e15 {
				ticks[i].Label = trimZeros(strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
	}
	return ticks
}

// fmtCount formats a count compactly: 950, 12.4k, 3.1M.
func fmtCount(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return fmtNum(v/1e9) + "G"
	case a >= 1e6:
		return fmtNum(v/1e6) + "M"
	case a >= 1e4:
		return fmtNum(v/1e3) + "k"
	}
	return fmt.Sprintf("%.0f", v)
}

// fmtPS formats picoseconds in a readable unit.
func fmtPS(ps float64) string {
	switch a := math.Abs(ps); {
	case a >= 1e12:
		return fmtNum(ps/1e12) + " s"
	case a >= 1e9:
		return fmtNum(ps/1e9) + " ms"
	case a >= 1e6:
		return fmtNum(ps/1e6) + " µs"
	case a >= 1e3:
		return fmtNum(ps/1e3) + " ns"
	}
	return fmtNum(ps) + " ps"
}

// series colours: distinguishable, print-safe (Okabe–Ito, with black last).
var seriesColors = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{120, 120, 120, 255}, // grey
	color.RGBA{0, 0, 0, 255},       // black
}

func seriesColor(i int) color.Color { return seriesColors[i%len(seriesColors)] }

// seriesDashes varies the dash pattern once the colours repeat.
func seriesDashes(i int) []vg.Length {
	switch (i / len(seriesColors)) % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return nil
}

// runLabel names the run for a title: "random-net on loihi, 50 steps".
func runLabel(rep *Report) string {
	if rep == nil {
		return ""
	}
	s := rep.Network
	if rep.Preset != "" {
		s += " on " + rep.Preset
	}
	if rep.Steps > 0 {
		s += fmt.Sprintf(", %d steps", rep.Steps)
	}
	return s
}
