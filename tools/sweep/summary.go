package sweep

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-sim/tessera/chip"
)

// File names in a sweep's directory.
const (
	ManifestFile = "sweep.json"
	SummaryFile  = "sweep.csv"
	rowFile      = "row.csv" // a run's own row of sweep.csv, in runs/NNNN/
)

// ManifestSchema names the layout of sweep.json.
const ManifestSchema = "tessera.sweep/v1"

// Metrics are the figures of one run that sweep.csv holds, taken from its
// report.json (docs/report.md names the same quantities).
type Metrics struct {
	Steps          int
	Spikes         uint64 // ops.spikes: neurons that fired
	InputSpikes    uint64 // ops.input_spikes
	SynOps         uint64 // ops.syn_ops
	Packets        uint64 // mesh.injected
	Hops           uint64 // ops.hops_ew + ops.hops_ns
	TotalFJ        uint64 // energy_fj.total_fj
	DynamicFJ      uint64 // energy_fj.dynamic_fj
	StaticFJ       uint64 // energy_fj.static_fj
	HardwareTimePS int64  // hardware_time_ps
}

// MetricsOf takes a run's metrics from its report.
func MetricsOf(rep *chip.Report) Metrics {
	return Metrics{
		Steps: rep.Steps, Spikes: rep.Ops.Spikes, InputSpikes: rep.Ops.InputSpikes, SynOps: rep.Ops.SynOps,
		Packets: rep.Mesh.Injected, Hops: rep.Ops.HopsEW + rep.Ops.HopsNS,
		TotalFJ: rep.Energy.TotalFJ, DynamicFJ: rep.Energy.DynamicFJ, StaticFJ: rep.Energy.StaticFJ,
		HardwareTimePS: rep.HardwareTimePS,
	}
}

// PJPerSynOp is the total energy per synaptic op in picojoules — the
// figure of merit chips are compared by — and false when the run had no
// synaptic op.
func (m Metrics) PJPerSynOp() (float64, bool) {
	if m.SynOps == 0 {
		return 0, false
	}
	return float64(m.TotalFJ) / float64(m.SynOps) / 1000, true
}

// MetricColumns are sweep.csv's columns after run and the keys.
var MetricColumns = []string{"steps", "spikes", "input_spikes", "syn_ops", "packets", "hops",
	"total_fj", "dynamic_fj", "static_fj", "hardware_time_ps", "pj_per_syn_op"}

// fields are the metric columns of m, as written.
func (m Metrics) fields() []string {
	u := func(x uint64) string { return strconv.FormatUint(x, 10) }
	pj := ""
	if v, ok := m.PJPerSynOp(); ok {
		pj = strconv.FormatFloat(v, 'f', 3, 64)
	}
	return []string{strconv.Itoa(m.Steps), u(m.Spikes), u(m.InputSpikes), u(m.SynOps), u(m.Packets), u(m.Hops),
		u(m.TotalFJ), u(m.DynamicFJ), u(m.StaticFJ), strconv.FormatInt(m.HardwareTimePS, 10), pj}
}

// parseMetrics reads fields written by Metrics.fields back (pj_per_syn_op,
// derived, is not read).
func parseMetrics(f []string) (Metrics, error) {
	var m Metrics
	var err error
	u := func(s string, dst *uint64) {
		if err == nil {
			*dst, err = strconv.ParseUint(s, 10, 64)
		}
	}
	if m.Steps, err = strconv.Atoi(f[0]); err != nil {
		return m, err
	}
	u(f[1], &m.Spikes)
	u(f[2], &m.InputSpikes)
	u(f[3], &m.SynOps)
	u(f[4], &m.Packets)
	u(f[5], &m.Hops)
	u(f[6], &m.TotalFJ)
	u(f[7], &m.DynamicFJ)
	u(f[8], &m.StaticFJ)
	if err == nil {
		m.HardwareTimePS, err = strconv.ParseInt(f[9], 10, 64)
	}
	return m, err
}

// Row is one configuration's line of sweep.csv.
type Row struct {
	Run     int
	Values  []string // the parameters' values, in grid order
	Metrics Metrics
}

// Header is sweep.csv's header: run, the keys in grid order, the metrics.
func Header(g Grid) []string {
	h := []string{"run"}
	for _, p := range g {
		h = append(h, p.Key)
	}
	return append(h, MetricColumns...)
}

