package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/tools/sweep"
)

// sweepFlags are tessera sweep's options.
type sweepFlags struct {
	presetName, out string
	sets            []string
	steps, jobs     int
	spikes, quiet   bool
	slurm           bool
	arrayLimit      int
	tessera         string
	task            int
	collect         bool
	placement, dt   string
	placeSeed       uint64
	pack            bool
}

// shownRows is how many rows of sweep.csv the command prints.
const shownRows = 10

func sweepCmd() *cobra.Command {
	var sf sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep NETWORK --steps N --out DIR --set KEY=V1,V2,... [--set ...]",
		Short: "Run a network over a grid of seeds, preset fields and network parameters (locally, or as a Slurm job array)",
		Long: `Run one network over every combination of the values given with --set, and
write one row per configuration to DIR/sweep.csv: the values, then spikes,
input spikes, synaptic ops, packets, hops, energy (total, dynamic, static,
in fJ), hardware time (ps) and energy per synaptic op (pJ). Each run also
writes DIR/runs/NNNN/report.json (and spikes.csv with --spikes);
DIR/sweep.json records the sweep.

Keys (docs/sweep.md):
  seed           the run seed (1 when not swept)
  preset.PATH    a preset file field: preset.core.syn_op.energy_fj,
                 preset.mesh.width, preset.mesh_model, preset.base
  net.PATH       a node of a YAML network file: mapping keys, list items
                 by name or index: net.inputs.stim.poisson.rate_hz,
                 net.populations.exc.neuron.vth, net.projections.0.weight

Values are separated by commas and read as YAML, as in the file; FROM..TO
or FROM..TO:STEP is a range. Configurations are numbered from 0, the first
--set varying slowest. Runs go --jobs at a time (default: one per CPU),
each on one goroutine; sweep.csv is the same whatever --jobs is.

With --slurm, write DIR/sweep.sbatch instead of running: a Slurm job array
whose task I runs this sweep with --task I (configuration I alone). Submit
it with sbatch; when every task has finished, tessera sweep --collect DIR
gathers their rows into sweep.csv.

Examples:
  # Input rate × seed on the balanced E/I network
  tessera sweep programs/ei-network/net.yaml --steps 200 --out rate/ \
      --set net.inputs.drive.poisson.rate_hz=10..40:10 --set seed=1,2

  # Architecture: neurons per core, and the mesh model
  tessera sweep net.yaml --steps 100 --out arch/ \
      --set preset.core.max_neurons=256,1024 --set preset.mesh_model=hop,cycle

  # The same on a cluster, at most 50 tasks at a time
  tessera sweep net.yaml --steps 1000 --out /scratch/arch --slurm --array-limit 50 \
      --set preset.core.syn_op.energy_fj=11800,23600,47200 --set seed=1..20
  sbatch /scratch/arch/sweep.sbatch
  tessera sweep --collect /scratch/arch`,
		Args: func(cmd *cobra.Command, args []string) error {
			if sf.collect {
				return cobra.MaximumNArgs(1)(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.collect {
				return sf.runCollect(cmd, args)
			}
			return sf.run(cmd, args[0])
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&sf.sets, "set", nil, "a swept parameter: KEY=V1,V2,... or KEY=FROM..TO:STEP (repeat for more)")
	f.IntVarP(&sf.steps, "steps", "n", 100, "timesteps of every run")
	f.StringVarP(&sf.out, "out", "o", "", "directory for sweep.csv, sweep.json and runs/ (required)")
	f.StringVarP(&sf.presetName, "preset", "p", preset.Default, presetHelp())
	f.IntVarP(&sf.jobs, "jobs", "j", 0, "configurations run at once (0: one per CPU); results do not depend on it")
	f.BoolVar(&sf.spikes, "spikes", false, "also write each run's spikes.csv")
	f.BoolVarP(&sf.quiet, "quiet", "q", false, "no progress bar")
	f.BoolVar(&sf.slurm, "slurm", false, "write DIR/sweep.sbatch, a Slurm job array of the configurations, instead of running them")
	f.IntVar(&sf.arrayLimit, "array-limit", 0, "with --slurm: at most this many tasks at once (0: no limit)")
	f.StringVar(&sf.tessera, "tessera", "", "with --slurm: the tessera binary the tasks run (default: this one)")
	f.IntVar(&sf.task, "task", 0, "run configuration I alone (a Slurm array task): DIR/runs/NNNN/report.json and row.csv")
	f.BoolVar(&sf.collect, "collect", false, "gather the rows of a Slurm sweep's finished tasks into DIR/sweep.csv: tessera sweep --collect DIR")
	f.StringVar(&sf.placement, "placement", string(compiler.PlaceAnneal), "placement: anneal, greedy or inorder")
	f.Uint64Var(&sf.placeSeed, "place-seed", 1, "placement seed (annealing)")
	f.BoolVar(&sf.pack, "pack", false, "let small populations share cores")
	f.StringVar(&sf.dt, "dt", "", "time step for NIR graphs (.nir), e.g. 1ms")
	return cmd
}

// config turns the flags into a sweep configuration.
func (sf *sweepFlags) config(network string) (sweep.Config, error) {
	cfg := sweep.Config{Network: network, Preset: sf.presetName, Steps: sf.steps, Out: sf.out, Jobs: sf.jobs,
		Spikes: sf.spikes, Placement: compiler.Placement(sf.placement), PlaceSeed: sf.placeSeed, Pack: sf.pack}
	if sf.out == "" {
		return cfg, errors.New("sweep: give the output directory: --out DIR")
	}
	if sf.jobs < 0 {
		return cfg, fmt.Errorf("sweep: --jobs must be ≥ 0, got %d", sf.jobs)
	}
	for _, s := range sf.sets {
		p, err := sweep.ParseSet(s)
		if err != nil {
			return cfg, fmt.Errorf("sweep: %w", err)
		}
		cfg.Grid = append(cfg.Grid, p)
	}
	if sf.dt != "" {
		dt, err := parseDurationPS(sf.dt)
		if err != nil {
			return cfg, fmt.Errorf("sweep: --dt: %w", err)
		}
		cfg.DtPS = dt
	}
	return cfg, nil
}

func (sf *sweepFlags) run(cmd *cobra.Command, network string) error {
	fl := cmd.Flags()
	taskSet := fl.Changed("task")
	if !sf.slurm {
		for _, name := range []string{"array-limit", "tessera"} {
			if fl.Changed(name) {
				return fmt.Errorf("sweep: --%s shapes the Slurm script; give --slurm too", name)
			}
		}
	} else if taskSet {
		return errors.New("sweep: --slurm writes the job array whose tasks run --task; give one or the other")
	}
	cfg, err := sf.config(network)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if taskSet {
		s, err := sweep.New(cfg)
		if err != nil {
			return err
		}
		if _, err := s.RunTask(cmd.Context(), sf.task); err != nil {
			return err
		}
		fmt.Fprintf(out, "run %d of %d: wrote %s\n", sf.task, s.Runs(), s.RunDir(sf.task))
		return nil
	}
	if sf.slurm {
		return sf.writeSlurm(cmd, cfg)
	}
	var bar *progressbar.ProgressBar
	if !sf.quiet && isTerminal(cmd.ErrOrStderr()) {
		cfg.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("runs"), progressbar.OptionClearOnFinish(),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(100_000_000))
			}
			_ = bar.Set(done)
		}
	}
	s, err := sweep.New(cfg)
	if err != nil {
		return err
	}
	rows, err := s.Run(cmd.Context())
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	writeSweepTable(out, cfg.Grid, rows)
	fmt.Fprintf(out, "wrote %s (%d runs)\n", filepath.Join(sf.out, sweep.SummaryFile), len(rows))
	return nil
}

