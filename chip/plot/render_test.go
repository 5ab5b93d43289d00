package plot

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// runNet runs chip/testdata/random_net.yaml for 50 steps on the Loihi
// preset and writes report.json, spikes.csv and probes.csv into a temporary
// directory, as tessera run --out does.
func runNet(t testing.TB) string {
	t.Helper()
	return runNetOn(t, preset.Loihi())
}

// runRandomNet compiles chip/testdata/random_net.yaml for spec and runs it.
func runRandomNet(t testing.TB, spec preset.Spec, steps int, seed uint64) *chip.Result {
	t.Helper()
	img, _, err := compiler.CompileFile("../testdata/random_net.yaml", spec)
	require.NoError(t, err)
	c, err := chip.New(img)
	require.NoError(t, err)
	res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: seed})
	require.NoError(t, err)
	return res
}

// runNetOn is runNet on another preset.
func runNetOn(t testing.TB, spec preset.Spec) string {
	t.Helper()
	res := runRandomNet(t, spec, 50, 1)
	require.NotEmpty(t, res.Probes, "random_net probes v of inh neurons")
	dir := t.TempDir()
	for name, write := range map[string]func(io.Writer) error{
		ReportFile: res.WriteReport, SpikesFile: res.WriteSpikesCSV, ProbesFile: res.WriteProbesCSV,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, write(f))
		require.NoError(t, f.Close())
	}
	return dir
}

// writeWeights writes a weights.csv of n synapses over steps 0..50 by 10.
func writeWeights(t *testing.T, dir string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("step,synapse,weight\n")
	for step := 0; step <= 50; step += 10 {
		for s := range n {
			fmt.Fprintf(&b, "%d,exc[%d]->inh[%d],%d\n", step, s, s%7, 40+s*3+step*(s%5-2)/5)
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, WeightsFile), []byte(b.String()), 0o644))
}

// keep copies the pictures to $TESSERA_PLOT_KEEP, to look at them.
func keep(t *testing.T, files []string, prefix string) {
	dst := os.Getenv("TESSERA_PLOT_KEEP")
	if dst == "" {
		return
	}
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, prefix+filepath.Base(f)), data, 0o644))
	}
}

// checkPNG decodes a PNG and checks its size and that it shows something:
// many colours and a fair share of non-white pixels.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err, path)
	assert.Equal(t, image.Rect(0, 0, w, h), img.Bounds(), path)
	colors := map[color.RGBA]bool{}
	ink := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			colors[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}] = true
			if r < 0xf000 || g < 0xf000 || b < 0xf000 {
				ink++
			}
		}
	}
	assert.Greater(t, len(colors), 30, "%s: distinct colours", path)
	assert.Greater(t, float64(ink)/float64(w*h), 0.02, "%s: share of non-white pixels", path)
}

// checkSVG parses an SVG as XML with an <svg> root.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	elems := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, path)
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			elems++
		}
	}
	assert.Equal(t, "svg", root, path)
	assert.Greater(t, elems, 20, "%s: elements", path)
}

func TestRenderRealRun(t *testing.T) {
	dir := runNet(t)
	out := filepath.Join(t.TempDir(), "plots")
	r, err := RenderWith(dir, out, Options{Formats: []string{"png", "svg"}})
	require.NoError(t, err)

	// Every plot but weights (a learning run's file) is drawn, in both formats.
	var want []string
	for _, n := range Names {
		if n == NameWeights {
			continue
		}
		want = append(want, filepath.Join(out, n+".png"), filepath.Join(out, n+".svg"))
	}
	assert.Equal(t, want, r.Files)
	require.Len(t, r.Notes, 1)
	assert.Contains(t, r.Notes[0], "weights: skipped, no weights.csv")
	for _, f := range r.Files {
		if strings.HasSuffix(f, ".png") {
			checkPNG(t, f, 960, 600)
		} else {
			checkSVG(t, f)
		}
	}
	keep(t, r.Files, "")

	// With a weights.csv, the weights plot is drawn too.
	writeWeights(t, dir, 4)
	r, err = RenderWith(dir, out, Options{Only: []string{NameWeights}, Formats: []string{"png", "svg"}, DPI: 100, WidthIn: 6, HeightIn: 4})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(out, "weights.png"), filepath.Join(out, "weights.svg")}, r.Files)
	assert.Empty(t, r.Notes)
	checkPNG(t, r.Files[0], 600, 400)
	checkSVG(t, r.Files[1])
	keep(t, r.Files[:1], "few-")

	// Many synapses: grey lines and their mean.
	writeWeights(t, dir, 40)
	r, err = RenderWith(dir, out, Options{Only: []string{NameWeights}})
	require.NoError(t, err)
	checkPNG(t, r.Files[0], 960, 600)
	keep(t, r.Files, "many-")

	// The chip's layout, two projections: a mean per projection; more
	// synapses than grey lines drawn.
	var b strings.Builder
	b.WriteString("step,projection,pre,post,weight\n")
	for step := 0; step <= 50; step += 5 {
		for pre := range 40 {
			for post := range 30 {
				fmt.Fprintf(&b, "%d,drive->exc,%d,%d,%d\n", step, pre, post, 60+(pre*7+post*3)%40+step*(pre%3-1)/2)
			}
		}
		for pre := range 10 {
			fmt.Fprintf(&b, "%d,exc->inh,%d,0,%d\n", step, pre, 20+pre+step/3)
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, WeightsFile), []byte(b.String()), 0o644))
	r, err = RenderWith(dir, out, Options{Only: []string{NameWeights}, Formats: []string{"png", "svg"}})
	require.NoError(t, err)
	checkPNG(t, r.Files[0], 960, 600)
	checkSVG(t, r.Files[1])
	keep(t, r.Files[:1], "projections-")
}

