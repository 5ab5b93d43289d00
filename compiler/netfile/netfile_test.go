package netfile_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

func ptr(v int32) *int32 { return &v }

// TestParseTwoPopulations checks every field of the graph of a network that
// uses most of the format.
func TestParseTwoPopulations(t *testing.T) {
	const file = "testdata/two_populations.yaml"
	g, err := netfile.ParseFile(file)
	require.NoError(t, err)
	at := func(line, col int) graph.Pos { return graph.Pos{File: file, Line: line, Col: col} }
	want := &graph.Graph{
		Name: "two-populations",
		DtPS: 1_000_000_000,
		Populations: []graph.Population{
			{
				Name: "exc", Size: 4, Pos: at(6, 5),
				Neuron: graph.NeuronParams{
					Model: "lif", Du: 410, Dv: 410, Vth: 100,
					BiasMant: []int32{0, 10, 20, 30},
					BiasExp:  []int32{2, 2, 2, 2},
					UInit:    []int32{0, 0, 0, 0},
					VInit:    []int32{0, 0, 0, 0},
				},
			},
			{
				Name: "inh", Size: 2, Pos: at(15, 5),
				Neuron: graph.NeuronParams{
					Model: "lif", Du: 4095, Dv: 200, Vth: 50,
					BiasMant: []int32{0, 0},
					BiasExp:  []int32{0, 0},
					UInit:    []int32{0, 0},
					VInit:    []int32{-5, -5},
				},
			},
			{
				Name: "stim", Size: 2, Pos: at(19, 5),
				Input: &graph.InputSource{
					Kind:   graph.InputRaster,
					Spikes: []graph.Spike{{Step: 1, Index: 0}, {Step: 3, Index: 0}, {Step: 3, Index: 1}},
				},
			},
		},
		Projections: []graph.Projection{
			{
				Name: "stim_to_exc", Pre: "stim", Post: "exc", Pos: at(24, 5),
				Conn:   graph.Connectivity{Kind: graph.AllToAll},
				Weight: 100,
			},
			{
				Name: "exc->inh", Pre: "exc", Post: "inh", Pos: at(29, 5),
				Conn:   graph.Connectivity{Kind: graph.FixedProbability, P: 0.25, Seed: 7},
				Weight: 60, WeightExp: 1, Delay: 2,
			},
			{
				Name: "inh->exc", Pre: "inh", Post: "exc", Pos: at(35, 5),
				Conn: graph.Connectivity{Kind: graph.List, Pairs: []graph.Pair{
					{Pre: 0, Post: 0},
					{Pre: 1, Post: 3, Weight: ptr(-40)},
					{Pre: 1, Post: 2, Weight: ptr(-20), Delay: ptr(5)},
				}},
				Weight: -30,
			},
		},
		Probes: []graph.Probe{
			{Population: "exc", Spikes: true, V: true, Pos: at(41, 5)},
			{Population: "inh", U: true, Neurons: []int32{1}, Pos: at(43, 5)},
			{Population: "stim", Spikes: true, Pos: at(46, 5)},
		},
		Pos: at(2, 1),
	}
	assert.Equal(t, want, g)
	assert.Nil(t, g.Probes[0].Neurons, "no neurons field means every neuron (nil)")
	assert.True(t, g.Population("stim").IsInput())
	assert.False(t, g.Population("exc").IsInput())
}

// TestParsePoissonAndRasterFile covers a Poisson input, a raster CSV file,
// one_to_one, extreme values and YAML anchors with a merge key.
func TestParsePoissonAndRasterFile(t *testing.T) {
	g, err := netfile.ParseFile("testdata/poisson_raster_file.yaml")
	require.NoError(t, err)

	assert.Equal(t, "poisson_raster_file", g.Name, "default name: the file's base name")
	assert.Equal(t, int64(500_000_000), g.DtPS)
	require.Len(t, g.Populations, 4)

	noise := g.Population("noise")
	require.NotNil(t, noise)
	assert.Equal(t, &graph.InputSource{Kind: graph.InputPoisson, RateHz: 20.5, Seed: math.MaxUint64}, noise.Input)

	stim := g.Population("stim")
	require.NotNil(t, stim)
	assert.Equal(t, &graph.InputSource{
		Kind:   graph.InputRaster,
		File:   filepath.Join("testdata", "stim.csv"),
		Spikes: []graph.Spike{{Step: 1, Index: 0}, {Step: 2, Index: 0}, {Step: 2, Index: 2}},
	}, stim.Input)

	out, out2 := g.Population("out"), g.Population("out2")
	require.NotNil(t, out)
	require.NotNil(t, out2)
	assert.Equal(t, []int32{1, -2, 8388607}, out.Neuron.UInit)
	assert.Equal(t, int32(131071), out.Neuron.Vth)
	assert.Equal(t, int32(7), out2.Neuron.Vth, "a key beside a merge (<<) overrides the merged one")
	assert.Equal(t, out.Neuron.UInit, out2.Neuron.UInit, "merged from the anchor")

	require.Len(t, g.Projections, 3)
	assert.Equal(t, graph.OneToOne, g.Projections[0].Conn.Kind)
	assert.Equal(t, [3]int32{-256, -8, 63}, [3]int32{g.Projections[0].Weight, g.Projections[0].WeightExp, g.Projections[0].Delay})
	assert.Equal(t, [2]int32{255, 7}, [2]int32{g.Projections[1].Weight, g.Projections[1].WeightExp})
	list := g.Projections[2]
	assert.Equal(t, "out.to.out2", list.Name)
	assert.Equal(t, []graph.Pair{{Pre: 2, Post: 0, Weight: ptr(1)}, {Pre: 0, Post: 1, Weight: ptr(2), Delay: ptr(0)}}, list.Conn.Pairs)

	require.Len(t, g.Probes, 1)
	assert.Equal(t, graph.Probe{Population: "out", Spikes: true, U: true, V: true, Neurons: []int32{2, 0},
		Pos: graph.Pos{File: "testdata/poisson_raster_file.yaml", Line: 31, Col: 5}}, g.Probes[0])
}

