package plot

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Plot names, also the file stems Render writes (raster.png, …).
const (
	NameRaster    = "raster"    // spike raster by population
	NameEnergy    = "energy"    // per-core energy heatmap
	NameActivity  = "activity"  // per-core activity heatmap
	NameTraffic   = "traffic"   // link utilisation: per link (cycle mesh) or per router
	NameBreakdown = "breakdown" // energy by op class
	NameMembrane  = "membrane"  // u and v of probed neurons
	NameWeights   = "weights"   // weight evolution (learning runs)
)

// Names lists every plot in the order Render draws them.
var Names = []string{NameRaster, NameEnergy, NameActivity, NameTraffic, NameBreakdown, NameMembrane, NameWeights}

// Rendered is what RenderWith did.
type Rendered struct {
	Files []string // written, in plot order then format order
	Notes []string // plots skipped for want of an input, and why
}

// Render draws every plot the output directory dir has the inputs for into
// outDir (created if needed), once per format (png, svg), and returns the
// files written. It is RenderWith with default options; use RenderWith to
// learn which plots were skipped.
func Render(dir, outDir string, formats []string) ([]string, error) {
	r, err := RenderWith(dir, outDir, Options{Formats: formats})
	return r.Files, err
}

// RenderWith draws the plots o.Only (default all) of the output directory
// dir into outDir. A plot whose input is missing (no probes.csv, no spikes
// recorded, no weights.csv …) is skipped with a note; a malformed input is
// an error naming file:line.
func RenderWith(dir, outDir string, o Options) (Rendered, error) {
	var out Rendered
	if err := o.Validate(); err != nil {
		return out, err
	}
	o = o.withDefaults()
	run, err := Load(dir)
	if err != nil {
		return out, err
	}
	want := func(name string) bool { return len(o.Only) == 0 || slices.Contains(o.Only, name) }
	skip := func(name, why string) { out.Notes = append(out.Notes, fmt.Sprintf("%s: skipped, %s", name, why)) }
	rep := run.Report
	noReport := fmt.Sprintf("no %s in %s", ReportFile, dir)

	var figs []*Figure
	steps := []struct {
		name string
		why  string // non-empty: skip
		make func() (*Figure, error)
	}{
		{NameRaster, missing(!run.HasSpikes, fmt.Sprintf("no %s in %s", SpikesFile, dir),
			len(run.Spikes) == 0, fmt.Sprintf("%s has no spikes (probe a population with record: [spikes])", SpikesFile)),
			func() (*Figure, error) { return Raster(run.Spikes, rep, o) }},
		{NameEnergy, missing(rep == nil, noReport, rep != nil && len(rep.Cores) == 0, "the report lists no cores"),
			func() (*Figure, error) { return CoreEnergy(rep, o) }},
		{NameActivity, missing(rep == nil, noReport, rep != nil && len(rep.Cores) == 0, "the report lists no cores"),
			func() (*Figure, error) { return CoreActivity(rep, o) }},
		{NameTraffic, missing(rep == nil, noReport, rep != nil && len(rep.Routers) == 0 && len(rep.Links) == 0, "the report lists no routers"),
			func() (*Figure, error) { return Traffic(rep, o) }},
		{NameBreakdown, missing(rep == nil, noReport, false, ""),
			func() (*Figure, error) { return EnergyBreakdown(rep, o) }},
		{NameMembrane, missing(!run.HasProbes, fmt.Sprintf("no %s in %s (probe a population with record: [v] or [u])", ProbesFile, dir),
			len(run.Probes) == 0, fmt.Sprintf("%s has no rows", ProbesFile)),
			func() (*Figure, error) { return Membrane(run.Probes, run.Spikes, rep, o) }},
		{NameWeights, missing(!run.HasWeights, fmt.Sprintf("no %s in %s (written by learning runs)", WeightsFile, dir),
			len(run.Weights) == 0, fmt.Sprintf("%s has no rows", WeightsFile)),
			func() (*Figure, error) { return Weights(run.Weights, rep, o) }},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		if s.why != "" {
			skip(s.name, s.why)
			continue
		}
		f, err := s.make()
		if err != nil {
			return out, err
		}
		figs = append(figs, f)
	}
	if len(figs) == 0 {
		return out, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return out, fmt.Errorf("plot: %w", err)
	}
	for _, f := range figs {
		for _, format := range o.Formats {
			path := filepath.Join(outDir, f.Name+"."+format)
			if err := f.Save(path, o.DPI); err != nil {
				return out, err
			}
			out.Files = append(out.Files, path)
		}
	}
	return out, nil
}

// missing returns the first reason whose condition holds, or "".
func missing(cond1 bool, why1 string, cond2 bool, why2 string) string {
	switch {
	case cond1:
		return why1
	case cond2:
		return why2
	}
	return ""
}
