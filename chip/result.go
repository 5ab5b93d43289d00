package chip

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/mesh"
	"github.com/tessera-sim/tessera/router"
)

// SpikeRecord is one recorded spike.
type SpikeRecord struct {
	Step       int32
	TimePS     int64 // when the neuron's update finished (inputs: step start)
	Population int32 // index into Result.Populations
	Neuron     int32 // index within the population
}

// ProbeRecord is one probed neuron's state at the end of a step.
type ProbeRecord struct {
	Step       int32
	Population int32
	Neuron     int32
	U, V       int32
}

// Result is everything a run produced.
type Result struct {
	Populations []string
	Sizes       []int32       // neurons per population
	Spikes      []SpikeRecord // in step order, then core order
	Probes      []ProbeRecord
	StepTimePS  []int64 // hardware duration of each step, barrier included
	InputSpikes uint64
	// Weights are plastic weights sampled every Options.WeightsEvery steps
	// and after the last step (empty without plastic synapses).
	Weights []WeightRecord
	Report  Report
}

func newResult(c *Chip, opts Options) *Result {
	res := &Result{}
	for _, p := range c.img.Populations {
		res.Populations = append(res.Populations, p.Name)
		res.Sizes = append(res.Sizes, p.Size)
	}
	res.Report = Report{Schema: ReportSchema, Network: c.img.Name, Preset: c.spec.Name,
		Steps: opts.Steps, Seed: opts.Seed, DtPS: c.img.DtPS}
	return res
}

func (res *Result) addSpike(step int32, t int64, pop, neuron int32) {
	res.Spikes = append(res.Spikes, SpikeRecord{Step: step, TimePS: t, Population: pop, Neuron: neuron})
}

func (res *Result) addProbe(step int32, pop, neuron, u, v int32) {
	res.Probes = append(res.Probes, ProbeRecord{Step: step, Population: pop, Neuron: neuron, U: u, V: v})
}

// Rates returns, for every population with recorded spikes, each neuron's
// spikes per step over the run: the measured rates placement can use.
func (res *Result) Rates() map[string][]float64 {
	out := map[string][]float64{}
	for _, s := range res.Spikes {
		name := res.Populations[s.Population]
		r := out[name]
		if r == nil {
			r = make([]float64, res.Sizes[s.Population])
			out[name] = r
		}
		r[s.Neuron]++
	}
	for _, r := range out {
		for i := range r {
			r[i] /= float64(res.Report.Steps)
		}
	}
	return out
}

// ReportSchema names the version of report.json's layout.
const ReportSchema = "tessera.report/v1"

// Report is the cost report, written as report.json. Energies are integer
// femtojoules, times integer picoseconds. The layout is documented in
// docs/report.md; fields are only ever added.
type Report struct {
	Schema  string `json:"schema"`
	Network string `json:"network"`
	Preset  string `json:"preset"`
	Steps   int    `json:"steps"`
	Seed    uint64 `json:"seed"`
	DtPS    int64  `json:"dt_ps"`

	HardwareTimePS int64       `json:"hardware_time_ps"`
	Ops            Ops         `json:"ops"`
	Energy         EnergyTotal `json:"energy_fj"`
	Mesh           mesh.Stats  `json:"mesh"`

	// Layout is the chip's mesh: tiles and cores per tile (core id =
	// tile · cores_per_tile + slot, tile = x + y · width).
	Layout Layout `json:"layout"`

	// ImageSHA256 identifies the image the run used (hex SHA-256 of its
	// encoded bytes).
	ImageSHA256 string `json:"image_sha256"`

	StepTimePS  []int64            `json:"step_time_ps"`
	Populations []PopulationReport `json:"populations"`
	Cores       []CoreReport       `json:"cores"`
	Routers     []RouterReport     `json:"routers"`
	// MeshCyclePS is the router clock period of the cycle-accurate mesh
	// (mesh_model: cycle; absent otherwise): hardware_time_ps /
	// mesh_cycle_ps is the run's mesh cycles, what a link's flits are a
	// share of (one flit per link per cycle).
	MeshCyclePS int64 `json:"mesh_cycle_ps,omitempty"`
	// Links are per-link counters of the cycle-accurate mesh (mesh_model:
	// cycle): one entry per router output port that carried a flit.
	Links []LinkReport `json:"links,omitempty"`
}

// LinkReport is one link: the output port of a router and what it carried.
type LinkReport struct {
	Tile [2]int `json:"tile"`
	Port string `json:"port"` // east, west, north, south, or local (ejection to core i: local0, local1, …)
	// ChipLink marks a chip-to-chip link (boards: the port drives a link
	// across a chip edge).
	ChipLink bool `json:"chip_link,omitempty"`
	mesh.LinkCounters
}

// Layout is the mesh a report's cores and routers sit on.
type Layout struct {
	Width        int `json:"width"`
	Height       int `json:"height"`
	CoresPerTile int `json:"cores_per_tile"`
}

