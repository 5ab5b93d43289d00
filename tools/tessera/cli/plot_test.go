package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runWithPlot executes tessera with args, the plot command registered, and
// returns stdout and stderr.
func runWithPlot(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	if c, _, err := root.Find([]string{"plot"}); err != nil || c == root {
		root.AddCommand(plotCmd())
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestPlot(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "out")
	_, _, err := runWithPlot(t, "run", twoPop, "--preset", "small", "--steps", "8", "--out", res, "-q")
	require.NoError(t, err)

	// Every plot by default, into OUTDIR/plots; weights.csv is missing.
	out, errOut, err := runWithPlot(t, "plot", res)
	require.NoError(t, err)
	for _, name := range []string{"raster", "energy", "activity", "traffic", "breakdown", "membrane"} {
		path := filepath.Join(res, "plots", name+".png")
		assert.Contains(t, out, "wrote "+path)
		f, err := os.Open(path)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, path)
		assert.Equal(t, 960, img.Bounds().Dx(), path)
		assert.Equal(t, 600, img.Bounds().Dy(), path)
	}
	assert.Contains(t, errOut, "note: weights: skipped, no weights.csv")

	// A chosen few, both formats, elsewhere, at another size.
	plots := filepath.Join(dir, "pictures")
	out, _, err = runWithPlot(t, "plot", res, "--to", plots, "--format", "png,svg", "--only", "raster,breakdown",
		"--dpi", "100", "--width", "6", "--height", "4", "--x", "step")
	require.NoError(t, err)
	assert.Equal(t, 4, strings.Count(out, "wrote "))
	for _, f := range []string{"raster.png", "raster.svg", "breakdown.png", "breakdown.svg"} {
		_, err := os.Stat(filepath.Join(plots, f))
		assert.NoError(t, err, f)
	}
	f, err := os.Open(filepath.Join(plots, "raster.png"))
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(f)
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, [2]int{600, 400}, [2]int{cfg.Width, cfg.Height})

	// Nothing to draw is an error that says why.
	_, _, err = runWithPlot(t, "plot", res, "--only", "weights")
	assert.ErrorContains(t, err, "no plot drawn from "+res+" (weights: skipped, no weights.csv")

	_, _, err = runWithPlot(t, "plot", res, "--format", "gif")
	assert.ErrorContains(t, err, `format "gif": want one of png, svg`)
	_, _, err = runWithPlot(t, "plot", res, "--only", "histogram")
	assert.ErrorContains(t, err, `plot "histogram": want one of raster, energy, activity`)
	_, _, err = runWithPlot(t, "plot", filepath.Join(dir, "nope"))
	assert.ErrorContains(t, err, "no such file")
	require.NoError(t, os.WriteFile(filepath.Join(res, "spikes.csv"), []byte("step,time_ps,population,neuron\n1,0,a,x\n"), 0o644))
	_, _, err = runWithPlot(t, "plot", res)
	assert.ErrorContains(t, err, filepath.Join(res, "spikes.csv")+`:2: column neuron: "x" is not an integer`)
}

// A run on the cycle-accurate mesh has per-link counters: traffic draws
// the per-link map.
func TestPlotPerLink(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "small-cycle.yaml")
	require.NoError(t, os.WriteFile(spec, []byte("base: small\nname: small-cycle\nmesh_model: cycle\n"), 0o644))
	res := filepath.Join(dir, "out")
	_, _, err := runWithPlot(t, "run", twoPop, "--preset", spec, "--steps", "8", "--out", res, "-q")
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(res, "report.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"links": [`)
	require.Contains(t, string(data), `"mesh_cycle_ps": `)

	out, errOut, err := runWithPlot(t, "plot", res, "--only", "traffic", "--format", "png,svg")
	require.NoError(t, err)
	assert.Empty(t, errOut)
	pngPath, svgPath := filepath.Join(res, "plots", "traffic.png"), filepath.Join(res, "plots", "traffic.svg")
	assert.Equal(t, "wrote "+pngPath+"\nwrote "+svgPath+"\n", out)
	f, err := os.Open(pngPath)
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(f)
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, [2]int{960, 600}, [2]int{cfg.Width, cfg.Height})
	svg, err := os.ReadFile(svgPath)
	require.NoError(t, err)
	assert.Contains(t, string(svg), "Router traffic per link: two-pop on small-cycle, 8 steps")
	assert.Contains(t, string(svg), "Busiest link: tile (0, 0) east")
}
