package energyactivity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/plot"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/tools/sweep"
)

// RateKey is the sweep key of the one knob: the Poisson rate of drive.
const RateKey = "net.inputs.drive.poisson.rate_hz"

// DefaultRates are the study's input rates in Hz: seven, spanning two
// decades.
var DefaultRates = []float64{1, 2, 5, 10, 20, 50, 100}

const (
	// DefaultSteps is long enough that the 1 Hz run still sees about 300
	// input spikes, short enough that the whole sweep takes under a second.
	DefaultSteps = 300
	// DefaultSeed is the run seed; with the input's seed in net.yaml it
	// fixes the Poisson spike trains.
	DefaultSeed = 1
)

// Config is one run of the study.
type Config struct {
	// Network is the network file; its input drive's rate is swept.
	Network string
	// Preset is a built-in preset name or preset file; "" is loihi.
	Preset string
	// Rates are the input rates in Hz, in the order the rows come back.
	Rates []float64
	Steps int
	Seed  uint64
	// Jobs is how many runs go at once (0: one per CPU); the rows do not
	// depend on it.
	Jobs int
	// Out is the sweep's directory (sweep.json, sweep.csv, runs/NNNN/).
	Out string
	// Fixed are further sweep keys with one value each, applied to every
	// run: a variant of the network or preset (net.populations.layer.neuron.dv,
	// preset.static_power_nw) studied over the same rates.
	Fixed sweep.Grid
}

// Row is one rate's run: its op counts and its energy by class, from the
// run's report.json.
type Row struct {
	RateHz         float64
	Steps          int
	Spikes         uint64 // neurons that fired
	InputSpikes    uint64
	SynOps         uint64
	NeuronActive   uint64 // neuron updates that changed state
	NeuronInactive uint64
	Packets        uint64 // mesh.injected: from cores and from the host
	Hops           uint64
	Energy         chip.EnergyTotal
	HardwareTimePS int64
}

// perStep is x per step.
func (r Row) perStep(x uint64) float64 { return float64(x) / float64(r.Steps) }

// SynOpsPerStep is the mean synaptic ops per step.
func (r Row) SynOpsPerStep() float64 { return r.perStep(r.SynOps) }

// DynamicPJPerStep is the mean dynamic (op) energy per step in pJ.
func (r Row) DynamicPJPerStep() float64 { return r.perStep(r.Energy.DynamicFJ) / 1000 }

// TotalPJPerStep is the mean total energy (ops and leakage) per step in pJ.
func (r Row) TotalPJPerStep() float64 { return r.perStep(r.Energy.TotalFJ) / 1000 }

// PJPerSynOp is the whole chip's energy per synaptic op in pJ — the
// figure of merit architects quote, floor included — or NaN without any
// synaptic op.
func (r Row) PJPerSynOp() float64 {
	if r.SynOps == 0 {
		return math.NaN()
	}
	return float64(r.Energy.TotalFJ) / float64(r.SynOps) / 1000
}

// Run sweeps the rates with tools/sweep and returns one row per rate. The
// sweep's own metrics lack the energy by class, so each row is read from
// its run's report.json.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	if cfg.Network == "" {
		return nil, errors.New("energy-activity: no network file")
	}
	if len(cfg.Rates) == 0 {
		return nil, errors.New("energy-activity: no rates")
	}
	values := make([]string, len(cfg.Rates))
	for i, r := range cfg.Rates {
		values[i] = strconv.FormatFloat(r, 'g', -1, 64)
	}
	// One value per fixed key and one seed keep the runs one per rate, in
	// the rates' order (the rate varies fastest).
	grid := sweep.Grid{{Key: "seed", Values: []string{strconv.FormatUint(cfg.Seed, 10)}}}
	for _, p := range cfg.Fixed {
		if len(p.Values) != 1 {
			return nil, fmt.Errorf("energy-activity: fixed key %s has %d values; give exactly one", p.Key, len(p.Values))
		}
		grid = append(grid, p)
	}
	grid = append(grid, sweep.Param{Key: RateKey, Values: values})
	s, err := sweep.New(sweep.Config{
		Network: cfg.Network,
		Preset:  cfg.Preset,
		Grid:    grid,
		Steps:   cfg.Steps,
		Out:     cfg.Out,
		Jobs:    cfg.Jobs,
	})
	if err != nil {
		return nil, fmt.Errorf("energy-activity: %w", err)
	}
	runs, err := s.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("energy-activity: %w", err)
	}
	rows := make([]Row, len(runs))
	for i, run := range runs {
		path := filepath.Join(s.RunDir(run.Run), "report.json")
		rep, err := readReport(path)
		if err != nil {
			return nil, fmt.Errorf("energy-activity: rate %s Hz: %w", values[i], err)
		}
		rows[i] = Row{
			RateHz: cfg.Rates[i], Steps: rep.Steps,
			Spikes: rep.Ops.Spikes, InputSpikes: rep.Ops.InputSpikes, SynOps: rep.Ops.SynOps,
			NeuronActive: rep.Ops.NeuronActive, NeuronInactive: rep.Ops.NeuronInactive,
			Packets: rep.Mesh.Injected, Hops: rep.Ops.HopsEW + rep.Ops.HopsNS,
			Energy: rep.Energy, HardwareTimePS: rep.HardwareTimePS,
		}
		// Run i is rate i (see grid above): check it, since the rows are
		// labelled by position.
		if got := run.Values[len(run.Values)-1]; got != values[i] {
			return nil, fmt.Errorf("energy-activity: run %d has rate %s Hz, expected %s", run.Run, got, values[i])
		}
	}
	return rows, nil
}

