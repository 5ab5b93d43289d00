package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/chip/plot"
)

// plotCmd draws the pictures of a run's output directory.
func plotCmd() *cobra.Command {
	var (
		to, xAxis, activity string
		formats, only       []string
		dpi                 int
		width, height       float64
		tileSums            bool
	)
	cmd := &cobra.Command{
		Use:   "plot OUTDIR",
		Short: "Draw pictures of a run (PNG, SVG) from its output directory",
		Long: `Draw pictures of a run from the directory tessera run --out wrote
(report.json, spikes.csv, probes.csv; weights.csv for learning runs):

  raster     spikes by population over time
  energy     energy per core, laid out as the mesh
  activity   spikes (or --activity) per core, laid out as the mesh
  traffic    link utilisation: per link with mesh_model: cycle, else per router
  breakdown  energy by op class
  membrane   u and v of probed neurons over steps
  weights    synaptic weights over a learning run

A plot whose input is missing is skipped with a note. See docs/plots.md for
how to read each picture.

Example:
  tessera run net.yaml --steps 100 --out out/
  tessera plot out/ --format png,svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if to == "" {
				to = filepath.Join(dir, "plots")
			}
			o := plot.Options{Formats: formats, Only: only, DPI: dpi, WidthIn: width, HeightIn: height,
				XAxis: xAxis, Activity: activity, TileSums: tileSums}
			r, err := plot.RenderWith(dir, to, o)
			if err != nil {
				return err
			}
			for _, n := range r.Notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", n)
			}
			if len(r.Files) == 0 {
				return fmt.Errorf("no plot drawn from %s (%s)", dir, strings.Join(r.Notes, "; "))
			}
			for _, f := range r.Files {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", f)
			}
			return nil
		},
	}
	d := plot.DefaultOptions()
	f := cmd.Flags()
	f.StringVar(&to, "to", "", "directory for the pictures (default OUTDIR/plots)")
	f.StringSliceVar(&formats, "format", d.Formats, "picture formats: "+strings.Join(plot.Formats, ", "))
	f.StringSliceVar(&only, "only", nil, "draw only these plots: "+strings.Join(plot.Names, ", ")+" (default all)")
	f.IntVar(&dpi, "dpi", d.DPI, "PNG resolution, dots per inch")
	f.Float64Var(&width, "width", d.WidthIn, "picture width, inches")
	f.Float64Var(&height, "height", d.HeightIn, "picture height, inches")
	f.StringVar(&xAxis, "x", d.XAxis, "raster x axis: time (step × dt, ms) or step")
	f.StringVar(&activity, "activity", d.Activity, "activity heatmap metric: "+strings.Join(plot.ActivityMetrics, ", "))
	f.BoolVar(&tileSums, "tile-sums", false, "heatmaps: one cell per tile (sum over its cores) instead of a cell per core")
	return cmd
}
