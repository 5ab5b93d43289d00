// Package cli builds the tessera command line: compile, run and inspect.
// It is a library so that tests can drive every command; the main package
// only executes it.
package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/image"
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
  tessera run programs/two-populations/net.yaml --steps 100 --out out/
  tessera compile net.yaml --preset loihi -o net.tsi
  tessera inspect net.tsi`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(compileCmd(), runCmd(), inspectCmd())
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
}

func (pf *placeFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&pf.placement, "placement", string(compiler.PlaceAnneal), "placement: anneal, greedy or inorder")
	f.Uint64Var(&pf.seed, "place-seed", 1, "placement seed (annealing)")
	f.StringVar(&pf.rates, "rates", "", "output directory of an earlier run (report.json, spikes.csv): place by its measured spike rates")
}

func (pf *placeFlags) options() (compiler.Options, error) {
	opts := compiler.Options{Placement: compiler.Placement(pf.placement), Seed: pf.seed}
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
		Use:   "compile NETWORK.yaml|NETWORK.json",
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
			opts, err := pf.options()
			if err != nil {
				return err
			}
			img, stats, err := compiler.CompileFileWith(args[0], spec, opts)
			if err != nil {
				return err
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
func loadImage(path, presetName string, presetSet bool, pf *placeFlags) (*image.Image, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		spec, err := preset.Lookup(presetName)
		if err != nil {
			return nil, err
		}
		opts, err := pf.options()
		if err != nil {
			return nil, err
		}
		img, _, err := compiler.CompileFileWith(path, spec, opts)
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
		steps, workers            int
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
			img, err := loadImage(args[0], presetName, cmd.Flags().Changed("preset"), &pf)
			if err != nil {
				return err
			}
			c, err := chip.New(img)
			if err != nil {
				return err
			}
			opts := chip.Options{Steps: steps, Seed: seed, Workers: workers, Queue: queue}
			if !quiet && isTerminal(cmd.ErrOrStderr()) {
				bar := progressbar.NewOptions(steps, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("steps"), progressbar.OptionClearOnFinish(),
					progressbar.OptionThrottle(100_000_000))
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
		return write("probes.csv", res.WriteProbesCSV)
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
