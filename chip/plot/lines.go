package plot

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named line of (x, y) points.
type Series struct {
	Name string
	X, Y []float64
}

// Lines draws series as lines with point marks, with a legend: for curves
// such as packet latency against offered load (`tessera noc --plot`).
func Lines(name, title, xLabel, yLabel string, series []Series, o Options) (*Figure, error) {
	o = o.withDefaults()
	if len(series) == 0 {
		return nil, fmt.Errorf("plot %s: no series", name)
	}
	p := newPlot(title, xLabel, yLabel)
	p.Add(plotter.NewGrid())
	leg := newLegend()
	var names []string
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plot %s: series %s: %d x values but %d y values", name, s.Name, len(s.X), len(s.Y))
		}
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k] = plotter.XY{X: s.X[k], Y: s.Y[k]}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plot %s: series %s: %w", name, s.Name, err)
		}
		line.Color, line.Width, line.Dashes = seriesColor(i), vg.Points(1.5), seriesDashes(i)
		points.Color = seriesColor(i)
		p.Add(line, points)
		leg.Add(s.Name, line, points)
		names = append(names, s.Name)
	}
	p.X.Min, p.Y.Min = min(p.X.Min, 0), min(p.Y.Min, 0)
	return newFigure(name, title, o, func(c draw.Canvas) {
		withLegend(c, leg, names, func(main draw.Canvas) draw.Canvas {
			p.Draw(main)
			return p.DataCanvas(main)
		})
	}), nil
}