// TestYAMLAndJSONAgree parses the same network written in YAML and in JSON.
func TestYAMLAndJSONAgree(t *testing.T) {
	for _, name := range []string{"two_populations", "poisson_raster_file", "model_options", "plasticity", "random_weights"} {
		t.Run(name, func(t *testing.T) {
			y, err := netfile.ParseFile(filepath.Join("testdata", name+".yaml"))
			require.NoError(t, err)
			j, err := netfile.ParseFile(filepath.Join("testdata", name+".json"))
			require.NoError(t, err)
			assert.Equal(t, withoutPos(y), withoutPos(j))
		})
	}
}

// withoutPos clears every position of g.
func withoutPos(g *graph.Graph) *graph.Graph {
	c := *g
	c.Pos = graph.Pos{}
	c.Populations = append([]graph.Population(nil), g.Populations...)
	for i := range c.Populations {
		c.Populations[i].Pos = graph.Pos{}
	}
	c.Projections = append([]graph.Projection(nil), g.Projections...)
	for i := range c.Projections {
		c.Projections[i].Pos = graph.Pos{}
		if pl := c.Projections[i].Plasticity; pl != nil {
			cp := *pl
			cp.Pos, cp.RulePos = graph.Pos{}, graph.Pos{}
			c.Projections[i].Plasticity = &cp
		}
	}
	c.Probes = append([]graph.Probe(nil), g.Probes...)
	for i := range c.Probes {
		c.Probes[i].Pos = graph.Pos{}
	}
	return &c
}

// TestJSONPositions checks that a JSON file's positions are exact, though
// it is not read by the YAML parser.
func TestJSONPositions(t *testing.T) {
	const file = "testdata/two_populations.json"
	g, err := netfile.ParseFile(file)
	require.NoError(t, err)
	assert.Equal(t, graph.Pos{File: file, Line: 1, Col: 1}, g.Pos)
	assert.Equal(t, graph.Pos{File: file, Line: 6, Col: 5}, g.Populations[0].Pos)
	assert.Equal(t, graph.Pos{File: file, Line: 57, Col: 5}, g.Probes[2].Pos)

	// Multi-byte characters count as one column, as in YAML.
	_, err = netfile.Parse("n.json", []byte(`{"name": "é", "dt": "1µs", "units": "hardware", "populations": 3}`))
	assertErrors(t, err, "n.json:1:64: populations must be a list")
}

// TestJSONEscapes checks JSON that the YAML library would reject.
func TestJSONEscapes(t *testing.T) {
	src := `{"name": "a\/b \ud83d\ude00", "dt": "1ms", "units": "hardware",
	"inputs": [{"name": "in", "size": 1, "raster": {"spikes": [[1, 0]]}}]}`
	g, err := netfile.Parse("n.json", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "a/b 😀", g.Name)
}