// PopulationReport is one population's activity: every spike of every
// neuron, recorded or not.
type PopulationReport struct {
	Name    string  `json:"name"`
	Size    int32   `json:"size"`
	IsInput bool    `json:"is_input"`
	Spikes  uint64  `json:"spikes"`
	RateHz  float64 `json:"rate_hz"` // mean per neuron, with the network's dt
}

// Ops counts every op class over the whole chip.
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
	ChipHops       uint64 `json:"chip_hops"` // chip-to-chip link crossings (boards)
	Barriers       uint64 `json:"barriers"`
}

// EnergyTotal is the chip's energy by op class, then dynamic, static and
// total.
type EnergyTotal struct {
	core.Energy
	HopEWFJ   uint64 `json:"hop_ew_fj"`
	HopNSFJ   uint64 `json:"hop_ns_fj"`
	ChipFJ    uint64 `json:"chip_link_fj"`
	BarrierFJ uint64 `json:"barrier_fj"`
	DynamicFJ uint64 `json:"dynamic_fj"`
	StaticFJ  uint64 `json:"static_fj"`
	TotalFJ   uint64 `json:"total_fj"`
}

// CoreReport is one core's ops, busy time and energy.
type CoreReport struct {
	ID       int32         `json:"id"`
	Tile     [2]int        `json:"tile"`
	Neurons  int           `json:"neurons"`
	Axons    int           `json:"axons"`
	Ops      core.Counters `json:"ops"`
	BusyPS   int64         `json:"busy_ps"`
	Energy   core.Energy   `json:"energy_fj"`
	EnergyFJ uint64        `json:"total_energy_fj"`
}

// RouterReport is one router's ops and energy.
type RouterReport struct {
	Tile [2]int `json:"tile"`
	router.Counters
	EnergyFJ uint64 `json:"energy_fj"`
}

func (res *Result) finish(r *run) {
	c := r.chip
	rep := &res.Report
	rep.StepTimePS = res.StepTimePS
	for _, d := range res.StepTimePS {
		rep.HardwareTimePS += d
	}
	var all core.Counters
	for i, k := range c.cores {
		cnt := k.Counters()
		all.Add(cnt)
		id := c.img.Cores[i].ID
		x, y := c.spec.Mesh.CoreTile(int(id))
		e := cnt.Energy(c.spec.Core)
		rep.Cores = append(rep.Cores, CoreReport{ID: id, Tile: [2]int{x, y}, Neurons: k.NumNeurons(),
			Axons: k.NumAxons(), Ops: cnt, BusyPS: r.busySum[i], Energy: e, EnergyFJ: e.Total()})
	}
	rs := c.spec.Mesh.Router
	counters := c.mesh.Counters()
	if c.net != nil {
		counters = c.netCounters()
	}
	for t, rc := range counters {
		x, y := c.mesh.XY(mesh.Tile(t))
		rep.Routers = append(rep.Routers, RouterReport{Tile: [2]int{x, y}, Counters: rc, EnergyFJ: rc.EnergyFJ(rs)})
		rep.Ops.HopsEW += rc.HopsEW
		rep.Ops.HopsNS += rc.HopsNS
		rep.Ops.ChipHops += rc.ChipHops
		rep.Energy.ChipFJ += rc.ChipFJ
	}
	if c.net != nil {
		rep.MeshCyclePS = c.net.Spec().CyclePS
		rep.Links = c.netLinks()
	}
	rep.Ops.SynOps, rep.Ops.SynUpdates = all.SynOps, all.SynUpdates
	rep.Ops.NeuronActive, rep.Ops.NeuronInactive = all.NeuronActive, all.NeuronInactive
	rep.Ops.Spikes, rep.Ops.SpikesOut = all.Spikes, all.SpikesOut
	rep.Ops.InputSpikes = res.InputSpikes
	rep.Ops.Barriers = r.barriers

	en := &rep.Energy
	en.Energy = all.Energy(c.spec.Core)
	en.HopEWFJ = rep.Ops.HopsEW * rs.HopEW.EnergyFJ
	en.HopNSFJ = rep.Ops.HopsNS * rs.HopNS.EnergyFJ
	en.BarrierFJ = rep.Ops.Barriers * c.spec.Barrier.EnergyFJ
	en.DynamicFJ = en.Energy.Total() + en.HopEWFJ + en.HopNSFJ + en.ChipFJ + en.BarrierFJ
	en.StaticFJ = c.spec.StaticEnergyFJ(rep.HardwareTimePS)
	en.TotalFJ = en.DynamicFJ + en.StaticFJ
	rep.Mesh = c.mesh.Stats()
	if c.net != nil {
		st := c.net.Stats()
		rep.Mesh = mesh.Stats{Injected: st.Injected, Delivered: st.Delivered, Dropped: st.Dropped}
	}
	rep.ImageSHA256 = c.digest
	rep.Layout = Layout{Width: c.spec.Mesh.Width, Height: c.spec.Mesh.Height, CoresPerTile: c.spec.Mesh.CoresPerTile}
	secs := float64(rep.Steps) * float64(rep.DtPS) * 1e-12
	for p, pop := range c.img.Populations {
		pr := PopulationReport{Name: pop.Name, Size: pop.Size, IsInput: pop.IsInput, Spikes: r.popSpikes[p]}
		if secs > 0 && pop.Size > 0 {
			pr.RateHz = float64(pr.Spikes) / float64(pop.Size) / secs
		}
		rep.Populations = append(rep.Populations, pr)
	}
}

