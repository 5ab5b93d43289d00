// Package cli builds the tessera command line: compile, run and inspect.
// It is a library so that tests can drive every command; the main package
// only executes it.
package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/compiler/nir"
	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// NewRoot returns the tessera command, writing results to stdout and
// progress and notes to stderr.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "tessera",
		Short: "Tessera: a discrete-event neuromorphic chip emulator",
		Long: `Tessera compiles a spiking neural network onto an emulated neuromorphic chip
(Intel Loihi-like neurocores on a packet-switched mesh), runs it event by
event with bit-exact integer LIF neurons, and reports what it cost: ops,
hardware time and energy by op class.

Typical use:
  tessera run programs/ei-network/net.yaml --steps 1000 --out out/
  tessera plot out/
  tessera compile net.yaml --preset loihi -o net.tsi
  tessera inspect net.tsi`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(compileCmd(), runCmd(), inspectCmd(), traceCmd(), plotCmd(), nocCmd(), benchCmd(), eventsCmd(), sweepCmd())
	return root
}

func presetHelp() string {
	return fmt.Sprintf("hardware preset: one of %s, or a preset .yaml file", strings.Join(preset.Names(), ", "))
}

// placeFlags are the compile options every command that compiles takes.
type placeFlags struct {
	placement string
	seed      uint64
	rates     string
	dt        string // NIR files: the time step
	pack      bool
	sanafe    string // SANA-FE architecture file: the network is a SANA-FE SNN file
}

// isNetwork says whether path is a network description (compiled on the
// fly) rather than an image.
func isNetwork(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json", ".nir":
		return true
	}
	return false
}

// parseDurationPS reads a duration such as 1ms, 0.5ms or 100us as whole
// picoseconds.
func parseDurationPS(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		name string
		ps   float64
	}{{"ms", 1e9}, {"us", 1e6}, {"µs", 1e6}, {"ns", 1e3}, {"ps", 1}, {"s", 1e12}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.name); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || !(v > 0) || v*u.ps > 9e18 {
				return 0, fmt.Errorf("bad duration %q: want a positive number with a unit, e.g. 1ms", s)
			}
			ps := math.Round(v * u.ps)
			if math.Abs(ps-v*u.ps) > 1e-6*ps {
				return 0, fmt.Errorf("duration %q is not a whole number of picoseconds", s)
			}
			return int64(ps), nil
		}
	}
	return 0, fmt.Errorf("duration %q needs a unit (s, ms, us, ns, ps), e.g. 1ms", s)
}

// quantizationText lists a graph's quantization reports, if any.
func quantizationText(g *graph.Graph) string {
	if len(g.Quantization) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("quantization (floats → integer datapath):")
	for _, q := range g.Quantization {
		fmt.Fprintf(&b, "\n  %-32s %v", q.What, q.Stat)
	}
	return b.String()
}

// compileAny compiles a network file or a NIR graph.
func compileAny(ctx context.Context, path string, spec preset.Spec, pf *placeFlags) (*image.Image, compiler.Stats, string, error) {
	opts, err := pf.options()
	if err != nil {
		return nil, compiler.Stats{}, "", err
	}
	if pf.sanafe != "" {
		arch, archRep, err := sanafe.ReadArch(pf.sanafe)
		if err != nil {
			return nil, compiler.Stats{}, "", err
		}
		g, _, rep, err := sanafe.ReadSNN(path, sanafe.SNNOptions{Arch: &archRep, PartitionAsMapped: true})
		if err != nil {
			return nil, compiler.Stats{}, "", err
		}
		img, st, err := compiler.CompileContext(ctx, g, arch, opts)
		return img, st, archRep.String() + "\n" + rep.String(), err
	}
	if strings.ToLower(filepath.Ext(path)) != ".nir" {
		g, err := netfile.ParseFile(path)
		if err != nil {
			return nil, compiler.Stats{}, "", err
		}
		img, st, err := compiler.CompileContext(ctx, g, spec, opts)
		return img, st, quantizationText(g), err
	}
	if pf.dt == "" {
		return nil, compiler.Stats{}, "", fmt.Errorf("%s: a NIR graph stores no time step: give --dt (e.g. --dt 1ms)", path)
	}
	dtPS, err := parseDurationPS(pf.dt)
	if err != nil {
		return nil, compiler.Stats{}, "", fmt.Errorf("--dt: %w", err)
	}
	g, rep, err := nir.Import(path, nir.Options{DtPS: dtPS})
	if err != nil {
		return nil, compiler.Stats{}, "", err
	}
	img, st, err := compiler.CompileContext(ctx, g, spec, opts)
	return img, st, rep.String(), err
}

