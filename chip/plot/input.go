package plot

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// File names in a run's output directory.
const (
	ReportFile  = "report.json"
	SpikesFile  = "spikes.csv"
	ProbesFile  = "probes.csv"
	WeightsFile = "weights.csv"
)

// ReportSchemaPrefix starts the schema field of every report.json this
// package reads; it draws version v1 (fields are only ever added within a
// version, so later v1 files read too).
const (
	ReportSchemaPrefix = "tessera.report/"
	ReportSchemaV1     = "tessera.report/v1"
)

// Report is the part of report.json (docs/report.md) the plots use. Energies
// are femtojoules, times picoseconds, as in the file.
type Report struct {
	Schema         string   `json:"schema"`
	Network        string   `json:"network"`
	Preset         string   `json:"preset"`
	Steps          int      `json:"steps"`
	Seed           uint64   `json:"seed"`
	DtPS           int64    `json:"dt_ps"`
	HardwareTimePS int64    `json:"hardware_time_ps"`
	Ops            Ops      `json:"ops"`
	Energy         Energy   `json:"energy_fj"`
	StepTimePS     []int64  `json:"step_time_ps"`
	Cores          []Core   `json:"cores"`
	Routers        []Router `json:"routers"`
	// Layout is the mesh, when the report gives it (older reports do not:
	// it is then inferred from the cores and routers).
	Layout *Layout `json:"layout,omitempty"`
	// MeshCyclePS is the cycle-accurate mesh's router clock period
	// (mesh_model: cycle); 0 when absent.
	MeshCyclePS int64 `json:"mesh_cycle_ps,omitempty"`
	// Links are the per-link counters of the cycle-accurate mesh, one per
	// router output port that carried a flit; empty with the per-hop
	// model.
	Links []Link `json:"links,omitempty"`
}

// Link is one router output port's entry in report.json's links: a mesh
// link (port east, west, north or south) or an ejection port to a core
// (local0, local1, …).
type Link struct {
	Tile          [2]int `json:"tile"` // the router driving the link
	Port          string `json:"port"`
	ChipLink      bool   `json:"chip_link"` // a chip-to-chip link (boards)
	Flits         uint64 `json:"flits"`
	CreditStalls  uint64 `json:"credit_stalls"`
	MaxQueueFlits int    `json:"max_queue_flits"`
	LatencyCycles int    `json:"latency_cycles"`
	EnergyFJ      uint64 `json:"energy_fj"`
}

// directions are the ports of a link between neighbouring tiles, in the
// order links are drawn.
var directions = []string{"east", "west", "north", "south"}

// direction returns the tile step of a mesh direction (north is +y); ok is
// false for any other port (the local ports).
func direction(port string) (dx, dy int, ok bool) {
	switch port {
	case "east":
		return 1, 0, true
	case "west":
		return -1, 0, true
	case "north":
		return 0, 1, true
	case "south":
		return 0, -1, true
	}
	return 0, 0, false
}

// isLocalPort says whether port names an ejection port (local, local0, …).
func isLocalPort(port string) bool {
	rest, ok := strings.CutPrefix(port, "local")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	_, err := strconv.ParseUint(rest, 10, 8)
	return err == nil
}

// Layout is a report's mesh.
type Layout struct {
	Width        int `json:"width"`
	Height       int `json:"height"`
	CoresPerTile int `json:"cores_per_tile"`
}

// Ops are the chip's op counts.
type Ops struct {
	SynOps         uint64 `json:"syn_ops"`
	SynUpdates     uint64 `json:"syn_updates"`
	NeuronActive   uint64 `json:"neuron_updates_active"`
	NeuronInactive uint64 `json:"neuron_updates_inactive"`
	Spikes         uint64 `json:"spikes"`
	SpikesOut      uint64 `json:"spikes_out"`
	InputSpikes    uint64 `json:"input_spikes"`
	HopsEW         uint64 `json:"hops_ew"`
	HopsNS         uint64 `json:"hops_ns"`
	Barriers       uint64 `json:"barriers"`
}

// Energy is energy by op class in femtojoules: the chip's (all fields) or a
// core's (the core classes only; the rest are zero).
type Energy struct {
	SynOpFJ          uint64 `json:"syn_op_fj"`
	SynUpdateFJ      uint64 `json:"syn_update_fj"`
	NeuronActiveFJ   uint64 `json:"neuron_active_fj"`
	NeuronInactiveFJ uint64 `json:"neuron_inactive_fj"`
	SpikeOutFJ       uint64 `json:"spike_out_fj"`
	HopEWFJ          uint64 `json:"hop_ew_fj"`
	HopNSFJ          uint64 `json:"hop_ns_fj"`
	BarrierFJ        uint64 `json:"barrier_fj"`
	DynamicFJ        uint64 `json:"dynamic_fj"`
	StaticFJ         uint64 `json:"static_fj"`
	TotalFJ          uint64 `json:"total_fj"`
}

