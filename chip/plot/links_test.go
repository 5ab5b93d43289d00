package plot

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
)

// linkReport is a width×height mesh of one core per tile with the given
// links: 100 mesh cycles of cyclePS (0: no mesh_cycle_ps in the report).
func linkReport(width, height int, cyclePS int64, links ...Link) *Report {
	rep := mesh(width, height)
	rep.Layout = &Layout{Width: width, Height: height, CoresPerTile: 1}
	rep.HardwareTimePS = 100_000
	if cyclePS > 0 {
		rep.HardwareTimePS = 100 * cyclePS
	}
	rep.MeshCyclePS = cyclePS
	rep.Links = links
	return rep
}

func link(x, y int, port string, flits uint64) Link {
	return Link{Tile: [2]int{x, y}, Port: port, Flits: flits, LatencyCycles: 1}
}

func TestPerLinkUtilisation(t *testing.T) {
	stalled := link(1, 0, "west", 20)
	stalled.CreditStalls, stalled.MaxQueueFlits = 5, 3
	chipLink := link(1, 0, "north", 80)
	chipLink.ChipLink = true
	rep := linkReport(3, 2, 1000, link(0, 0, "east", 50), stalled, link(0, 0, "local0", 30), link(0, 0, "local1", 10),
		chipLink, link(2, 1, "local0", 0))
	rep.Cores = []Core{{ID: 0}, {ID: 5, Tile: [2]int{2, 1}}}

	m := PerLinkUtilisation(rep)
	assert.Equal(t, [2]int{3, 2}, [2]int{m.Width, m.Height})
	assert.Equal(t, 100.0, m.Cycles)
	assert.Equal(t, "link utilisation (% of cycles)", m.Unit)
	assert.Equal(t, "utilisation of each link over 100 mesh cycles", m.Title)
	// Mesh links only, in report order, utilisation = flits / cycles.
	assert.Equal(t, []LinkValue{
		{X: 0, Y: 0, Dir: "east", Value: 50, Flits: 50},
		{X: 1, Y: 0, Dir: "west", Value: 20, Flits: 20, CreditStalls: 5, MaxQueueFlits: 3},
		{X: 1, Y: 0, Dir: "north", Value: 80, Flits: 80, ChipLink: true},
	}, m.Links)
	// Cells: the busiest ejection port of tiles with a core or an ejection;
	// tile (1, 0) has neither.
	assert.Equal(t, []TileValue{
		{X: 0, Y: 0, Value: 30, Label: "30%\n40"},
		{X: 2, Y: 1, Value: 0},
	}, m.Tiles)

	// Without the mesh clock the values are flits.
	rep.MeshCyclePS = 0
	m = PerLinkUtilisation(rep)
	assert.Zero(t, m.Cycles)
	assert.Equal(t, "flits", m.Unit)
	assert.Equal(t, 50.0, m.Links[0].Value)
	assert.Equal(t, TileValue{X: 0, Y: 0, Value: 30, Label: "40"}, m.Tiles[0])
}

