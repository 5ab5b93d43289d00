// Package bench runs the project's headline speed benchmarks in-process, so
// that the numbers the `go test -bench` benchmarks next to the code report
// can be reproduced from the tessera binary (`tessera bench`), without the
// source tree's test setup. It owns the four measurements and their timing
// loop, not what is measured: each reuses the setup of its `_test.go`
// counterpart.
//
//   - core: synaptic events/s (fan-out 80 and dense) and neuron updates/s
//     (every neuron active) on a 4096-neuron core (core/bench_test.go).
//   - sched: the hold model with 10⁵ pending events, ns/event for the
//     Calendar queue, the Heap queue and the standard library's
//     container/heap, and the Calendar's speed-up over container/heap
//     (chip/sched/bench_test.go).
//   - mesh: flit-hops/s of the cycle-accurate 8×8 mesh under uniform traffic
//     at half its saturation load, 1-flit and 4-flit packets
//     (mesh/noc/bench_test.go).
//   - chip: syn-events/s, packets/s and steps/s of the determinism test's
//     random network compiled for the loihi preset, run end to end
//     (chip/bench_test.go). The network file is embedded.
//
// The numbers are wall-clock rates measured on the calling goroutine (the
// chip benchmark's run sweeps cores on its own worker goroutines, as a real
// run does); setup and warm-up are not timed. They are noisy on a shared
// machine — another process, frequency scaling or a garbage collection
// moves them by tens of percent — so compare numbers side by side from one
// run (the sched benchmark interleaves its three queues for that reason),
// never across runs or machines.
//
//	res, err := bench.Run(ctx, bench.Spec{Time: time.Second, Only: []string{"mesh"}}, nil)
//
// The library never prints; the CLI formats the results.
package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Result is the outcome of one benchmark.
type Result struct {
	Name    string   `json:"name"` // one of Names()
	Metrics []Metric `json:"metrics"`
}

// Metric is one measured figure, such as 1.2e8 syn-events/s.
type Metric struct {
	Name  string  `json:"name"`  // what was measured, e.g. "receive, fan-out 80"
	Value float64 `json:"value"` // in Unit, no prefix
	Unit  string  `json:"unit"`  // e.g. "syn-events/s", "ns/event", "×"
}

// Spec says which benchmarks to run and for how long.
type Spec struct {
	// Time is the measured (timed) time of each benchmark, split evenly
	// among its measurements: with 1 s, core times each of its three
	// measurements for about 1/3 s. Untimed setup and warm-up come on top.
	Time time.Duration
	// Only names the benchmarks to run (see Names); empty runs all. They run
	// in the order of Names whatever the order here; duplicates count once.
	Only []string
}

// DefaultSpec runs every benchmark for about a second.
func DefaultSpec() Spec { return Spec{Time: time.Second} }

// benchmark is one named measurement.
type benchmark struct {
	name string
	run  func(ctx context.Context, d time.Duration) ([]Metric, error)
}

var benchmarks = []benchmark{
	{"core", runCore},
	{"sched", runSched},
	{"mesh", runMesh},
	{"chip", runChip},
}

// Names lists the benchmarks in the order Run runs them.
func Names() []string {
	names := make([]string, len(benchmarks))
	for i, b := range benchmarks {
		names[i] = b.name
	}
	return names
}

// Validate reports every problem of the spec: a time that is not positive,
// and each unknown benchmark name (with the valid ones).
func (s Spec) Validate() error {
	var errs []error
	if s.Time <= 0 {
		errs = append(errs, fmt.Errorf("bench: time per benchmark must be > 0, got %v", s.Time))
	}
	for _, name := range s.Only {
		if !slices.Contains(Names(), name) {
			errs = append(errs, fmt.Errorf("bench: unknown benchmark %q: valid names are %s", name, strings.Join(Names(), ", ")))
		}
	}
	return errors.Join(errs...)
}

// Run runs the benchmarks of spec one after the other and returns their
// results in the order of Names. progress, if not nil, is called with a
// benchmark's name as it starts. On an error, or when ctx is done, Run stops
// and returns the results so far with the error (ctx's error wrapped).
func Run(ctx context.Context, spec Spec, progress func(name string)) ([]Result, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	var out []Result
	for _, b := range benchmarks {
		if len(spec.Only) > 0 && !slices.Contains(spec.Only, b.name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("bench: %s: %w", b.name, err)
		}
		if progress != nil {
			progress(b.name)
		}
		ms, err := b.run(ctx, spec.Time)
		if err != nil {
			return out, fmt.Errorf("bench: %s: %w", b.name, err)
		}
		out = append(out, Result{Name: b.name, Metrics: ms})
	}
	return out, nil
}

// maxBatch bounds the time of one batch of a meter, so that ctx is looked
// at about this often.
const maxBatch = 50 * time.Millisecond

// meter times a repeated op in batches. Only the time inside op counts.
// The batch size adapts to the rate seen so far, like the testing package's
// b.N, so that reading the clock is a negligible part of the time.
type meter struct {
	ops     int64         // ops done in all calls of run
	elapsed time.Duration // time they took
	n       int64         // size of the next batch
}

// run calls op(n), with n ops per batch, until about d more has been timed
// (it stops early when less than half an op's time is left) or ctx is done.
func (m *meter) run(ctx context.Context, d time.Duration, op func(n int64) error) error {
	m.n = max(m.n, 1)
	var spent time.Duration
	for spent < d {
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		if err := op(m.n); err != nil {
			return err
		}
		dt := time.Since(t0)
		spent += dt
		m.elapsed += dt
		m.ops += m.n
		perOp := float64(max(m.elapsed, 1)) / float64(m.ops) // ns
		want := min(float64(d-spent)/perOp, float64(maxBatch)/perOp, 10*float64(m.n))
		if want < 0.5 {
			break
		}
		m.n = max(int64(want), 1)
	}
	return nil
}

// perSecond is the rate of ops times perOp (e.g. synapses per spike).
func (m *meter) perSecond(perOp float64) float64 {
	return float64(m.ops) * perOp / m.elapsed.Seconds()
}