func TestRenderOptions(t *testing.T) {
	dir := runNet(t)
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		o    Options
		want []string
	}{
		{"sums and busy, step axis", Options{Only: []string{NameEnergy, NameActivity, NameRaster}, TileSums: true,
			Activity: ActivityBusy, XAxis: XAxisStep}, []string{"raster.png", "energy.png", "activity.png"}},
		{"syn ops", Options{Only: []string{NameActivity}, Activity: ActivitySynOps}, []string{"activity.png"}},
		{"thinned raster", Options{Only: []string{NameRaster}, MaxSpikes: 50}, []string{"raster.png"}},
		{"one trace", Options{Only: []string{NameMembrane}, MaxTraces: 1, Formats: []string{"svg"}}, []string{"membrane.svg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := RenderWith(dir, out, tc.o)
			require.NoError(t, err)
			var want []string
			for _, w := range tc.want {
				want = append(want, filepath.Join(out, w))
			}
			assert.Equal(t, want, r.Files)
			for _, f := range r.Files {
				if strings.HasSuffix(f, ".png") {
					checkPNG(t, f, 960, 600)
				}
			}
			keep(t, r.Files, strings.ReplaceAll(tc.name, " ", "_")+"-")
		})
	}

	// Render is RenderWith with defaults: PNG of every plot it has inputs for.
	files, err := Render(dir, out, nil)
	require.NoError(t, err)
	assert.Len(t, files, len(Names)-1)
}

func TestRenderMissingInputs(t *testing.T) {
	full := runNet(t)

	// Only spikes.csv: the raster, and a note for every other plot.
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(full, SpikesFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, SpikesFile), data, 0o644))
	r, err := RenderWith(dir, filepath.Join(dir, "plots"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "plots", "raster.png")}, r.Files)
	assert.Len(t, r.Notes, len(Names)-1)
	assert.Contains(t, strings.Join(r.Notes, "\n"), "membrane: skipped, no probes.csv")
	assert.Contains(t, strings.Join(r.Notes, "\n"), "energy: skipped, no report.json")
	checkPNG(t, r.Files[0], 960, 600)

	// A header-only spikes.csv: skipped with a note, nothing written.
	require.NoError(t, os.WriteFile(filepath.Join(dir, SpikesFile), []byte("step,time_ps,population,neuron\n"), 0o644))
	r, err = RenderWith(dir, filepath.Join(dir, "plots2"), Options{Only: []string{NameRaster}})
	require.NoError(t, err)
	assert.Empty(t, r.Files)
	assert.Equal(t, []string{"raster: skipped, spikes.csv has no spikes (probe a population with record: [spikes])"}, r.Notes)
	_, err = os.Stat(filepath.Join(dir, "plots2"))
	assert.True(t, os.IsNotExist(err), "no output directory when nothing is drawn")

	// An empty directory, a file and a missing path are errors.
	_, err = RenderWith(t.TempDir(), t.TempDir(), Options{})
	assert.ErrorContains(t, err, "has none of report.json")
	_, err = RenderWith(filepath.Join(full, SpikesFile), t.TempDir(), Options{})
	assert.ErrorContains(t, err, "is not a directory")
	_, err = RenderWith(filepath.Join(full, "nope"), t.TempDir(), Options{})
	assert.ErrorContains(t, err, "no such file")
}

func TestRenderMalformed(t *testing.T) {
	full := runNet(t)
	for _, tc := range []struct {
		file, content, want string
	}{
		{SpikesFile, "step,time_ps,population,neuron\n3,100,exc,1\n4,x,exc,2\n", "spikes.csv:3: column time_ps: \"x\" is not an integer"},
		{SpikesFile, "step,time_ps,population,neuron\n3,100,exc\n", "spikes.csv:2:"},
		{ProbesFile, "step,population,neuron,u\n", "probes.csv:1: header \"step,population,neuron,u\" has no column \"v\""},
		{ProbesFile, "step,population,neuron,u,v\n1,inh,-2,0,0\n", "probes.csv:2: column neuron: -2 is out of range"},
		{ReportFile, "{\n  \"schema\": \"tessera.report/v1\",\n  \"steps\": \"many\"\n}\n", "report.json:3:"},
		{ReportFile, "{\n  \"schema\": \"tessera.report/v1\",\n  oops\n}\n", "report.json:3:3: not valid JSON"},
		{ReportFile, "{\"schema\": \"other/v1\"}", "report.json: schema \"other/v1\" is not a tessera report"},
		{WeightsFile, "step,synapse,weight\n1,a,0.5\n2,a,NaN\n", "weights.csv:3: column weight: \"NaN\" is not a finite number"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{ReportFile, SpikesFile, ProbesFile} {
				data, err := os.ReadFile(filepath.Join(full, f))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o644))
			_, err := RenderWith(dir, t.TempDir(), Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, tc.want))
		})
	}

	_, err := RenderWith(full, t.TempDir(), Options{Formats: []string{"gif"}, Only: []string{"histogram"}})
	assert.ErrorContains(t, err, `format "gif": want one of png, svg; plot "histogram": want one of raster, energy`)
}

// The reference sample renders every plot: single-neuron populations, a
// 2×2 mesh of one core per tile, a weights.csv.
func TestRenderSample(t *testing.T) {
	out := t.TempDir()
	r, err := RenderWith(sampleDir, out, Options{Formats: []string{"png", "svg"}})
	require.NoError(t, err)
	assert.Empty(t, r.Notes)
	require.Len(t, r.Files, 2*len(Names))
	for _, f := range r.Files {
		if strings.HasSuffix(f, ".png") {
			checkPNG(t, f, 960, 600)
		} else {
			checkSVG(t, f)
		}
	}
	keep(t, r.Files, "sample-")
}
