//go:build nocsweep

package noc

// The full validation sweep, kept out of plain `go test` (it takes tens of
// minutes). Run it with
//
//	go test -tags nocsweep -run TestNocSweep -timeout 0 -v ./mesh/noc \
//	    -args -noc.out /tmp/nocsweep -noc.seeds 1,2,3
//
// It writes results.csv (one row per run, noc-validation.md's columns),
// summary.csv (zero-load latency and saturation throughput per point and
// seed) and tables.md (the summary as Markdown tables), and prints progress
// on stderr. The committed copy is testdata/sweep (docs/noc-validation.md).

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	sweepOut     = flag.String("noc.out", "", "directory for results.csv, summary.csv and tables.md (required)")
	sweepRouters = flag.String("noc.routers", "iq_default,iq_min", "routers to sweep")
	sweepK       = flag.String("noc.k", "4,8", "mesh sizes to sweep")
	sweepSeeds   = flag.String("noc.seeds", "1", "seeds, comma-separated")
)

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil {
			out = append(out, v)
		}
	}
	return out
}

func TestNocSweep(t *testing.T) {
	if *sweepOut == "" {
		t.Fatal("give -noc.out DIR (after -args)")
	}
	if err := os.MkdirAll(*sweepOut, 0o755); err != nil {
		t.Fatal(err)
	}
	ks := map[int]bool{}
	for _, k := range ints(*sweepK) {
		ks[k] = true
	}
	sc := SweepConfig{}
	for _, p := range StandardPoints(strings.Split(*sweepRouters, ",")...) {
		if ks[p.K] {
			sc.Points = append(sc.Points, p)
		}
	}
	for _, s := range ints(*sweepSeeds) {
		sc.Seeds = append(sc.Seeds, uint64(s))
	}
	start := time.Now()
	rows, sums, err := Sweep(context.Background(), sc, func(p Progress) {
		if p.Point.K == 0 {
			return
		}
		r := p.Last
		fmt.Fprintf(os.Stderr, "[%3d/%d %6.0fs] %s λ=%-8g lat=%8.2f acc=%.4f sat=%v\n", p.Done+1, p.Total,
			time.Since(start).Seconds(), p.Point, r.Config.Rate, r.AvgPacketLatency, r.Accepted, r.Saturated)
	})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, fn func(f *os.File) error) {
		f, err := os.Create(filepath.Join(*sweepOut, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := fn(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write("results.csv", func(f *os.File) error { return WriteCSV(f, rows) })
	write("summary.csv", func(f *os.File) error { return WriteSummaryCSV(f, sums) })
	write("tables.md", func(f *os.File) error { _, err := f.WriteString(markdown(sums)); return err })
	t.Logf("%d runs, %d points in %v", len(rows), len(sums), time.Since(start).Round(time.Second))
}

// markdown renders summaries as one table per router: a row per (k,
// traffic, packet size), zero-load latency (measured, mean over VC counts
// and seeds; analytic) and the saturation throughput per VC count (mean
// and range over seeds).
func markdown(sums []Summary) string {
	type key struct {
		router  string
		k       int
		traffic string
		size    int
	}
	type cell struct{ sat []float64 }
	zll := map[key][]float64{}
	ana := map[key]float64{}
	bound := map[key]float64{}
	sat := map[key]map[int]*cell{}
	var keys []key
	for _, s := range sums {
		p := s.Point
		k := key{p.Router, p.K, p.Traffic, p.PacketSize}
		if _, ok := sat[k]; !ok {
			sat[k] = map[int]*cell{}
			keys = append(keys, k)
		}
		zll[k] = append(zll[k], s.ZeroLoadLatency)
		ana[k], bound[k] = s.ZeroLoadAnalytic, s.ChannelBound
		c := sat[k][p.VCs]
		if c == nil {
			c = &cell{}
			sat[k][p.VCs] = c
		}
		c.sat = append(c.sat, s.SaturationThroughput)
	}
	order := map[string]int{Uniform: 0, Transpose: 1, Bitcomp: 2, Hotspot: 3}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.router != b.router {
			return a.router < b.router
		}
		if a.k != b.k {
			return a.k < b.k
		}
		if a.traffic != b.traffic {
			return order[a.traffic] < order[b.traffic]
		}
		return a.size < b.size
	})
	mean := func(v []float64) (m, lo, hi float64) {
		lo, hi = v[0], v[0]
		for _, x := range v {
			m += x
			lo, hi = min(lo, x), max(hi, x)
		}
		return m / float64(len(v)), lo, hi
	}
	fmtSat := func(c *cell) string {
		if c == nil {
			return "–"
		}
		m, lo, hi := mean(c.sat)
		if lo == hi {
			return strconv.FormatFloat(m, 'g', 4, 64)
		}
		return fmt.Sprintf("%.4g (%.4g–%.4g)", m, lo, hi)
	}
	var b strings.Builder
	router := ""
	for _, k := range keys {
		if k.router != router {
			router = k.router
			fmt.Fprintf(&b, "\n### %s\n\n", router)
			b.WriteString("| k | traffic | packet | zero-load latency, measured | analytic | saturation, 1 VC | 2 VCs | 8 VCs | channel bound |\n")
			b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		}
		m, _, _ := mean(zll[k])
		fmt.Fprintf(&b, "| %d | %s | %d | %.2f | %.2f | %s | %s | %s | %.4g |\n", k.k, TrafficName(k.traffic, k.k), k.size,
			m, ana[k], fmtSat(sat[k][1]), fmtSat(sat[k][2]), fmtSat(sat[k][8]), bound[k])
	}
	return b.String()
}