// writeRows writes a header and rows as CSV.
func writeRows(w io.Writer, g Grid, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(g)); err != nil {
		return err
	}
	for _, r := range rows {
		rec := append([]string{strconv.Itoa(r.Run)}, r.Values...)
		if err := cw.Write(append(rec, r.Metrics.fields()...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSummary writes OUT/sweep.csv.
func writeSummary(out string, g Grid, rows []Row) error {
	return writeFile(filepath.Join(out, SummaryFile), func(w io.Writer) error { return writeRows(w, g, rows) })
}

// Manifest is sweep.json: everything needed to re-run a sweep, to run one
// of its configurations, or to collect it.
type Manifest struct {
	Schema    string `json:"schema"`
	Network   string `json:"network"`
	Preset    string `json:"preset"`
	Steps     int    `json:"steps"`
	Runs      int    `json:"runs"`
	Grid      Grid   `json:"grid"`
	Placement string `json:"placement"`
	PlaceSeed uint64 `json:"place_seed"`
	Pack      bool   `json:"pack,omitempty"`
	DtPS      int64  `json:"dt_ps,omitempty"`
	Spikes    bool   `json:"spikes,omitempty"`
	// Command is the tessera command line that runs the sweep again
	// (without the binary's name).
	Command []string `json:"command"`
}

// Manifest describes the sweep as sweep.json records it.
func (s *Sweep) Manifest() Manifest {
	c := s.cfg
	grid := c.Grid
	if grid == nil {
		grid = Grid{}
	}
	return Manifest{Schema: ManifestSchema, Network: c.Network, Preset: c.Preset, Steps: c.Steps, Runs: s.Runs(),
		Grid: grid, Placement: string(c.Placement), PlaceSeed: c.PlaceSeed, Pack: c.Pack, DtPS: c.DtPS,
		Spikes: c.Spikes, Command: s.Args()}
}

// Args is the tessera command line (after the binary's name) that runs
// this sweep: every value spelled out, every path absolute.
func (s *Sweep) Args() []string {
	c := s.cfg
	args := []string{"sweep", c.Network, "--steps", strconv.Itoa(c.Steps), "--out", c.Out, "--preset", c.Preset}
	for _, p := range c.Grid {
		args = append(args, "--set", p.Key+"="+strings.Join(p.Values, ","))
	}
	args = append(args, "--placement", string(c.Placement), "--place-seed", strconv.FormatUint(c.PlaceSeed, 10))
	if c.Pack {
		args = append(args, "--pack")
	}
	if c.DtPS > 0 {
		args = append(args, "--dt", strconv.FormatInt(c.DtPS, 10)+"ps")
	}
	if c.Spikes {
		args = append(args, "--spikes")
	}
	return args
}

func (s *Sweep) writeManifest() error {
	if err := os.MkdirAll(s.cfg.Out, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	data, err := json.MarshalIndent(s.Manifest(), "", "  ")
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return os.WriteFile(filepath.Join(s.cfg.Out, ManifestFile), append(data, '\n'), 0o644)
}

// ReadManifest reads OUT/sweep.json.
func ReadManifest(out string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(filepath.Join(out, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("sweep: %w (is %s a sweep's directory?)", err, out)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("sweep: %s: %w", filepath.Join(out, ManifestFile), err)
	}
	if m.Schema != ManifestSchema {
		return m, fmt.Errorf("sweep: %s: schema %q, want %q", filepath.Join(out, ManifestFile), m.Schema, ManifestSchema)
	}
	if err := m.Grid.Validate(); err != nil {
		return m, fmt.Errorf("sweep: %s: %w", filepath.Join(out, ManifestFile), err)
	}
	if m.Runs != m.Grid.Runs() {
		return m, fmt.Errorf("sweep: %s: runs is %d but the grid has %d configurations", filepath.Join(out, ManifestFile), m.Runs, m.Grid.Runs())
	}
	return m, nil
}

// Collect gathers the rows the runs of the sweep in out wrote (each array
// task writes runs/NNNN/row.csv) into out/sweep.csv, in run order, and
// returns them. It checks that each row belongs to this sweep — its run
// number and values match the grid in sweep.json — and, if some runs have
// no row yet, writes nothing and names them all.
func Collect(out string) ([]Row, error) {
	m, err := ReadManifest(out)
	if err != nil {
		return nil, err
	}
	s := &Sweep{cfg: Config{Out: out, Grid: m.Grid}}
	header := Header(m.Grid)
	rows := make([]Row, m.Runs)
	var missing []int
	var errs []error
	for run := range m.Runs {
		path := filepath.Join(s.RunDir(run), rowFile)
		row, err := readRow(path, header)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, run)
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		want := m.Grid.Values(run)
		if row.Run != run || !slices.Equal(row.Values, want) {
			errs = append(errs, fmt.Errorf("%s: the row is run %d (%s), not run %d (%s) of this sweep: it is left over from another sweep; run that task again",
				path, row.Run, strings.Join(row.Values, ","), run, strings.Join(want, ",")))
			continue
		}
		rows[run] = row
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d runs have not finished (no row.csv): %s; see their logs in %s and run them again (tessera sweep … --task N)",
			len(missing), m.Runs, spans(missing), filepath.Join(out, "logs")))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sweep: collect %s: %w", out, err)
	}
	if err := writeSummary(out, m.Grid, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// readRow reads a run's row.csv, which must have the sweep's header.
func readRow(path string, header []string) (Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return Row{}, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Row{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) != 2 || !slices.Equal(recs[0], header) {
		return Row{}, fmt.Errorf("%s: want a header %q and one row; the file is from another sweep or damaged", path, strings.Join(header, ","))
	}
	rec := recs[1]
	run, err := strconv.Atoi(rec[0])
	if err != nil {
		return Row{}, fmt.Errorf("%s: run %q: %w", path, rec[0], err)
	}
	k := len(header) - len(MetricColumns) - 1
	met, err := parseMetrics(rec[1+k:])
	if err != nil {
		return Row{}, fmt.Errorf("%s: %w", path, err)
	}
	return Row{Run: run, Values: rec[1 : 1+k], Metrics: met}, nil
}

// spans writes sorted run numbers compactly: 3, 5-7, 9.
func spans(runs []int) string {
	var parts []string
	for i := 0; i < len(runs); {
		j := i
		for j+1 < len(runs) && runs[j+1] == runs[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(runs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", runs[i], runs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
