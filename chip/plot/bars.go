package plot

import (
	"fmt"
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EnergyClass is one bar of the energy breakdown.
type EnergyClass struct {
	Name     string
	Ops      uint64 // op count (0 for static energy)
	EnergyFJ uint64
}

// EnergyClasses lists the chip's energy by op class, in the order of
// docs/report.md, with static (leakage) energy last.
func EnergyClasses(rep *Report) []EnergyClass {
	e, ops := rep.Energy, rep.Ops
	return []EnergyClass{
		{"synaptic ops", ops.SynOps, e.SynOpFJ},
		{"synaptic updates (learning)", ops.SynUpdates, e.SynUpdateFJ},
		{"neuron updates, active", ops.NeuronActive, e.NeuronActiveFJ},
		{"neuron updates, inactive", ops.NeuronInactive, e.NeuronInactiveFJ},
		{"spikes out", ops.SpikesOut, e.SpikeOutFJ},
		{"hops east-west", ops.HopsEW, e.HopEWFJ},
		{"hops north-south", ops.HopsNS, e.HopNSFJ},
		{"barriers", ops.Barriers, e.BarrierFJ},
		{"static (leakage)", 0, e.StaticFJ},
	}
}

// EnergyBreakdown draws the chip's energy by op class as horizontal bars,
// in a unit chosen for the largest (pJ, nJ, µJ or mJ), each bar labelled
// with its energy, share of the total and op count.
func EnergyBreakdown(rep *Report, o Options) (*Figure, error) {
	o = o.withDefaults()
	if rep == nil {
		return nil, fmt.Errorf("plot breakdown: no report")
	}
	classes := EnergyClasses(rep)
	maxFJ, sum := 0.0, 0.0
	for _, c := range classes {
		maxFJ = max(maxFJ, float64(c.EnergyFJ))
		sum += float64(c.EnergyFJ)
	}
	div, unit := energyUnit(maxFJ)
	total := float64(rep.Energy.TotalFJ)
	if total == 0 {
		total = sum
	}

	// Bars top-down in list order: bar i sits at y = n-1-i.
	n := len(classes)
	vals := make(plotter.Values, n)
	names := make([]string, n)
	labels := make([]string, n)
	xys := make(plotter.XYs, n)
	for i, c := range classes {
		j := n - 1 - i
		vals[j] = float64(c.EnergyFJ) / div
		names[j] = c.Name
		switch {
		case c.EnergyFJ == 0:
			labels[j] = "  0"
		case total > 0:
			labels[j] = fmt.Sprintf("  %s (%s)", fmtEnergy(float64(c.EnergyFJ)), fmtShare(100*float64(c.EnergyFJ)/total))
		default:
			labels[j] = "  " + fmtEnergy(float64(c.EnergyFJ))
		}
		if c.Name != "static (leakage)" {
			labels[j] += fmt.Sprintf(", %s ops", fmtCount(float64(c.Ops)))
		}
		xys[j] = plotter.XY{X: vals[j], Y: float64(j)}
	}

	title := fmt.Sprintf("Energy by op class: %s\ntotal %s = dynamic %s + static %s", runLabel(rep),
		fmtEnergy(float64(rep.Energy.TotalFJ)), fmtEnergy(float64(rep.Energy.DynamicFJ)), fmtEnergy(float64(rep.Energy.StaticFJ)))
	p := newPlot(title, "energy ("+unit+")", "")
	bars, err := plotter.NewBarChart(vals, vg.Points(16))
	if err != nil {
		return nil, fmt.Errorf("plot breakdown: %w", err)
	}
	bars.Horizontal = true
	bars.Color = seriesColors[0]
	bars.LineStyle.Width = 0
	p.Add(plotter.NewGrid())
	p.Add(bars)
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("plot breakdown: %w", err)
	}
	for i := range lbl.TextStyle {
		lbl.TextStyle[i] = textStyle(sans, tickSize, color.Gray{Y: 40})
		lbl.TextStyle[i].YAlign = draw.YCenter
	}
	p.Add(lbl)
	p.NominalY(names...)
	p.Y.Tick.Label.Font = sans
	p.Y.Tick.Label.Font.Size = labelSize
	p.X.Min = 0
	// Room on the right for the largest bar's label.
	p.X.Max = max(maxFJ/div, 1e-9) * 1.45
	// Ticks only under the bars, not under the labels' room.
	p.X.Tick.Marker = gplot.TickerFunc(func(lo, hi float64) []gplot.Tick {
		return numTicks{}.Ticks(lo, max(maxFJ/div, 1e-9)*1.05)
	})
	p.Y.Padding = vg.Points(4)
	return newFigure("breakdown", title, o, func(c draw.Canvas) {
		p.Draw(pad(c, vg.Points(6)))
	}), nil
}
