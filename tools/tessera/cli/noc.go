package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/chip/plot"
	"github.com/tessera-sim/tessera/mesh/noc"
)

// nocCmd is `tessera noc`: the cycle-accurate mesh on synthetic traffic, as
// a network-on-chip simulator would run it (shared/reference/noc-validation.md).
func nocCmd() *cobra.Command {
	var (
		k, size, vcs, buf int
		traffic, rtr, out string
		plotFile          string
		rates             string
		seed              uint64
		sweep             bool
	)
	cmd := &cobra.Command{
		Use:   "noc",
		Short: "Run the cycle-accurate mesh on synthetic traffic (latency vs injection rate)",
		Long: `Drive the cycle-accurate router mesh with Bernoulli traffic (uniform,
transpose, bitcomp or hotspot), measure packet latency, network latency,
hops and accepted rate per offered load (flits/node/cycle), and write them
as CSV. With --sweep, run the whole grid of the validation spec with a
saturation-throughput search and write results.csv and summary.csv into
--out. See docs/noc-validation.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if sweep {
				return nocSweep(cmd, out, seed)
			}
			var rs []noc.Result
			for _, f := range strings.Split(rates, ",") {
				rate, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
				if err != nil {
					return fmt.Errorf("--rates: %q is not a number", f)
				}
				cfg := noc.Config{K: k, Traffic: traffic, PacketSize: size, VCs: vcs, BufferFlits: buf,
					Router: rtr, Rate: rate, Seed: seed}
				if err := cfg.Validate(); err != nil {
					return err
				}
				r, err := noc.Run(cmd.Context(), cfg)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "rate %.4f: packet latency %.2f cycles, accepted %.4f flits/node/cycle\n",
					rate, r.AvgPacketLatency, r.Accepted)
				rs = append(rs, r)
			}
			if plotFile != "" {
				if err := plotLatency(plotFile, rs); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", plotFile)
			}
			w := cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			return noc.WriteCSV(w, rs)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&k, "k", "k", 8, "mesh is k×k routers, one node each")
	f.StringVar(&traffic, "traffic", noc.Uniform, "pattern: "+strings.Join(noc.Patterns(), ", "))
	f.IntVar(&size, "packet-size", 1, "flits per packet")
	f.IntVar(&vcs, "vcs", 2, "virtual channels per input port")
	f.IntVar(&buf, "buffer", 8, "flits per VC buffer")
	f.StringVar(&rtr, "router", noc.IQDefault, "pipeline: "+noc.IQDefault+" or "+noc.IQMin)
	f.StringVar(&rates, "rates", "0.05,0.1,0.2,0.3", "offered loads (flits/node/cycle), comma separated")
	f.Uint64Var(&seed, "seed", 1, "traffic seed")
	f.BoolVar(&sweep, "sweep", false, "run the whole validation grid with saturation search (minutes)")
	f.StringVarP(&out, "out", "o", "", "CSV file (or, with --sweep, a directory); default standard output")
	f.StringVar(&plotFile, "plot", "", "also draw packet and network latency against offered load (.png or .svg)")
	return cmd
}

// plotLatency draws the latency-versus-load curves of runs: packet and
// network latency of the unsaturated points.
func plotLatency(path string, rs []noc.Result) error {
	var pkt, net plot.Series
	pkt.Name, net.Name = "packet latency (with source queuing)", "network latency"
	for _, r := range rs {
		if !r.Steady {
			continue
		}
		pkt.X, pkt.Y = append(pkt.X, r.Config.Rate), append(pkt.Y, r.AvgPacketLatency)
		net.X, net.Y = append(net.X, r.Config.Rate), append(net.Y, r.AvgNetworkLatency)
	}
	if len(pkt.X) == 0 {
		return fmt.Errorf("--plot: every load saturated the network; nothing to draw")
	}
	c := rs[0].Config
	title := fmt.Sprintf("%d×%d mesh, %s traffic, %d-flit packets, %d VCs, %s", c.K, c.K, c.Traffic, c.PacketSize, c.VCs, c.Router)
	f, err := plot.Lines("noc", title, "offered load (flits/node/cycle)", "mean latency (cycles)",
		[]plot.Series{pkt, net}, plot.DefaultOptions())
	if err != nil {
		return err
	}
	return f.Save(path, 120)
}

func nocSweep(cmd *cobra.Command, dir string, seed uint64) error {
	if dir == "" {
		return fmt.Errorf("--sweep needs --out DIR")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sc := noc.DefaultSweep()
	sc.Seeds = []uint64{seed}
	rows, sums, err := noc.Sweep(cmd.Context(), sc, func(p noc.Progress) {
		fmt.Fprintf(cmd.ErrOrStderr(), "\r%d/%d %s", p.Done, p.Total, p.Point)
	})
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	for name, write := range map[string]func(*os.File) error{
		"results.csv": func(f *os.File) error { return noc.WriteCSV(f, rows) },
		"summary.csv": func(f *os.File) error { return noc.WriteSummaryCSV(f, sums) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s/results.csv and summary.csv (%d runs)\n", dir, len(rows))
	return nil
}
