package plot

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/router"
)

// readBack runs random_net on spec for steps and reads the report.json
// the chip writes back with ReadReport.
func readBack(t *testing.T, spec preset.Spec, steps int) (*chip.Result, *Report) {
	t.Helper()
	res := runRandomNet(t, spec, steps, 3)
	var buf bytes.Buffer
	require.NoError(t, res.WriteReport(&buf))
	rep, err := ReadReport(&buf, "report.json")
	require.NoError(t, err)
	return res, rep
}

// The local Report reads what the chip writes: every field the plots use
// carries the chip's value.
func TestReadReportMatchesChip(t *testing.T) {
	res, rep := readBack(t, preset.Loihi(), 20)

	want := res.Report
	assert.Equal(t, want.Network, rep.Network)
	assert.Equal(t, want.Preset, rep.Preset)
	assert.Equal(t, want.Steps, rep.Steps)
	assert.Equal(t, want.DtPS, rep.DtPS)
	assert.Equal(t, want.HardwareTimePS, rep.HardwareTimePS)
	assert.Equal(t, want.Ops.SynOps, rep.Ops.SynOps)
	assert.Equal(t, want.Ops.SpikesOut, rep.Ops.SpikesOut)
	assert.Equal(t, want.Ops.HopsNS, rep.Ops.HopsNS)
	assert.Equal(t, want.Ops.Barriers, rep.Ops.Barriers)
	assert.Equal(t, want.Energy.SynOpFJ, rep.Energy.SynOpFJ)
	assert.Equal(t, want.Energy.NeuronInactiveFJ, rep.Energy.NeuronInactiveFJ)
	assert.Equal(t, want.Energy.HopNSFJ, rep.Energy.HopNSFJ)
	assert.Equal(t, want.Energy.TotalFJ, rep.Energy.TotalFJ)
	require.Len(t, rep.Cores, len(want.Cores))
	for i, wc := range want.Cores {
		gc := rep.Cores[i]
		assert.Equal(t, int(wc.ID), gc.ID)
		assert.Equal(t, wc.Tile, gc.Tile)
		assert.Equal(t, wc.Ops.Spikes, gc.Ops.Spikes)
		assert.Equal(t, wc.Ops.SynOps, gc.Ops.SynOps)
		assert.Equal(t, wc.BusyPS, gc.BusyPS)
		assert.Equal(t, wc.EnergyFJ, gc.EnergyFJ)
	}
	require.Len(t, rep.Routers, len(want.Routers))
	for i, wr := range want.Routers {
		gr := rep.Routers[i]
		assert.Equal(t, wr.Tile, gr.Tile)
		assert.Equal(t, wr.HopsEW+wr.HopsNS, gr.HopsEW+gr.HopsNS)
		assert.Equal(t, wr.BusyPS, gr.BusyPS)
	}
	spec := preset.Loihi()
	assert.Equal(t, spec.Mesh.CoresPerTile, CoresPerTile(rep))
	w, h := rep.MeshSize()
	assert.Equal(t, [2]int{spec.Mesh.Width, spec.Mesh.Height}, [2]int{w, h})
}

// The links of a cycle-mesh run read back as the chip wrote them, with the
// mesh clock and the chip-to-chip mark.
func TestReadReportLinksMatchChip(t *testing.T) {
	spec := preset.Loihi()
	spec.Core.MaxNeurons = 128
	spec.MeshModel = preset.MeshCycle
	spec.Mesh.ChipWidth, spec.Mesh.ChipHeight = 1, 4 // a board of eight chips, a column each
	spec.Mesh.ChipLink = router.HopCost{EnergyFJ: 20_000, LatencyPS: 20_000}
	res, rep := readBack(t, spec, 10)

	want := res.Report
	require.NotEmpty(t, want.Links)
	assert.Equal(t, want.MeshCyclePS, rep.MeshCyclePS)
	require.Len(t, rep.Links, len(want.Links))
	chipLinks := 0
	for i, wl := range want.Links {
		gl := rep.Links[i]
		assert.Equal(t, wl.Tile, gl.Tile)
		assert.Equal(t, wl.Port, gl.Port)
		assert.Equal(t, wl.ChipLink, gl.ChipLink)
		assert.Equal(t, wl.Flits, gl.Flits)
		assert.Equal(t, wl.CreditStalls, gl.CreditStalls)
		assert.Equal(t, wl.MaxQueueFlits, gl.MaxQueueFlits)
		assert.Equal(t, wl.LatencyCycles, gl.LatencyCycles)
		assert.Equal(t, wl.EnergyFJ, gl.EnergyFJ)
		if !strings.HasPrefix(gl.Port, "local") {
			assert.Equal(t, gl.Port == "east" || gl.Port == "west", gl.ChipLink, "%v %s: chips are columns of tiles", gl.Tile, gl.Port)
		}
		if gl.ChipLink {
			chipLinks++
		}
	}
	assert.Positive(t, chipLinks, "spikes cross between chips")
}