// Core is one core's entry in report.json.
type Core struct {
	ID       int     `json:"id"`
	Tile     [2]int  `json:"tile"`
	Neurons  int     `json:"neurons"`
	Axons    int     `json:"axons"`
	Ops      CoreOps `json:"ops"`
	BusyPS   int64   `json:"busy_ps"`
	Energy   Energy  `json:"energy_fj"`
	EnergyFJ uint64  `json:"total_energy_fj"`
}

// CoreOps are a core's counters (their JSON keys are the Go names).
type CoreOps struct {
	SynOps         uint64
	SynUpdates     uint64
	NeuronActive   uint64
	NeuronInactive uint64
	Spikes         uint64
	SpikesOut      uint64
}

// Router is one tile's router entry in report.json.
type Router struct {
	Tile      [2]int `json:"tile"`
	HopsEW    uint64 `json:"hops_ew"`
	HopsNS    uint64 `json:"hops_ns"`
	Ejected   uint64 `json:"ejected"`
	StallPS   int64  `json:"stall_ps"`
	BusyPS    int64  `json:"busy_ps"`
	MaxWaitPS int64  `json:"max_wait_ps"`
	EnergyFJ  uint64 `json:"energy_fj"`
}

// MeshSize returns the mesh's width and height in tiles: one past the
// largest router (or, without routers, core) tile coordinate.
func (r *Report) MeshSize() (width, height int) {
	if r.Layout != nil && r.Layout.Width > 0 && r.Layout.Height > 0 {
		return r.Layout.Width, r.Layout.Height
	}
	for _, rt := range r.Routers {
		width, height = max(width, rt.Tile[0]+1), max(height, rt.Tile[1]+1)
	}
	for _, c := range r.Cores {
		width, height = max(width, c.Tile[0]+1), max(height, c.Tile[1]+1)
	}
	return width, height
}

// Spike is one row of spikes.csv.
type Spike struct {
	Step       int
	TimePS     int64 // hardware time the neuron's update finished
	Population string
	Neuron     int
}

// Probe is one row of probes.csv: a probed neuron's state at the end of a
// step, in hardware units.
type Probe struct {
	Step       int
	Population string
	Neuron     int
	U, V       int64
}

// WeightSeries is one synapse's weight over a learning run: Weights[i] at
// Steps[i], steps ascending.
type WeightSeries struct {
	Synapse string
	Group   string // the synapse's projection, when known: Weights averages per group
	Steps   []int
	Weights []float64
}

// Run is what an output directory holds; a nil or empty field means the
// file was absent.
type Run struct {
	Dir     string
	Report  *Report
	Spikes  []Spike // nil: no spikes.csv
	Probes  []Probe // nil: no probes.csv
	Weights []WeightSeries

	HasSpikes, HasProbes, HasWeights bool // the file existed (it may hold no rows)
}