func readReport(path string) (*chip.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep chip.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if rep.Steps < 1 {
		return nil, fmt.Errorf("%s: no steps", path)
	}
	return &rep, nil
}

// Line is a least-squares straight line y = Floor + Slope·x and its
// coefficient of determination.
type Line struct {
	Slope, Floor, R2 float64
}

// At is the line's value at x.
func (l Line) At(x float64) float64 { return l.Floor + l.Slope*x }

// fitLine is ordinary least squares. It needs two distinct x.
func fitLine(x, y []float64) (Line, error) {
	n := float64(len(x))
	if len(x) < 2 || len(x) != len(y) {
		return Line{}, fmt.Errorf("a line needs at least two points, got %d", len(x))
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return Line{}, errors.New("every point has the same x: no line")
	}
	l := Line{Slope: sxy / sxx}
	l.Floor = my - l.Slope*mx
	l.R2 = 1
	if syy > 0 {
		var ssr float64
		for i := range x {
			r := y[i] - l.At(x[i])
			ssr += r * r
		}
		l.R2 = 1 - ssr/syy
	}
	return l, nil
}

// Energy classes of the decomposition: each class's energy per step is
// fitted against the same synaptic ops per step, so that the class
// slopes add up to the total's slope and the intercepts to its floor.
const (
	ClassSynaptic = "synaptic ops"        // syn_op, syn_update
	ClassNeuron   = "neuron updates"      // neuron_active, neuron_inactive
	ClassRouting  = "spikes out and hops" // spike_out, hop_ew, hop_ns, chip_link
	ClassBarrier  = "barriers"            // barrier
	classCount    = 4
)

// pj converts fJ to pJ (and pJ to nJ).
const pj = 1e-3

// ClassNames lists the classes in Analysis.Classes order.
var ClassNames = [classCount]string{ClassSynaptic, ClassNeuron, ClassRouting, ClassBarrier}

func classPJ(e chip.EnergyTotal) [classCount]float64 {
	return [classCount]float64{
		float64(e.SynOpFJ+e.SynUpdateFJ) * pj,
		float64(e.NeuronActiveFJ+e.NeuronInactiveFJ) * pj,
		float64(e.SpikeOutFJ+e.HopEWFJ+e.HopNSFJ+e.ChipFJ) * pj,
		float64(e.BarrierFJ) * pj,
	}
}

// Analysis is what the rows say about energy and activity.
type Analysis struct {
	// Fit is dynamic pJ per step against synaptic ops per step: Slope is
	// the marginal energy of one synaptic event (pJ), Floor the
	// activity-independent energy of a step (pJ).
	Fit Line
	// SpikeFit is dynamic pJ per step against spikes per step (neurons
	// and inputs): the other event count one might price energy by.
	SpikeFit Line
	// Classes is the same fit per energy class (ClassNames order).
	Classes [classCount]Line
	// ModelFloor is the floor the energy model predicts, pJ per step:
	// every neuron's inactive update plus one barrier. The neuron count
	// comes from the rows (each step updates every neuron once, active or
	// not), the costs from the preset.
	ModelFloor float64
	// FloorShare is, per row, ModelFloor's share of the row's dynamic
	// energy: what the chip would have spent had nothing happened.
	FloorShare []float64
	// PJPerSynOp is, per row, the total energy per synaptic op.
	PJPerSynOp []float64
}