func (sf *sweepFlags) writeSlurm(cmd *cobra.Command, cfg sweep.Config) error {
	s, err := sweep.New(cfg)
	if err != nil {
		return err
	}
	bin := sf.tessera
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("sweep: cannot tell where this tessera binary is (%w): give --tessera PATH", err)
		}
		// go run builds into a temporary directory that is gone when it
		// exits, long before the tasks start.
		if strings.Contains(bin, "go-build") {
			fmt.Fprintf(cmd.ErrOrStderr(), "note: %s is a temporary go run build; build tessera (go build -o tessera ./tools/tessera) and give --tessera PATH\n", bin)
		}
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return fmt.Errorf("sweep: --tessera: %w", err)
	}
	script, err := s.WriteSlurm(sweep.SlurmOptions{Tessera: bin, ArrayLimit: sf.arrayLimit})
	if err != nil {
		return err
	}
	dir := s.Config().Out
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: a job array of %d tasks\n  submit:  sbatch %s\n  then:    %s sweep --collect %s\n",
		script, s.Runs(), script, bin, dir)
	return nil
}

func (sf *sweepFlags) runCollect(cmd *cobra.Command, args []string) error {
	dir := sf.out
	if len(args) == 1 {
		if dir != "" && dir != args[0] {
			return fmt.Errorf("sweep: --collect %s and --out %s name two directories; give one", args[0], dir)
		}
		dir = args[0]
	}
	if dir == "" {
		return errors.New("sweep: --collect needs the sweep's directory: tessera sweep --collect DIR")
	}
	for _, name := range []string{"set", "steps", "preset", "slurm", "task", "jobs", "spikes", "placement", "place-seed", "pack", "dt"} {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("sweep: --collect reads the sweep from %s; --%s does not apply", filepath.Join(dir, sweep.ManifestFile), name)
		}
	}
	rows, err := sweep.Collect(dir)
	if err != nil {
		return err
	}
	m, err := sweep.ReadManifest(dir)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	writeSweepTable(out, m.Grid, rows)
	fmt.Fprintf(out, "wrote %s (%d runs)\n", filepath.Join(dir, sweep.SummaryFile), len(rows))
	return nil
}

// writeSweepTable prints the first rows of a sweep for a reader: the
// values, then the headline figures in readable units (sweep.csv has them
// all, exact).
func writeSweepTable(w io.Writer, g sweep.Grid, rows []sweep.Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"run"}
	for _, p := range g {
		head = append(head, p.Key)
	}
	head = append(head, "spikes", "syn_ops", "energy", "hardware time", "pJ/syn-op")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows[:min(len(rows), shownRows)] {
		cells := append([]string{strconv.Itoa(r.Run)}, r.Values...)
		pj := "-"
		if v, ok := r.Metrics.PJPerSynOp(); ok {
			pj = strconv.FormatFloat(v, 'f', 2, 64)
		}
		cells = append(cells, strconv.FormatUint(r.Metrics.Spikes, 10), strconv.FormatUint(r.Metrics.SynOps, 10),
			chip.FormatFJ(r.Metrics.TotalFJ), chip.FormatPS(r.Metrics.HardwareTimePS), pj)
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	_ = tw.Flush()
	if len(rows) > shownRows {
		fmt.Fprintf(w, "… %d more runs\n", len(rows)-shownRows)
	}
}