func TestParseFileMissing(t *testing.T) {
	_, err := netfile.ParseFile(filepath.Join(t.TempDir(), "nope.yaml"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestDt covers the timestep's units and exact conversion to picoseconds.
func TestDt(t *testing.T) {
	for _, tc := range []struct {
		dt   string
		want int64
	}{
		{"1ms", 1_000_000_000},
		{"0.5 ms", 500_000_000},
		{"100us", 100_000_000},
		{"100µs", 100_000_000},
		{"100μs", 100_000_000},
		{"1s", 1_000_000_000_000},
		{"2.5ns", 2500},
		{"7ps", 7},
		{"1e-3s", 1_000_000_000},
		{"0.001e3ms", 1_000_000_000},
		{"000.25ms", 250_000_000},
		{"9223372036854775807ps", math.MaxInt64},
	} {
		t.Run(tc.dt, func(t *testing.T) {
			g, err := netfile.Parse("dt.yaml", []byte("dt: "+tc.dt+"\nunits: hardware\ninputs: [{name: a, size: 1, poisson: {rate_hz: 1e-9, seed: 0}}]\n"))
			require.NoError(t, err)
			assert.Equal(t, tc.want, g.DtPS)
		})
	}
}

func TestNameDefault(t *testing.T) {
	src := []byte("dt: 1ms\nunits: hardware\ninputs: [{name: a, size: 1, raster: {spikes: []}}]\n")
	for path, want := range map[string]string{
		"nets/mnist.v2.yaml": "mnist.v2",
		"plain":              "plain",
		"":                   "network",
	} {
		g, err := netfile.Parse(path, src)
		require.NoError(t, err, path)
		assert.Equal(t, want, g.Name, path)
	}
}

// BenchmarkParse parses a network with a long explicit synapse list and a
// long inline raster, in YAML and in JSON.
func BenchmarkParse(b *testing.B) {
	const n = 50_000
	var y, j strings.Builder
	y.WriteString("dt: 1ms\nunits: hardware\npopulations:\n  - {name: p, size: 1000, neuron: {du: 1, dv: 1, vth: 1}}\n")
	y.WriteString("inputs:\n  - name: in\n    size: 1000\n    raster:\n      spikes:\n")
	j.WriteString(`{"dt": "1ms", "units": "hardware", "populations": [{"name": "p", "size": 1000, "neuron": {"du": 1, "dv": 1, "vth": 1}}],` + "\n")
	j.WriteString(`"inputs": [{"name": "in", "size": 1000, "raster": {"spikes": [` + "\n")
	for i := range n {
		fmt.Fprintf(&y, "        - [%d, %d]\n", i/1000+1, i%1000)
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(&j, "[%d, %d]%s\n", i/1000+1, i%1000, sep)
	}
	y.WriteString("projections:\n  - pre: in\n    post: p\n    connectivity:\n      list:\n")
	j.WriteString("]}}],\n" + `"projections": [{"pre": "in", "post": "p", "connectivity": {"list": [` + "\n")
	for i := range n {
		fmt.Fprintf(&y, "        - [%d, %d, %d]\n", i%1000, (i*7)%1000, i%200-100)
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(&j, "[%d, %d, %d]%s\n", i%1000, (i*7)%1000, i%200-100, sep)
	}
	j.WriteString("]}}]}\n")
	for _, tc := range []struct{ path, src string }{{"bench.yaml", y.String()}, {"bench.json", j.String()}} {
		b.Run(filepath.Ext(tc.path)[1:], func(b *testing.B) {
			data := []byte(tc.src)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := netfile.Parse(tc.path, data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// TestDocExamples parses the YAML and JSON examples of the format's
// documentation: they must be valid and each must describe the same network
// as the testdata file of its name.
func TestDocExamples(t *testing.T) {
	const doc = "../../docs/network-format.md"
	text, err := os.ReadFile(doc)
	require.NoError(t, err, "the format's documentation is expected at %s", doc)
	files := map[string]string{
		"two-populations": "testdata/two_populations.yaml",
		"model-options":   "testdata/model_options.yaml",
		"plasticity":      "testdata/plasticity.yaml",
		"random-weights":  "testdata/random_weights.yaml",
		"bio-units":       "testdata/bio.yaml",
		"event-camera":    "testdata/event_camera.yaml",
	}
	found := map[string]int{}
	for _, lang := range []string{"yaml", "json"} {
		parts := strings.Split(string(text), "```"+lang+"\n")
		for _, part := range parts[1:] {
			src, _, ok := strings.Cut(part, "```")
			require.True(t, ok, "unclosed %s block in %s", lang, doc)
			g, err := netfile.Parse("doc."+lang, []byte(src))
			require.NoError(t, err, "%s example in %s", lang, doc)
			file, ok := files[g.Name]
			require.True(t, ok, "%s example %q in %s has no testdata file to compare with", lang, g.Name, doc)
			want, err := netfile.ParseFile(file)
			require.NoError(t, err)
			assert.Equal(t, withoutPos(want), withoutPos(g), "%s example %q in %s", lang, g.Name, doc)
			found[g.Name+" in "+lang]++
		}
	}
	assert.Equal(t, map[string]int{"two-populations in yaml": 1, "two-populations in json": 1, "model-options in yaml": 1, "plasticity in yaml": 1,
		"random-weights in yaml": 1, "bio-units in yaml": 1, "event-camera in yaml": 1}, found,
		"examples found in %s", doc)
}
