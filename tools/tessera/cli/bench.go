package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/bench"
)

// benchCmd is `tessera bench`: the headline speed benchmarks of the
// `go test -bench` suite, run in-process from the binary (package bench).
func benchCmd() *cobra.Command {
	var (
		only     string
		perBench time.Duration
		jsonOut  string
		quiet    bool
		cpuProf  string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the emulator's speed: core, event queue, mesh and whole-chip benchmarks",
		Long: `Run the speed benchmarks of the source tree's go test -bench suite in this
process and print a table of domain metrics:

  core   synaptic events/s (fan-out 80 and 4096) and neuron updates/s, 4096-neuron core
  sched  hold model with 10^5 pending events: ns/event of the calendar queue, the
         binary heap and container/heap, and the calendar's speed-up
  mesh   flit-hops/s of the cycle-accurate 8×8 mesh, uniform traffic at half
         saturation, 1- and 4-flit packets
  chip   syn-events/s, packets/s and steps/s of a random 1800-neuron network on loihi

--time is the timed part of each benchmark, split among its measurements;
setup comes on top. The numbers are wall-clock rates and noisy on a shared
machine: compare figures from one run. See docs/bench.md.

--cpuprofile writes a CPU profile of the benchmarks (go tool pprof); the
profile of a whole run is what tools/tessera/default.pgo is made from.`,
		Example: `  tessera bench
  tessera bench --only core,mesh --time 2s --json bench.json
  tessera bench --time 2s --cpuprofile tools/tessera/default.pgo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if perBench <= 0 {
				return fmt.Errorf("--time must be > 0 (e.g. --time 1s), got %v", perBench)
			}
			spec := bench.Spec{Time: perBench}
			if only != "" {
				for _, name := range strings.Split(only, ",") {
					spec.Only = append(spec.Only, strings.TrimSpace(name))
				}
			}
			if err := spec.Validate(); err != nil {
				return fmt.Errorf("--only: %w", err)
			}
			var progress func(string)
			done := func() {}
			if !quiet && isTerminal(cmd.ErrOrStderr()) {
				total := 0
				for _, name := range bench.Names() {
					if len(spec.Only) == 0 || slices.Contains(spec.Only, name) {
						total++
					}
				}
				bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("bench"), progressbar.OptionClearOnFinish(),
					progressbar.OptionShowCount())
				started := 0
				progress = func(name string) {
					bar.Describe("bench " + name)
					if started > 0 {
						_ = bar.Add(1) // the one before it is done
					}
					started++
				}
				done = func() { _ = bar.Finish() } // clears the bar before the table is printed
			}
			stopProfile := func() error { return nil }
			if cpuProf != "" {
				pf, err := os.Create(cpuProf)
				if err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				if err := pprof.StartCPUProfile(pf); err != nil {
					pf.Close()
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				stopped := false
				stopProfile = func() error {
					if stopped {
						return nil
					}
					stopped = true
					pprof.StopCPUProfile()
					if err := pf.Close(); err != nil {
						return fmt.Errorf("--cpuprofile: %w", err)
					}
					return nil
				}
				defer stopProfile() // on the error paths too
			}
			res, err := bench.Run(cmd.Context(), spec, progress)
			done()
			if perr := stopProfile(); perr != nil && err == nil {
				err = perr
			}
			if len(res) > 0 {
				if werr := writeBenchTable(cmd.OutOrStdout(), res); werr != nil && err == nil {
					err = werr
				}
			}
			if err != nil {
				return err
			}
			if jsonOut != "" {
				if err := writeBenchJSON(jsonOut, perBench, res); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", jsonOut)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&only, "only", "", "benchmarks to run, comma separated: "+strings.Join(bench.Names(), ", ")+" (default all)")
	f.DurationVar(&perBench, "time", bench.DefaultSpec().Time, "timed part of each benchmark, e.g. 500ms or 2s")
	f.StringVar(&jsonOut, "json", "", "also write the results to this JSON file")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	f.StringVar(&cpuProf, "cpuprofile", "", "write a CPU profile of the benchmarks to this file")
	return cmd
}

// writeBenchTable prints results as an aligned table: benchmark, metric,
// value with an SI prefix (right-aligned), unit.
func writeBenchTable(w io.Writer, res []bench.Result) error {
	rows := [][4]string{{"benchmark", "metric", "value", "unit"}}
	for _, r := range res {
		for _, m := range r.Metrics {
			rows = append(rows, [4]string{r.Name, m.Name, siValue(m.Value), m.Unit})
		}
	}
	var width [4]int
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		_, err := fmt.Fprintf(w, "%-*s  %-*s  %*s  %s\n", width[0], row[0], width[1], row[1], width[2], row[2], row[3])
		if err != nil {
			return err
		}
	}
	return nil
}

// siValue formats v with three significant digits and, from 1000 up, an SI
// prefix: 1.23e8 → "123 M", 45.6 → "45.6".
func siValue(v float64) string {
	prefix := ""
	for _, p := range []string{"k", "M", "G", "T", "P"} {
		if math.Abs(v) < 999.5 {
			break
		}
		v /= 1000
		prefix = p
	}
	var s string
	switch a := math.Abs(v); {
	case a >= 99.95 || a == 0:
		s = fmt.Sprintf("%.0f", v)
	case a >= 9.995:
		s = fmt.Sprintf("%.1f", v)
	case a >= 0.9995:
		s = fmt.Sprintf("%.2f", v)
	default:
		s = fmt.Sprintf("%.3g", v)
	}
	if prefix != "" {
		s += " " + prefix
	}
	return s
}

// benchJSON is the file --json writes: the results with what they were
// measured on.
type benchJSON struct {
	TimePerBenchmark string         `json:"time_per_benchmark"`
	GoVersion        string         `json:"go_version"`
	OS               string         `json:"os"`
	Arch             string         `json:"arch"`
	CPUs             int            `json:"cpus"`
	GOMAXPROCS       int            `json:"gomaxprocs"`
	Results          []bench.Result `json:"results"`
}

func writeBenchJSON(path string, perBench time.Duration, res []bench.Result) error {
	data, err := json.MarshalIndent(benchJSON{
		TimePerBenchmark: perBench.String(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Results: res,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	return nil
}