// Analyse fits the rows, run on the chip spec describes. It needs at
// least two rows with different synaptic op counts.
func Analyse(rows []Row, spec preset.Spec) (Analysis, error) {
	var a Analysis
	if len(rows) == 0 {
		return a, errors.New("energy-activity: no rows")
	}
	neurons := rows[0].NeuronActive + rows[0].NeuronInactive
	if rem := neurons % uint64(max(rows[0].Steps, 1)); rem != 0 {
		return a, fmt.Errorf("energy-activity: %d neuron updates in %d steps: not every neuron every step", neurons, rows[0].Steps)
	}
	x := make([]float64, len(rows))
	xs := make([]float64, len(rows))
	y := make([]float64, len(rows))
	var cy [classCount][]float64
	for i, r := range rows {
		if r.Steps < 1 {
			return a, fmt.Errorf("energy-activity: row %d (%g Hz) has no steps", i, r.RateHz)
		}
		if u := r.NeuronActive + r.NeuronInactive; u*uint64(rows[0].Steps) != neurons*uint64(r.Steps) {
			return a, fmt.Errorf("energy-activity: row %d (%g Hz) updates %d neurons in %d steps, row 0 %d in %d: not one network",
				i, r.RateHz, u, r.Steps, neurons, rows[0].Steps)
		}
		x[i] = r.SynOpsPerStep()
		xs[i] = r.perStep(r.Spikes + r.InputSpikes)
		y[i] = r.DynamicPJPerStep()
		for c, v := range classPJ(r.Energy) {
			cy[c] = append(cy[c], v/float64(r.Steps))
		}
	}
	var err error
	if a.Fit, err = fitLine(x, y); err != nil {
		return a, fmt.Errorf("energy-activity: energy against synaptic ops: %w", err)
	}
	if a.SpikeFit, err = fitLine(xs, y); err != nil {
		return a, fmt.Errorf("energy-activity: energy against spikes: %w", err)
	}
	for c := range cy {
		if a.Classes[c], err = fitLine(x, cy[c]); err != nil {
			return a, fmt.Errorf("energy-activity: %s against synaptic ops: %w", ClassNames[c], err)
		}
	}
	perStep := float64(neurons) / float64(rows[0].Steps)
	a.ModelFloor = (perStep*float64(spec.Core.NeuronInactive.EnergyFJ) + float64(spec.Barrier.EnergyFJ)) * pj
	for i, r := range rows {
		a.FloorShare = append(a.FloorShare, a.ModelFloor/y[i])
		a.PJPerSynOp = append(a.PJPerSynOp, r.PJPerSynOp())
	}
	return a, nil
}

// WriteTable writes the rows and the fit as Markdown, the form README.md
// quotes.
func WriteTable(w io.Writer, rows []Row, a Analysis) error {
	ew := &errWriter{w: w}
	ew.printf("| rate (Hz) | spikes | input spikes | syn ops | active updates | packets | hops | energy/step (nJ) | hw time/step (µs) | pJ/syn op | floor share |\n")
	ew.printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for i, r := range rows {
		ew.printf("| %g | %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.1f | %.1f %% |\n",
			r.RateHz, r.Spikes, r.InputSpikes, r.SynOps, r.NeuronActive, r.Packets, r.Hops,
			r.TotalPJPerStep()*pj, float64(r.HardwareTimePS)/float64(r.Steps)/1e6,
			a.PJPerSynOp[i], 100*a.FloorShare[i])
	}
	ew.printf("\nDynamic energy per step = %.1f nJ + %.2f pJ × syn ops per step (R² = %.5f)\n",
		a.Fit.Floor*pj, a.Fit.Slope, a.Fit.R2)
	ew.printf("Model floor: %.1f nJ per step (every neuron's inactive update + barrier)\n", a.ModelFloor*pj)
	ew.printf("Against spikes (neurons and inputs) per step instead: R² = %.5f\n\n", a.SpikeFit.R2)
	ew.printf("| class | pJ per syn op (slope) | floor (nJ per step) |\n| --- | ---: | ---: |\n")
	for c, l := range a.Classes {
		ew.printf("| %s | %.2f | %.2f |\n", ClassNames[c], l.Slope, l.Floor*pj)
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// Plot draws the energy per step against synaptic ops per step, the
// fitted line and the model's floor, and saves it at path (.png or .svg).
func Plot(path string, rows []Row, a Analysis) error {
	measured := plot.Series{Name: "measured"}
	for _, r := range rows {
		measured.X = append(measured.X, r.SynOpsPerStep())
		measured.Y = append(measured.Y, r.DynamicPJPerStep()*pj)
	}
	hi := measured.X[len(measured.X)-1]
	for _, x := range measured.X {
		hi = max(hi, x)
	}
	fit := plot.Series{
		Name: fmt.Sprintf("%.0f nJ + %.1f pJ/op", a.Fit.Floor*pj, a.Fit.Slope),
		X:    []float64{0, hi}, Y: []float64{a.Fit.At(0) * pj, a.Fit.At(hi) * pj},
	}
	series := []plot.Series{measured, fit, {
		Name: fmt.Sprintf("floor %.0f nJ", a.ModelFloor*pj),
		X:    []float64{0, hi}, Y: []float64{a.ModelFloor * pj, a.ModelFloor * pj},
	}}
	fig, err := plot.Lines("energy", "Energy per step vs activity",
		"synaptic ops per step", "dynamic energy per step (nJ)", series, plot.Options{})
	if err != nil {
		return fmt.Errorf("energy-activity: %w", err)
	}
	if err := fig.Save(path, 120); err != nil {
		return fmt.Errorf("energy-activity: %w", err)
	}
	return nil
}