func (pf *placeFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&pf.placement, "placement", string(compiler.PlaceAnneal), "placement: anneal, greedy or inorder")
	f.Uint64Var(&pf.seed, "place-seed", 1, "placement seed (annealing)")
	f.StringVar(&pf.rates, "rates", "", "output directory of an earlier run (report.json, spikes.csv): place by its measured spike rates")
	f.BoolVar(&pf.pack, "pack", false, "let small populations share cores (same neuron model, no plastic input)")
	f.StringVar(&pf.dt, "dt", "", "time step for NIR graphs (.nir), e.g. 1ms")
	f.StringVar(&pf.sanafe, "sanafe-arch", "", "SANA-FE architecture file: read the network as a SANA-FE SNN file and use this chip (instead of --preset)")
}

func (pf *placeFlags) options() (compiler.Options, error) {
	opts := compiler.Options{Placement: compiler.Placement(pf.placement), Seed: pf.seed, Pack: pf.pack}
	if pf.rates != "" {
		r, err := chip.ReadRates(pf.rates)
		if err != nil {
			return opts, err
		}
		opts.Rates = r
	}
	return opts, nil
}

func compileCmd() *cobra.Command {
	var presetName, out string
	var pf placeFlags
	var explain bool
	cmd := &cobra.Command{
		Use:   "compile NETWORK.yaml|NETWORK.json|GRAPH.nir",
		Short: "Compile a network file to a chip image (.tsi)",
		Long: `Compile a network file (YAML or JSON, see docs/network-format.md) for a
hardware preset and write the chip image. All errors in the file are
reported at once, each with file:line:col.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := preset.Lookup(presetName)
			if err != nil {
				return err
			}
			img, stats, quant, err := compileAny(cmd.Context(), args[0], spec, &pf)
			if err != nil {
				return err
			}
			if quant != "" {
				fmt.Fprintln(cmd.OutOrStdout(), quant)
			}
			if out == "" {
				out = strings.TrimSuffix(args[0], filepath.Ext(args[0])) + ".tsi"
			}
			if err := image.WriteFile(out, img); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "compiled %s for %s: %s → %s\n", args[0], spec.Name, stats, out)
			if explain {
				return stats.Explain(cmd.OutOrStdout())
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&presetName, "preset", "p", preset.Default, presetHelp())
	cmd.Flags().StringVarP(&out, "output", "o", "", "image file to write (default: the network file with .tsi)")
	cmd.Flags().BoolVar(&explain, "explain", false, "print each compiler stage with its statistics")
	pf.add(cmd)
	return cmd
}

// loadImage reads an image, or compiles a network file on the fly.
func loadImage(ctx context.Context, path, presetName string, presetSet bool, pf *placeFlags) (*image.Image, error) {
	if isNetwork(path) {
		spec, err := preset.Lookup(presetName)
		if err != nil {
			return nil, err
		}
		img, _, _, err := compileAny(ctx, path, spec, pf)
		return img, err
	}
	if presetSet {
		return nil, fmt.Errorf("--preset applies to network files; %s is an image, compiled for its own preset", path)
	}
	return image.ReadFile(path)
}

func runCmd() *cobra.Command {
	var (
		presetName, outDir, queue string
		saveImage                 string
		steps, workers            int
		weightsEvery              int
		seed                      uint64
		quiet                     bool
		pf                        placeFlags
	)
	cmd := &cobra.Command{
		Use:   "run IMAGE.tsi|NETWORK.yaml",
		Short: "Run an image (or a network file, compiled on the fly) on the emulated chip",
		Long: `Run a chip image for a number of timesteps and print a summary: spikes,
hardware time and energy by op class. With --out, also write report.json
(per-core and per-router ops and energy, time per step), spikes.csv and,
when the network has u/v probes, probes.csv.

The same image, seed and inputs always give identical results, whatever
--workers is.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			img, err := loadImage(cmd.Context(), args[0], presetName, cmd.Flags().Changed("preset"), &pf)
			if err != nil {
				return err
			}
			c, err := chip.New(img)
			if err != nil {
				return err
			}
			opts := chip.Options{Steps: steps, Seed: seed, Workers: workers, Queue: queue, WeightsEvery: weightsEvery}
			if !quiet && isTerminal(cmd.ErrOrStderr()) {
				bar := progressbar.NewOptions(steps, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("steps"), progressbar.OptionClearOnFinish(),
					progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("steps"),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100_000_000))
				opts.Progress = func(done, total int) { _ = bar.Set(done) }
				defer bar.Finish()
			}
			res, err := c.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if outDir != "" {
				if err := writeOutputs(outDir, res); err != nil {
					return err
				}
			}
			if saveImage != "" {
				if err := image.WriteFile(saveImage, c.LearnedImage()); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "saved the learned chip image to %s\n", saveImage)
			}
			if err := res.Summary(cmd.OutOrStdout()); err != nil {
				return err
			}
			if outDir != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", outDir)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&presetName, "preset", "p", preset.Default, presetHelp()+" (network files only)")
	f.IntVarP(&steps, "steps", "n", 100, "timesteps to run")
	f.Uint64Var(&seed, "seed", 1, "run seed (Poisson inputs and every other random draw)")
	f.IntVar(&workers, "workers", 0, "goroutines sweeping cores (0: one per CPU); results do not depend on it")
	f.StringVar(&queue, "queue", "calendar", "event queue: calendar or heap")
	f.StringVarP(&outDir, "out", "o", "", "directory for report.json, spikes.csv and probes.csv")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	f.IntVar(&weightsEvery, "weights-every", 0, "sample plastic weights every N steps into weights.csv (the final weights are always written)")
	f.StringVar(&saveImage, "save-image", "", "write the chip image with the weights learned in this run (reload it with tessera run)")
	pf.add(cmd)
	return cmd
}

func writeOutputs(dir string, res *chip.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write("report.json", res.WriteReport); err != nil {
		return err
	}
	if err := write("spikes.csv", res.WriteSpikesCSV); err != nil {
		return err
	}
	if len(res.Probes) > 0 {
		if err := write("probes.csv", res.WriteProbesCSV); err != nil {
			return err
		}
	}
	if len(res.Weights) > 0 {
		return write("weights.csv", func(w io.Writer) error { return chip.WriteWeightsCSV(w, res.Weights) })
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func inspectCmd() *cobra.Command {
	var maxRows int
	cmd := &cobra.Command{
		Use:   "inspect IMAGE.tsi",
		Short: "Print a chip image as readable text",
		Long: `Check a chip image (magic, version, checksum, consistency) and print it:
header, preset, each core's neurons, synapses and routes, inputs,
populations and probes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			img, err := image.ReadFile(args[0])
			if err != nil {
				return err
			}
			return image.DisassembleWith(cmd.OutOrStdout(), img, image.DisassembleOptions{MaxRows: maxRows})
		},
	}
	cmd.Flags().IntVar(&maxRows, "max-rows", 64, "rows per table (0: all)")
	return cmd
}
