package plot

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mesh returns a report of a width×height mesh with the given cores.
func mesh(width, height int, cores ...Core) *Report {
	rep := &Report{Schema: ReportSchemaV1, Network: "n", Preset: "p", Steps: 10, HardwareTimePS: 1000, Cores: cores}
	for y := range height {
		for x := range width {
			rep.Routers = append(rep.Routers, Router{Tile: [2]int{x, y}})
		}
	}
	return rep
}

func TestCoresPerTile(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  *Report
		want int
	}{
		{"loihi tile (0,2)", mesh(8, 4, Core{ID: 64, Tile: [2]int{0, 2}}, Core{ID: 66, Tile: [2]int{0, 2}}, Core{ID: 67, Tile: [2]int{0, 2}}), 4},
		{"one core per tile", mesh(2, 2, Core{ID: 0}, Core{ID: 3, Tile: [2]int{1, 1}}), 1},
		{"smallest that fits", mesh(2, 2, Core{ID: 5, Tile: [2]int{1, 0}}), 3},
		{"no cores", mesh(2, 2), 1},
		{"inconsistent", mesh(2, 2, Core{ID: 0, Tile: [2]int{1, 1}}), 0},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, CoresPerTile(tc.rep)) })
	}
}

func TestCoreGrid(t *testing.T) {
	rep := mesh(2, 1, Core{ID: 0, EnergyFJ: 10}, Core{ID: 3, EnergyFJ: 30}, Core{ID: 5, Tile: [2]int{1, 0}, EnergyFJ: 50})
	require.Equal(t, 4, CoresPerTile(rep))
	raw := func(c Core) float64 { return float64(c.EnergyFJ) }

	// A 2×2 sub-grid per tile: slot 0 top-left, slot 3 bottom-right.
	g, layout := coreGrid(rep, false, false, raw, 10, fmtNum)
	assert.Equal(t, "4 cores per tile as a 2×2 sub-grid", layout.short)
	require.Equal(t, [2]int{4, 2}, [2]int{g.cols, g.rows})
	assert.Equal(t, 1.0, g.Z(0, 1)) // core 0: tile (0,0), top-left
	assert.Equal(t, 3.0, g.Z(1, 0)) // core 3: bottom-right
	assert.Equal(t, 5.0, g.Z(3, 1)) // core 5: tile (1,0), slot 1, top-right
	assert.True(t, g.Z(0, 0) != g.Z(0, 0), "no core: NaN")
	assert.Equal(t, "c5\n50", g.labels[1*g.cols+3])
	assert.InDelta(t, -0.25, g.X(0), 1e-12)
	assert.InDelta(t, 1.25, g.X(3), 1e-12)

	// Per-tile sums and means.
	g, layout = coreGrid(rep, true, false, raw, 1, fmtNum)
	assert.Equal(t, "per-tile sums of its cores (up to 4)", layout.short)
	assert.Equal(t, []float64{40, 50}, g.z)
	assert.Equal(t, "40\n2 cores", g.labels[0])
	g, _ = coreGrid(rep, true, true, raw, 1, fmtNum)
	assert.Equal(t, []float64{20, 50}, g.z)
}

func TestLinkUtilisation(t *testing.T) {
	rep := mesh(3, 2)
	rep.HardwareTimePS = 1000
	rep.Routers[0].BusyPS, rep.Routers[0].HopsEW, rep.Routers[0].HopsNS = 100, 3, 4 // corner: 2 links
	rep.Routers[1].BusyPS, rep.Routers[1].HopsEW = 300, 12_345                      // edge: 3 links
	m := LinkUtilisation(rep)
	require.Equal(t, [2]int{3, 2}, [2]int{m.Width, m.Height})
	require.Len(t, m.Tiles, 6)
	assert.Equal(t, TileValue{X: 0, Y: 0, Value: 5, Label: "5%\n7 hops"}, m.Tiles[0])
	assert.Equal(t, TileValue{X: 1, Y: 0, Value: 10, Label: "10%\n12.3k hops"}, m.Tiles[1])
	assert.Equal(t, TileValue{X: 2, Y: 0}, m.Tiles[2])

	_, err := RouterTraffic(TileMap{Width: 2, Height: 2, Tiles: []TileValue{{X: 2}}}, "", Options{})
	assert.ErrorContains(t, err, "tile (2, 0) is outside the 2×2 mesh")
	_, err = RouterTraffic(TileMap{}, "", Options{})
	assert.ErrorContains(t, err, "mesh 0×0")
}