func TestBusiestLink(t *testing.T) {
	with := func(l Link, f func(*Link)) Link { f(&l); return l }
	for _, tc := range []struct {
		name    string
		rep     *Report
		want    string // x,y,dir of the busiest link; "" none
		value   float64
		summary string
	}{
		{"one link", linkReport(2, 1, 1000, with(link(0, 0, "east", 25), func(l *Link) { l.MaxQueueFlits = 1 })),
			"0,0,east", 25,
			"Busiest link: tile (0, 0) east, 25% (25 flits in 100 cycles), 0 credit stalls, up to 1 flit queued at the far end."},
		{"the largest utilisation wins", linkReport(2, 2, 1000, link(0, 0, "east", 25),
			with(link(1, 0, "west", 60), func(l *Link) { l.CreditStalls, l.MaxQueueFlits = 3, 4 }), link(0, 0, "north", 10)),
			"1,0,west", 60,
			"Busiest link: tile (1, 0) west, 60% (60 flits in 100 cycles), 3 credit stalls, up to 4 flits queued at the far end."},
		{"a saturated link", linkReport(1, 2, 500, link(0, 1, "south", 100)),
			"0,1,south", 100,
			"Busiest link: tile (0, 1) south, 100% (100 flits in 100 cycles), 0 credit stalls, up to 0 flits queued at the far end."},
		{"a tie: the first in report order", linkReport(2, 2, 1000, link(1, 1, "south", 40), link(0, 1, "east", 40)),
			"1,1,south", 40,
			"Busiest link: tile (1, 1) south, 40% (40 flits in 100 cycles), 0 credit stalls, up to 0 flits queued at the far end."},
		{"ejection ports are not links", linkReport(2, 1, 1000, link(0, 0, "local0", 90), link(0, 0, "local1", 95), link(1, 0, "west", 5)),
			"1,0,west", 5,
			"Busiest link: tile (1, 0) west, 5% (5 flits in 100 cycles), 0 credit stalls, up to 0 flits queued at the far end."},
		{"a chip-to-chip link", linkReport(3, 1, 1000, link(0, 0, "east", 10), with(link(1, 0, "east", 70), func(l *Link) { l.ChipLink = true })),
			"1,0,east", 70,
			"Busiest link: tile (1, 0) east (chip-to-chip), 70% (70 flits in 100 cycles), 0 credit stalls, up to 0 flits queued at the far end."},
		{"most credit stalls on another link", linkReport(2, 1, 1000, with(link(0, 0, "east", 50), func(l *Link) { l.CreditStalls = 1 }),
			with(link(1, 0, "west", 30), func(l *Link) { l.CreditStalls = 9 })),
			"0,0,east", 50,
			"Busiest link: tile (0, 0) east, 50% (50 flits in 100 cycles), 1 credit stall, up to 0 flits queued at the far end.\nMost credit stalls: tile (1, 0) west, 9."},
		{"no mesh cycle in the report: flits", linkReport(2, 1, 0, link(0, 0, "east", 12_345), link(1, 0, "west", 7)),
			"0,0,east", 12_345,
			"Busiest link: tile (0, 0) east, 12.3k flits, 0 credit stalls, up to 0 flits queued at the far end."},
		{"only ejection", linkReport(1, 1, 1000, link(0, 0, "local0", 3)), "", 0, "No link carried a flit."},
		{"a link listed without flits", linkReport(2, 1, 1000, link(0, 0, "east", 0)), "", 0, "No link carried a flit."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := PerLinkUtilisation(tc.rep)
			b, ok := BusiestLink(m)
			if tc.want == "" {
				assert.False(t, ok)
			} else {
				require.True(t, ok)
				assert.Equal(t, tc.want, fmt.Sprintf("%d,%d,%s", b.X, b.Y, b.Dir))
				assert.InDelta(t, tc.value, b.Value, 1e-9)
			}
			assert.Equal(t, tc.summary, LinkSummary(m))
		})
	}
}

// gridLinks is a width×height mesh with every link busy, some stalled, and
// the middle column of east-west links chip-to-chip (two chips).
func gridLinks(width, height int) *Report {
	var links []Link
	var cores []Core
	for y := range height {
		for x := range width {
			i := y*width + x
			cores = append(cores, Core{ID: i, Tile: [2]int{x, y}})
			links = append(links, link(x, y, "local0", uint64(i%7)))
			for _, dir := range directions {
				dx, dy, _ := direction(dir)
				if x+dx < 0 || y+dy < 0 || x+dx >= width || y+dy >= height || (x+y+len(dir))%5 == 0 {
					continue // the last: some links carried nothing
				}
				l := link(x, y, dir, uint64(1+(x*7+y*3+len(dir))%60))
				l.CreditStalls = uint64((x + y) % 3)
				l.ChipLink = dx != 0 && min(x, x+dx) == width/2-1
				links = append(links, l)
			}
		}
	}
	rep := linkReport(width, height, 1000, links...)
	rep.Cores = cores
	return rep
}