// Load reads the output directory dir. A missing file leaves its part empty
// (see the Has fields); a malformed file is an error naming file:line. A
// directory with none of the files is an error.
func Load(dir string) (*Run, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("plot: output directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("plot: %s is not a directory; give the --out directory of tessera run", dir)
	}
	run := &Run{Dir: dir}
	found := 0
	open := func(name string, read func(io.Reader, string) error) error {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		defer f.Close()
		found++
		return read(f, path)
	}
	if err := open(ReportFile, func(r io.Reader, name string) (err error) {
		run.Report, err = ReadReport(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	if err := open(SpikesFile, func(r io.Reader, name string) (err error) {
		run.HasSpikes = true
		run.Spikes, err = ReadSpikes(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	if err := open(ProbesFile, func(r io.Reader, name string) (err error) {
		run.HasProbes = true
		run.Probes, err = ReadProbes(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	if err := open(WeightsFile, func(r io.Reader, name string) (err error) {
		run.HasWeights = true
		run.Weights, err = ReadWeights(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	if found == 0 {
		return nil, fmt.Errorf("plot: %s has none of %s, %s, %s, %s; give the --out directory of tessera run",
			dir, ReportFile, SpikesFile, ProbesFile, WeightsFile)
	}
	return run, nil
}

// ReadReport decodes report.json; name is used in errors (file:line:col).
func ReadReport(r io.Reader, name string) (*Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := position(data, syn.Offset)
			return nil, fmt.Errorf("%s:%d:%d: not valid JSON: %w", name, line, col, err)
		case errors.As(err, &typ):
			line, col := position(data, typ.Offset)
			return nil, fmt.Errorf("%s:%d:%d: field %s: want %s, got JSON %s", name, line, col, typ.Field, typ.Type, typ.Value)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !strings.HasPrefix(rep.Schema, ReportSchemaPrefix) {
		return nil, fmt.Errorf("%s: schema %q is not a tessera report (want %s); is this the report.json of tessera run?",
			name, rep.Schema, ReportSchemaV1)
	}
	if rep.Schema != ReportSchemaV1 {
		return nil, fmt.Errorf("%s: schema %s is newer than this tessera reads (%s); update tessera", name, rep.Schema, ReportSchemaV1)
	}
	for i, c := range rep.Cores {
		if c.Tile[0] < 0 || c.Tile[1] < 0 || c.ID < 0 {
			return nil, fmt.Errorf("%s: cores[%d]: negative id or tile %v", name, i, c.Tile)
		}
	}
	for i, rt := range rep.Routers {
		if rt.Tile[0] < 0 || rt.Tile[1] < 0 {
			return nil, fmt.Errorf("%s: routers[%d]: negative tile %v", name, i, rt.Tile)
		}
	}
	w, h := rep.MeshSize()
	if w*h > maxTiles {
		return nil, fmt.Errorf("%s: mesh of %d×%d tiles is larger than %d tiles", name, w, h, maxTiles)
	}
	if rep.MeshCyclePS < 0 {
		return nil, fmt.Errorf("%s: mesh_cycle_ps %d is negative", name, rep.MeshCyclePS)
	}
	for i, l := range rep.Links {
		x, y := l.Tile[0], l.Tile[1]
		if x < 0 || y < 0 || x >= w || y >= h {
			return nil, fmt.Errorf("%s: links[%d]: tile %v is outside the %d×%d mesh", name, i, l.Tile, w, h)
		}
		dx, dy, ok := direction(l.Port)
		switch {
		case ok && (x+dx < 0 || y+dy < 0 || x+dx >= w || y+dy >= h):
			return nil, fmt.Errorf("%s: links[%d]: port %s of tile %v leads off the %d×%d mesh", name, i, l.Port, l.Tile, w, h)
		case !ok && !isLocalPort(l.Port):
			return nil, fmt.Errorf("%s: links[%d]: port %q: want east, west, north, south or local<n>", name, i, l.Port)
		}
	}
	return &rep, nil
}

// maxTiles bounds the mesh a report may describe (the largest preset has
// 64×64 tiles), so a corrupt tile coordinate cannot allocate gigabytes.
const maxTiles = 1 << 16

// position returns the 1-based line and column of byte offset off.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, max(col, 1)
}

// csvTable reads a CSV file with a header and required columns, in any order;
// extra columns are ignored.
type csvTable struct {
	name string
	r    *csv.Reader
	col  map[string]int
	rec  []string
}

func newCSVTable(r io.Reader, name string, columns ...string) (*csvTable, error) {
	t, _, err := newCSVTableOf(r, name, columns)
	return t, err
}

// newCSVTableOf reads the header and picks the first of forms (each a list
// of required columns) the header has; it returns that form's index.
func newCSVTableOf(r io.Reader, name string, forms ...[]string) (*csvTable, int, error) {
	want := make([]string, len(forms))
	for i, f := range forms {
		want[i] = strings.Join(f, ",")
	}
	wantAll := strings.Join(want, " or ")
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every row as long as the header
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, 0, fmt.Errorf("%s:1: empty file; want a header %s", name, wantAll)
	}
	if err != nil {
		return nil, 0, csvError(name, err)
	}
	t := &csvTable{name: name, r: cr, col: map[string]int{}}
	for i, h := range header {
		t.col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for fi, f := range forms {
		missing := ""
		for _, c := range f {
			if _, ok := t.col[c]; !ok {
				missing = c
				break
			}
		}
		if missing == "" {
			return t, fi, nil
		}
		if len(forms) == 1 {
			return nil, 0, fmt.Errorf("%s:1: header %q has no column %q; want %s", name, strings.Join(header, ","), missing, wantAll)
		}
	}
	return nil, 0, fmt.Errorf("%s:1: header %q: want %s", name, strings.Join(header, ","), wantAll)
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %w", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// next reads a row; false at the end.
func (t *csvTable) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, csvError(t.name, err)
	}
	t.rec = rec
	return true, nil
}

func (t *csvTable) line() int {
	line, _ := t.r.FieldPos(0)
	return line
}

func (t *csvTable) str(col string) (string, error) {
	s := strings.TrimSpace(t.rec[t.col[col]])
	if s == "" {
		return "", fmt.Errorf("%s:%d: column %s is empty", t.name, t.line(), col)
	}
	return s, nil
}

func (t *csvTable) int(col string, lo, hi int64) (int64, error) {
	s := strings.TrimSpace(t.rec[t.col[col]])
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s:%d: column %s: %q is not an integer", t.name, t.line(), col, s)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s:%d: column %s: %d is out of range [%d, %d]", t.name, t.line(), col, v, lo, hi)
	}
	return v, nil
}

func (t *csvTable) float(col string) (float64, error) {
	s := strings.TrimSpace(t.rec[t.col[col]])
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v > 1e300 || v < -1e300 {
		return 0, fmt.Errorf("%s:%d: column %s: %q is not a finite number", t.name, t.line(), col, s)
	}
	return v, nil
}

const (
	maxInt32 = 1<<31 - 1
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)

// ReadSpikes reads spikes.csv (step,time_ps,population,neuron); name is used
// in errors (file:line).
func ReadSpikes(r io.Reader, name string) ([]Spike, error) {
	t, err := newCSVTable(r, name, "step", "time_ps", "population", "neuron")
	if err != nil {
		return nil, err
	}
	out := []Spike{}
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		var s Spike
		step, err := t.int("step", 0, maxInt32)
		if err != nil {
			return nil, err
		}
		if s.TimePS, err = t.int("time_ps", 0, maxInt64); err != nil {
			return nil, err
		}
		if s.Population, err = t.str("population"); err != nil {
			return nil, err
		}
		n, err := t.int("neuron", 0, maxInt32)
		if err != nil {
			return nil, err
		}
		s.Step, s.Neuron = int(step), int(n)
		out = append(out, s)
	}
}

// ReadProbes reads probes.csv (step,population,neuron,u,v); name is used in
// errors (file:line).
func ReadProbes(r io.Reader, name string) ([]Probe, error) {
	t, err := newCSVTable(r, name, "step", "population", "neuron", "u", "v")
	if err != nil {
		return nil, err
	}
	out := []Probe{}
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		var p Probe
		step, err := t.int("step", 0, maxInt32)
		if err != nil {
			return nil, err
		}
		if p.Population, err = t.str("population"); err != nil {
			return nil, err
		}
		n, err := t.int("neuron", 0, maxInt32)
		if err != nil {
			return nil, err
		}
		if p.U, err = t.int("u", minInt64, maxInt64); err != nil {
			return nil, err
		}
		if p.V, err = t.int("v", minInt64, maxInt64); err != nil {
			return nil, err
		}
		p.Step, p.Neuron = int(step), int(n)
		out = append(out, p)
	}
}

// Weight file layouts ReadWeights accepts.
var (
	weightsBySynapse    = []string{"step", "synapse", "weight"}
	weightsByProjection = []string{"step", "projection", "pre", "post", "weight"}
)

// ReadWeights reads weights.csv into one series per synapse, in order of
// first appearance, each sorted by step; name is used in errors
// (file:line). Two layouts are read (docs/plots.md): step,synapse,weight,
// the synapse an opaque label, and step,projection,pre,post,weight (what
// the chip writes), a synapse named projection[pre→post] and grouped by its
// projection.
func ReadWeights(r io.Reader, name string) ([]WeightSeries, error) {
	t, form, err := newCSVTableOf(r, name, weightsBySynapse, weightsByProjection)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	out := []WeightSeries{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		step, err := t.int("step", 0, maxInt32)
		if err != nil {
			return nil, err
		}
		var syn, group string
		if form == 0 {
			if syn, err = t.str("synapse"); err != nil {
				return nil, err
			}
		} else {
			if group, err = t.str("projection"); err != nil {
				return nil, err
			}
			pre, err := t.int("pre", 0, maxInt32)
			if err != nil {
				return nil, err
			}
			post, err := t.int("post", 0, maxInt32)
			if err != nil {
				return nil, err
			}
			syn = fmt.Sprintf("%s[%d→%d]", group, pre, post)
		}
		w, err := t.float("weight")
		if err != nil {
			return nil, err
		}
		i, ok := index[syn]
		if !ok {
			i = len(out)
			index[syn] = i
			out = append(out, WeightSeries{Synapse: syn, Group: group})
		}
		s := &out[i]
		s.Steps = append(s.Steps, int(step))
		s.Weights = append(s.Weights, w)
	}
	for i := range out {
		sortSeries(&out[i])
	}
	return out, nil
}

// sortSeries orders a series by step, keeping the file order of equal steps.
func sortSeries(s *WeightSeries) {
	if slices.IsSorted(s.Steps) {
		return
	}
	idx := make([]int, len(s.Steps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return s.Steps[a] - s.Steps[b] })
	steps, ws := make([]int, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		steps[i], ws[i] = s.Steps[j], s.Weights[j]
	}
	s.Steps, s.Weights = steps, ws
}