func TestReadCSV(t *testing.T) {
	spikes, err := ReadSpikes(strings.NewReader("step,time_ps,population,neuron\n3,15796800,exc,1024\n4,0,in put,0\n"), "s.csv")
	require.NoError(t, err)
	assert.Equal(t, []Spike{{3, 15796800, "exc", 1024}, {4, 0, "in put", 0}}, spikes)

	// Columns by name, in any order, extra ones ignored.
	probes, err := ReadProbes(strings.NewReader("population,neuron,step,v,u,w\ninh,5,2,-7,9,x\n"), "p.csv")
	require.NoError(t, err)
	assert.Equal(t, []Probe{{Step: 2, Population: "inh", Neuron: 5, U: 9, V: -7}}, probes)

	ws, err := ReadWeights(strings.NewReader("step,synapse,weight\n10,a,1\n0,a,0.5\n0,b,-2\n5,a,0.75\n"), "w.csv")
	require.NoError(t, err)
	assert.Equal(t, []WeightSeries{
		{Synapse: "a", Steps: []int{0, 5, 10}, Weights: []float64{0.5, 0.75, 1}},
		{Synapse: "b", Steps: []int{0}, Weights: []float64{-2}},
	}, ws)

	read := map[string]func(string) error{
		"spikes":  func(in string) error { _, err := ReadSpikes(strings.NewReader(in), "s.csv"); return err },
		"probes":  func(in string) error { _, err := ReadProbes(strings.NewReader(in), "p.csv"); return err },
		"weights": func(in string) error { _, err := ReadWeights(strings.NewReader(in), "w.csv"); return err },
		"report":  func(in string) error { _, err := ReadReport(strings.NewReader(in), "r.json"); return err },
	}
	// The chip's layout: a synapse per (projection, pre, post), grouped by
	// projection.
	var buf bytes.Buffer
	require.NoError(t, chip.WriteWeightsCSV(&buf, []chip.WeightRecord{
		{Step: 0, Projection: "in->exc", Pre: 1, Post: 2, Weight: 40},
		{Step: 0, Projection: "exc->exc", Pre: 0, Post: 0, Weight: -3},
		{Step: 5, Projection: "in->exc", Pre: 1, Post: 2, Weight: 44},
	}))
	ws, err = ReadWeights(&buf, "weights.csv")
	require.NoError(t, err)
	assert.Equal(t, []WeightSeries{
		{Synapse: "in->exc[1→2]", Group: "in->exc", Steps: []int{0, 5}, Weights: []float64{40, 44}},
		{Synapse: "exc->exc[0→0]", Group: "exc->exc", Steps: []int{0}, Weights: []float64{-3}},
	}, ws)

	for _, tc := range []struct{ reader, in, want string }{
		{"spikes", "", "s.csv:1: empty file; want a header step,time_ps,population,neuron"},
		{"spikes", "step,time_ps,population,neuron\n1,2,,3\n", "s.csv:2: column population is empty"},
		{"spikes", "step,time_ps,population,neuron\n1,2,\"x,3\n", "s.csv:2:"},
		{"probes", "step,population,neuron,u,v\n1,p,1,2\n", "p.csv:2:1: wrong number of fields"},
		{"weights", "step,synapse\n", `w.csv:1: header "step,synapse": want step,synapse,weight or step,projection,pre,post,weight`},
		{"weights", "step,projection,pre,post,weight\n1,p,x,0,1\n", `w.csv:2: column pre: "x" is not an integer`},
		{"weights", "step,synapse,weight\n-1,a,1\n", "w.csv:2: column step: -1 is out of range"},
		{"report", `{"schema":"tessera.report/v9"}`, "r.json: schema tessera.report/v9 is newer than this tessera reads"},
		{"report", "{\"schema\":\"tessera.report/v1\",\n\"cores\":[{\"tile\":[0,-1]}]}", "r.json: cores[0]: negative id or tile"},
		{"report", `{"schema":"tessera.report/v1","routers":[{"tile":[100000,100000]}]}`, "larger than 65536 tiles"},
		{"report", `{"schema":"tessera.report/v1","layout":{"width":2,"height":1},"links":[{"tile":[0,0],"port":"up"}]}`,
			`r.json: links[0]: port "up": want east, west, north, south or local<n>`},
		{"report", `{"schema":"tessera.report/v1","layout":{"width":2,"height":1},"links":[{"tile":[0,0],"port":"local0"},{"tile":[2,0],"port":"west"}]}`,
			"r.json: links[1]: tile [2 0] is outside the 2×1 mesh"},
		{"report", `{"schema":"tessera.report/v1","layout":{"width":2,"height":1},"links":[{"tile":[1,0],"port":"east"}]}`,
			"r.json: links[0]: port east of tile [1 0] leads off the 2×1 mesh"},
		{"report", `{"schema":"tessera.report/v1","mesh_cycle_ps":-1}`, "r.json: mesh_cycle_ps -1 is negative"},
	} {
		err := read[tc.reader](tc.in)
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncd\n\nef")
	for _, tc := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 1}, {2, 1, 2}, {4, 2, 1}, {9, 4, 2}, {99, 4, 2}} {
		line, col := position(data, tc.off)
		assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{line, col}, "offset %d", tc.off)
	}
}

