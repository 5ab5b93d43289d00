package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/chip/trace"
)

// traceWriter is what both trace formats offer.
type traceWriter interface {
	chip.Tracer
	Close() error
}

func traceCmd() *cobra.Command {
	var (
		presetName, format, out, queue string
		cores, tiles, neurons, kinds   string
		steps, workers, last           int
		seed                           uint64
		fromPS, toPS                   int64
		noEnergy, quiet                bool
		pf                             placeFlags
	)
	cmd := &cobra.Command{
		Use:   "trace IMAGE.tsi|NETWORK.yaml",
		Short: "Run on the emulated chip and write a cycle-accurate trace (VCD or Perfetto)",
		Long: `Run an image (or a network file, compiled on the fly) like "run" does, and
write what the chip did, picosecond by picosecond:

  --format vcd       an IEEE 1364 value change dump for GTKWave: per core
                     busy and op, per router packets and valid, a spike pulse
                     per selected neuron, the step counter and the barrier.
  --format perfetto  Chrome trace-event JSON for ui.perfetto.dev or
                     chrome://tracing: sweeps, synaptic batches, hops, steps
                     and barriers as slices, every packet as a flow from the
                     spike that sent it to the synapses it reached, packets in
                     flight and energy as counters.

The format follows the output's extension (.vcd, .json) unless given.
Filters keep a trace small: a time window (--from-ps, --to-ps), cores,
routers (--tiles), neurons and event kinds. --last N keeps only the last N
events (a flight recorder) and writes them at the end, even when the run
fails. docs/traces.md tells what every signal and track means.`,
		Example: `  tessera trace net.yaml --steps 20 -o net.vcd && gtkwave net.vcd
  tessera trace net.tsi --format perfetto -o net.json --cores 0,3 --kinds sweep,synapses,packets
  tessera trace net.tsi -o tail.vcd --last 100000 --neurons exc:0-9,inh:3`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "vcd"
				if strings.EqualFold(filepath.Ext(out), ".json") {
					format = "perfetto"
				}
			}
			ext := map[string]string{"vcd": ".vcd", "perfetto": ".json"}[format]
			if ext == "" {
				return fmt.Errorf("unknown trace format %q: use vcd or perfetto", format)
			}
			img, err := loadImage(cmd.Context(), args[0], presetName, cmd.Flags().Changed("preset"), &pf)
			if err != nil {
				return err
			}
			layout := trace.LayoutOf(img)
			filter, err := traceFilter(&layout, fromPS, toPS, cores, tiles, neurons, kinds)
			if err != nil {
				return err
			}
			c, err := chip.New(img)
			if err != nil {
				return err
			}
			if out == "" {
				out = strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0])) + ext
			}
			var w io.Writer
			var file *os.File
			report := cmd.OutOrStdout()
			if out == "-" {
				w, report = cmd.OutOrStdout(), cmd.ErrOrStderr()
			} else {
				if file, err = os.Create(out); err != nil {
					return err
				}
				defer file.Close()
				w = file
			}
			var tw traceWriter
			if format == "vcd" {
				tw, err = trace.NewVCD(w, layout, filter)
			} else {
				var costs *preset.Spec
				if !noEnergy {
					costs = &img.Preset
				}
				tw, err = trace.NewPerfetto(w, layout, filter, costs)
			}
			if err != nil {
				return err
			}
			opts := chip.Options{Steps: steps, Seed: seed, Workers: workers, Queue: queue, Tracer: tw}
			var rec *trace.Recorder
			if last > 0 {
				rec = trace.NewRecorder(last)
				opts.Tracer = rec
			}
			if !quiet && isTerminal(cmd.ErrOrStderr()) {
				bar := progressbar.NewOptions(steps, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("steps"), progressbar.OptionClearOnFinish(),
					progressbar.OptionThrottle(100_000_000))
				opts.Progress = func(done, total int) { _ = bar.Set(done) }
				defer bar.Finish()
			}
			res, runErr := c.Run(cmd.Context(), opts)
			if rec != nil {
				rec.Dump(tw)
			}
			err = tw.Close()
			if file != nil {
				err = errors.Join(err, file.Close())
			}
			if err != nil {
				return errors.Join(runErr, err)
			}
			if runErr != nil {
				return fmt.Errorf("%w (the trace of what ran is in %s)", runErr, out)
			}
			what := fmt.Sprintf("%s trace of %d steps", format, steps)
			if rec != nil {
				what = fmt.Sprintf("%s trace of the last %d of %d events", format, rec.Len(), rec.Total())
			}
			fmt.Fprintf(report, "wrote %s: %s, %s of hardware time\n", out, what, chip.FormatPS(res.Report.HardwareTimePS))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&presetName, "preset", "p", preset.Default, presetHelp()+" (network files only)")
	f.StringVar(&format, "format", "", "trace format: vcd or perfetto (default: from the output's extension, else vcd)")
	f.StringVarP(&out, "output", "o", "", `trace file to write, "-" for stdout (default: the input's name with .vcd or .json)`)
	f.IntVarP(&steps, "steps", "n", 10, "timesteps to run")
	f.Uint64Var(&seed, "seed", 1, "run seed (Poisson inputs and every other random draw)")
	f.IntVar(&workers, "workers", 0, "goroutines sweeping cores (0: one per CPU); the trace does not depend on it")
	f.StringVar(&queue, "queue", "calendar", "event queue: calendar or heap")
	f.Int64Var(&fromPS, "from-ps", 0, "trace from this hardware time, in picoseconds")
	f.Int64Var(&toPS, "to-ps", 0, "trace until this hardware time, in picoseconds, exclusive (0: the run's end)")
	f.StringVar(&cores, "cores", "", "global core ids to trace, e.g. 0,3,8-11 (default: all)")
	f.StringVar(&tiles, "tiles", "", "tiles whose routers to trace, as indices x+y·width or x:y, e.g. 0,1:0 (default: all)")
	f.StringVar(&neurons, "neurons", "probed", `neurons whose spikes to trace: "probed" (what spikes.csv records), "all", or e.g. exc:0-9,20,inh:3`)
	f.StringVar(&kinds, "kinds", "all", "event kinds to trace: sweep, synapses, packets, spikes, barrier, all")
	f.IntVar(&last, "last", 0, "flight recorder: keep only the last N events and write them at the end (0: all)")
	f.BoolVar(&noEnergy, "no-energy", false, "perfetto: leave out the energy counter")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	pf.add(cmd)
	return cmd
}

// traceFilter builds a trace filter from the command's flags.
func traceFilter(l *trace.Layout, fromPS, toPS int64, cores, tiles, neurons, kinds string) (trace.Filter, error) {
	f := trace.Filter{FromPS: fromPS, ToPS: toPS}
	var err error
	if strings.TrimSpace(cores) != "" {
		if f.Cores, err = trace.ParseIDs(cores); err != nil {
			return f, fmt.Errorf("--cores: %w", err)
		}
	}
	if strings.TrimSpace(tiles) != "" {
		if f.Tiles, err = trace.ParseTiles(tiles, l); err != nil {
			return f, fmt.Errorf("--tiles: %w", err)
		}
	}
	if f.Neurons, err = trace.ParseNeurons(neurons, l); err != nil {
		return f, fmt.Errorf("--neurons: %w", err)
	}
	if f.Kinds, err = trace.ParseKinds(kinds); err != nil {
		return f, fmt.Errorf("--kinds: %w", err)
	}
	if err := f.Validate(l); err != nil {
		return f, err
	}
	return f, nil
}