// A report with links draws the per-link map, in both formats, on a small
// board and on the largest preset's mesh.
func TestLinkTrafficRenders(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, tc := range []struct {
		name          string
		width, height int
	}{{"board", 4, 3}, {"loihi", 8, 4}, {"large", 64, 64}} {
		rep := gridLinks(tc.width, tc.height)
		fig, err := Traffic(rep, Options{})
		require.NoError(t, err)
		assert.Equal(t, NameTraffic, fig.Name)
		assert.Contains(t, fig.Title, "Router traffic per link: n on p, 10 steps\n")
		assert.Contains(t, fig.Title, fmt.Sprintf("%d×%d tiles, utilisation of each link over 100 mesh cycles", tc.width, tc.height))
		for _, ext := range []string{"png", "svg"} {
			path := filepath.Join(dir, fmt.Sprintf("%s-%s.%s", tc.name, fig.Name, ext))
			require.NoError(t, fig.Save(path, 120))
			files = append(files, path)
			if ext == "png" {
				checkPNG(t, path, 960, 600)
				continue
			}
			checkSVG(t, path)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Contains(t, string(data), "Busiest link: tile (", "the summary is in the picture")
			if tc.width < 64 {
				assert.Contains(t, string(data), "chip-to-chip link", "the note explains the dashed links")
			}
		}
	}
	keep(t, files, "links-")

	// The reference sample of a cycle-mesh run: one east link, two tiles
	// ejecting.
	out := t.TempDir()
	r, err := RenderWith(sampleCycleDir, out, Options{Only: []string{NameTraffic}, Formats: []string{"png", "svg"}})
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(out, "traffic.png"), filepath.Join(out, "traffic.svg")}, r.Files)
	checkPNG(t, r.Files[0], 960, 600)
	checkSVG(t, r.Files[1])
	data, err := os.ReadFile(r.Files[1])
	require.NoError(t, err)
	assert.Contains(t, string(data), "Busiest link: tile (0, 0) east")
	keep(t, r.Files, "sample-cycle-")
}

// A real run on the cycle-accurate mesh renders every plot, traffic per
// link.
func TestRenderCycleRun(t *testing.T) {
	spec := preset.Loihi()
	spec.Core.MaxNeurons = 128 // spread the network over tiles, so spikes cross links
	spec.MeshModel = preset.MeshCycle
	dir := runNetOn(t, spec)
	run, err := Load(dir)
	require.NoError(t, err)
	require.NotEmpty(t, run.Report.Links)
	require.Positive(t, run.Report.MeshCyclePS)
	m := PerLinkUtilisation(run.Report)
	b, ok := BusiestLink(m)
	require.True(t, ok)
	assert.Greater(t, b.Value, 0.0)
	assert.LessOrEqual(t, b.Value, 100.0, "at most one flit per link per cycle")

	out := t.TempDir()
	r, err := RenderWith(dir, out, Options{Formats: []string{"png", "svg"}})
	require.NoError(t, err)
	assert.Contains(t, r.Files, filepath.Join(out, "traffic.png"))
	for _, f := range r.Files {
		if strings.HasSuffix(f, ".png") {
			checkPNG(t, f, 960, 600)
		} else {
			checkSVG(t, f)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "traffic.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "Router traffic per link")
	keep(t, r.Files, "cycle-")
}

// Without links (the per-hop model) the traffic figure is the per-router
// map, byte for byte.
func TestTrafficWithoutLinks(t *testing.T) {
	f, err := os.Open(filepath.Join(sampleDir, ReportFile))
	require.NoError(t, err)
	rep, err := ReadReport(f, ReportFile)
	f.Close()
	require.NoError(t, err)
	require.Empty(t, rep.Links)
	rep.Routers[0].BusyPS = rep.HardwareTimePS / 10 // some colour

	got, err := Traffic(rep, Options{})
	require.NoError(t, err)
	want, err := RouterTraffic(LinkUtilisation(rep), runLabel(rep), Options{})
	require.NoError(t, err)
	assert.Equal(t, want.Title, got.Title)
	assert.True(t, strings.HasPrefix(got.Title, "Router traffic: two-pop on small"), got.Title)
	assert.NotContains(t, got.Title, "per link")
	for _, format := range Formats {
		var a, b bytes.Buffer
		require.NoError(t, got.Encode(&a, format, 60))
		require.NoError(t, want.Encode(&b, format, 60))
		assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()), "%s: the per-router figure", format)
	}
}

func TestLinkTrafficErrors(t *testing.T) {
	for _, tc := range []struct {
		m    LinkMap
		want string
	}{
		{LinkMap{}, "mesh 0×0"},
		{LinkMap{Width: 2, Height: 1, Links: []LinkValue{{X: 1, Dir: "east", Flits: 1}}}, "link east of tile (1, 0) is not inside the 2×1 mesh"},
		{LinkMap{Width: 2, Height: 1, Links: []LinkValue{{Dir: "up"}}}, `direction "up": want one of east, west, north, south`},
		{LinkMap{Width: 2, Height: 1, Tiles: []TileValue{{Y: 1}}}, "tile (0, 1) is outside the 2×1 mesh"},
	} {
		_, err := LinkTraffic(tc.m, "", Options{})
		assert.ErrorContains(t, err, tc.want)
	}
	_, err := Traffic(nil, Options{})
	assert.ErrorContains(t, err, "no report")
}