// sampleDir is a reference output directory: tessera run
// chip/testdata/two_pop.yaml --preset small --steps 12, plus a hand-written
// weights.csv.
const sampleDir = "testdata/two_pop"

// sampleCycleDir is a reference output directory of the cycle-accurate
// mesh (report.json only): tessera run chip/testdata/two_pop.yaml --steps 12
// --preset small-cycle.yaml, where small-cycle.yaml is "base: small", "name:
// small-cycle", "mesh_model: cycle".
const sampleCycleDir = "testdata/two_pop_cycle"

// addSample seeds a fuzz target with a reference file.
func addSample(f *testing.F, name string) {
	data, err := os.ReadFile(filepath.Join(sampleDir, name))
	require.NoError(f, err, "reference sample %s (in chip/plot/%s)", name, sampleDir)
	f.Add(data)
}

// drawAll encodes a figure, if one was made, as a small PNG: drawing must
// not panic whatever the reader accepted.
func drawAll(t *testing.T) func(*Figure, error) {
	return func(fig *Figure, err error) {
		if err != nil {
			return
		}
		require.NoError(t, fig.Encode(io.Discard, "png", 20))
	}
}

// The readers of outside bytes never panic, and what they accept the plots
// draw without panicking.
func FuzzReadSpikes(f *testing.F) {
	addSample(f, SpikesFile)
	f.Add([]byte("step,time_ps,population,neuron\n3,15796800,exc,1024\n3,15827300,inh,0\n"))
	f.Add([]byte("step,time_ps,population,neuron\n"))
	f.Add([]byte("neuron,population,time_ps,step\n0,a,0,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spikes, err := ReadSpikes(bytes.NewReader(data), "spikes.csv")
		if err != nil || len(spikes) == 0 || len(spikes) > 2000 {
			return
		}
		for _, s := range spikes {
			if s.Neuron > 1e5 || s.Step > 1e5 {
				return
			}
		}
		drawAll(t)(Raster(spikes, nil, Options{}))
	})
}

func FuzzReadProbes(f *testing.F) {
	addSample(f, ProbesFile)
	f.Add([]byte("step,population,neuron,u,v\n1,inh,0,0,0\n2,inh,0,5760,-3\n"))
	f.Add([]byte("step,population,neuron,u,v\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		probes, err := ReadProbes(bytes.NewReader(data), "probes.csv")
		if err != nil || len(probes) == 0 || len(probes) > 2000 {
			return
		}
		drawAll(t)(Membrane(probes, nil, nil, Options{}))
	})
}

func FuzzReadWeights(f *testing.F) {
	addSample(f, WeightsFile)
	f.Add([]byte("step,synapse,weight\n0,a,1\n10,a,2.5\n0,b,-1\n"))
	f.Add([]byte("step,synapse,weight\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ReadWeights(bytes.NewReader(data), "weights.csv")
		if err != nil || len(ws) == 0 || len(ws) > 200 {
			return
		}
		drawAll(t)(Weights(ws, nil, Options{}))
	})
}

func FuzzReadReport(f *testing.F) {
	addSample(f, ReportFile)
	data, err := os.ReadFile(filepath.Join(sampleCycleDir, ReportFile))
	require.NoError(f, err, "reference sample (in chip/plot/%s)", sampleCycleDir)
	f.Add(data)
	f.Add([]byte(`{"schema":"tessera.report/v1","hardware_time_ps":1000,"mesh_cycle_ps":10,"layout":{"width":2,"height":2},` +
		`"links":[{"tile":[0,0],"port":"east","flits":100,"chip_link":true},{"tile":[1,1],"port":"south","flits":3},` +
		`{"tile":[1,0],"port":"local2","flits":7}]}`))
	f.Add([]byte(`{"schema":"tessera.report/v1","steps":2,"hardware_time_ps":10,` +
		`"cores":[{"id":5,"tile":[1,0],"total_energy_fj":3,"ops":{"Spikes":2}}],` +
		`"routers":[{"tile":[0,0]},{"tile":[1,0],"busy_ps":4,"hops_ew":1}]}`))
	f.Add([]byte(`{"schema":"tessera.report/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadReport(bytes.NewReader(data), "report.json")
		if err != nil {
			return
		}
		if w, h := rep.MeshSize(); w*h > 4096 || len(rep.Cores) > 4096 {
			return
		}
		draw := drawAll(t)
		draw(CoreEnergy(rep, Options{}))
		draw(CoreActivity(rep, Options{Activity: ActivityBusy}))
		draw(CoreActivity(rep, Options{TileSums: true}))
		draw(EnergyBreakdown(rep, Options{}))
		if len(rep.Routers) > 0 {
			draw(RouterTraffic(LinkUtilisation(rep), "", Options{}))
		}
		draw(Traffic(rep, Options{}))
	})
}