// WriteReport writes the report as indented JSON.
func (res *Result) WriteReport(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&res.Report); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteSpikesCSV writes the recorded spikes as CSV:
// step,time_ps,population,neuron.
func (res *Result) WriteSpikesCSV(w io.Writer) error {
	return writeCSV(w, "spikes", "step,time_ps,population,neuron", len(res.Spikes), func(bw *bufio.Writer, i int) {
		s := &res.Spikes[i]
		fmt.Fprintf(bw, "%d,%d,%s,%d\n", s.Step, s.TimePS, res.Populations[s.Population], s.Neuron)
	})
}

// WriteProbesCSV writes probed u and v as CSV: step,population,neuron,u,v.
func (res *Result) WriteProbesCSV(w io.Writer) error {
	return writeCSV(w, "probes", "step,population,neuron,u,v", len(res.Probes), func(bw *bufio.Writer, i int) {
		p := &res.Probes[i]
		fmt.Fprintf(bw, "%d,%s,%d,%d,%d\n", p.Step, res.Populations[p.Population], p.Neuron, p.U, p.V)
	})
}

// bufWriter is the buffered writer CSV rows are written to.
type bufWriter = bufio.Writer

// writeCSV writes a header and rows buffered, reporting the first error.
func writeCSV(w io.Writer, what, header string, rows int, row func(*bufio.Writer, int)) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, header)
	for i := 0; i < rows; i++ {
		row(bw, i)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// Summary is a few lines for a terminal: spikes, hardware time, energy by
// op class.
func (res *Result) Summary(w io.Writer) error {
	rep := &res.Report
	e := rep.Energy
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "network %s on preset %s: %d steps, seed %d\n", rep.Network, rep.Preset, rep.Steps, rep.Seed)
	fmt.Fprintf(bw, "spikes: %d from neurons, %d from inputs; %d packets, %d hops\n",
		rep.Ops.Spikes, rep.Ops.InputSpikes, rep.Mesh.Injected, rep.Ops.HopsEW+rep.Ops.HopsNS)
	fmt.Fprintf(bw, "hardware time: %s (%s per step on average)\n", FormatPS(rep.HardwareTimePS),
		FormatPS(rep.HardwareTimePS/int64(max(rep.Steps, 1))))
	fmt.Fprintf(bw, "energy: %s total (dynamic %s, static %s)\n", FormatFJ(e.TotalFJ), FormatFJ(e.DynamicFJ), FormatFJ(e.StaticFJ))
	for _, row := range []struct {
		name string
		n    uint64
		fj   uint64
	}{
		{"synaptic ops", rep.Ops.SynOps, e.SynOpFJ},
		{"synaptic updates (learning)", rep.Ops.SynUpdates, e.SynUpdateFJ},
		{"neuron updates (active)", rep.Ops.NeuronActive, e.NeuronActiveFJ},
		{"neuron updates (inactive)", rep.Ops.NeuronInactive, e.NeuronInactiveFJ},
		{"spikes out", rep.Ops.SpikesOut, e.SpikeOutFJ},
		{"hops east-west", rep.Ops.HopsEW, e.HopEWFJ},
		{"hops north-south", rep.Ops.HopsNS, e.HopNSFJ},
		{"chip-to-chip hops", rep.Ops.ChipHops, e.ChipFJ},
		{"barriers", rep.Ops.Barriers, e.BarrierFJ},
	} {
		fmt.Fprintf(bw, "  %-28s %12d ops %14s\n", row.name, row.n, FormatFJ(row.fj))
	}
	return bw.Flush()
}

// FormatPS writes a time in picoseconds in the largest unit (s, ms, µs,
// ns) that keeps it at least 1, with three decimals; below 1 ns in ps.
func FormatPS(ps int64) string { return formatScaled(float64(ps), "ps", "ns", "µs", "ms", "s") }

// FormatFJ writes an energy in femtojoules like FormatPS a time: in the
// largest unit (fJ … mJ) that keeps it at least 1, with three decimals.
func FormatFJ(fj uint64) string { return formatScaled(float64(fj), "fJ", "pJ", "nJ", "µJ", "mJ") }

// formatScaled writes v, a count of units[0], in the largest of units
// (each 1000 times the one before) that keeps it at least 1, with three
// decimals; in units[0] it is a whole number.
func formatScaled(v float64, units ...string) string {
	for k := len(units) - 1; k > 0; k-- {
		if div := math.Pow(1000, float64(k)); v >= div {
			return fmt.Sprintf("%.3f %s", v/div, units[k])
		}
	}
	return fmt.Sprintf("%.0f %s", v, units[0])
}