// A 64×64 mesh (the truenorth preset) draws without cell labels, in both
// formats.
func TestLargeMesh(t *testing.T) {
	var cores []Core
	for i := range 900 {
		cores = append(cores, Core{ID: i, Tile: [2]int{i % 64, i / 64}, EnergyFJ: uint64(1000 + i*i),
			Ops: CoreOps{Spikes: uint64(i)}, BusyPS: int64(i)})
	}
	rep := mesh(64, 64, cores...)
	for i := range rep.Routers {
		rep.Routers[i].BusyPS = int64(i % 97)
		rep.Routers[i].HopsEW = uint64(i % 13)
	}
	dir := t.TempDir()
	var files []string
	for _, f := range []func() (*Figure, error){
		func() (*Figure, error) { return CoreEnergy(rep, Options{}) },
		func() (*Figure, error) { return CoreActivity(rep, Options{}) },
		func() (*Figure, error) { return RouterTraffic(LinkUtilisation(rep), "big", Options{}) },
	} {
		fig, err := f()
		require.NoError(t, err)
		for _, ext := range []string{"png", "svg"} {
			path := filepath.Join(dir, fmt.Sprintf("%s.%s", fig.Name, ext))
			require.NoError(t, fig.Save(path, 120))
			files = append(files, path)
			if ext == "png" {
				checkPNG(t, path, 960, 600)
			} else {
				checkSVG(t, path)
			}
		}
	}
	keep(t, files, "large-")
}

func TestFigureSave(t *testing.T) {
	fig, err := EnergyBreakdown(mesh(1, 1), Options{WidthIn: 4, HeightIn: 3, DPI: 50})
	require.NoError(t, err)
	err = fig.Save(filepath.Join(t.TempDir(), "x.gif"), 100)
	assert.ErrorContains(t, err, "extension must be one of .png, .svg")
	err = fig.Save(filepath.Join(t.TempDir(), "missing", "x.png"), 100)
	assert.ErrorContains(t, err, "no such file")
	path := filepath.Join(t.TempDir(), "x.png")
	require.NoError(t, fig.Save(path, 50))
	checkPNG(t, path, 200, 150)
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{fmtNum(0), "0"}, {fmtNum(1), "1"}, {fmtNum(1.534), "1.53"}, {fmtNum(19.34), "19.3"}, {fmtNum(150.6), "151"},
		{fmtNum(1500), "1500"}, {fmtNum(2.5e6), "2.5e+06"}, {fmtNum(-0.25), "-0.25"},
		{fmtEnergy(0), "0 fJ"}, {fmtEnergy(1400), "1.4 pJ"}, {fmtEnergy(29.874e9), "29.9 µJ"}, {fmtEnergy(3e12), "3 mJ"},
		{fmtCount(950), "950"}, {fmtCount(12_345), "12.3k"}, {fmtCount(3.1e6), "3.1M"},
		{fmtShare(75.83), "75.8%"}, {fmtShare(0.004), "<0.01%"}, {fmtShare(0), "0%"},
		{fmtPS(1e9), "1 ms"}, {fmtPS(2.5e6), "2.5 µs"},
	} {
		assert.Equal(t, tc.want, tc.got)
	}
	for _, tc := range []struct {
		fj   float64
		unit string
	}{{10, "fJ"}, {1e3, "pJ"}, {5e6, "nJ"}, {3e10, "µJ"}, {1e12, "mJ"}, {2e15, "J"}} {
		_, u := energyUnit(tc.fj)
		assert.Equal(t, tc.unit, u, tc.fj)
	}
}

func TestOptionsValidate(t *testing.T) {
	require.NoError(t, Options{}.Validate())
	require.NoError(t, DefaultOptions().Validate())
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{XAxis: "ms"}, `x axis "ms": want time or step`},
		{Options{Activity: "joules"}, `activity "joules": want one of spikes, syn_ops`},
		{Options{DPI: -1}, "dpi -1"},
		{Options{MaxSpikes: -1}, "must be ≥ 0"},
		{Options{WidthIn: 1000}, "want up to 100 in"},
	} {
		assert.ErrorContains(t, tc.o.Validate(), tc.want)
	}
}
