package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/compiler/events"
)

func eventsCmd() *cobra.Command {
	var csvPath string
	var pv retinaFlags
	cmd := &cobra.Command{
		Use:   "events RECORDING...",
		Short: "Describe event-camera recordings (AEDAT, Prophesee .raw/.dat, ATIS .bin), or convert one to CSV",
		Long: `Decode event-camera recordings and print, for each, its format, its sensor
size (when the file states it), how many ON and OFF events it holds, the time
they span and the pixels they reach: what an input's events source
(docs/network-format.md) needs to know to map the recording onto a
population.

Formats: AEDAT 2.0, 3.1 and 4.0 (iniVation), Prophesee EVT 2.0 and EVT 3.0
.raw and DAT .dat, ATIS .bin (N-MNIST, N-Caltech101).

With --csv, write the decoded events of the one recording given as CSV
(t_us,x,y,p; p is 1 for ON), in file order.

With --dt, also show what an events source with these settings would make
of each recording: the channels (the input's size) and the spikes, steps
and merged events, before writing it into a network file. --pool,
--polarity, --crop, --sensor, --t0-us, --start-us and --duration-us are the
source's fields (docs/network-format.md).

  tessera events digit.bin --dt 1ms --sensor 34x34 --pool 2`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pv.dt == "" {
				for _, name := range []string{"sensor", "crop", "pool", "polarity", "t0-us", "start-us", "duration-us"} {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("events: --%s sets up an events source preview; give --dt too", name)
					}
				}
			}
			if csvPath != "" && len(args) != 1 {
				return fmt.Errorf("events: --csv converts one recording; %d were given", len(args))
			}
			out := cmd.OutOrStdout()
			for _, path := range args {
				rec, err := events.ReadFile(path)
				if err != nil {
					return err
				}
				describeRecording(out, path, rec)
				if pv.dt != "" {
					if err := pv.preview(out, rec); err != nil {
						return fmt.Errorf("events: %s: %w", path, err)
					}
				}
				if csvPath != "" {
					if err := writeEventsCSV(csvPath, rec); err != nil {
						return err
					}
					fmt.Fprintf(out, "wrote %s\n", csvPath)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&csvPath, "csv", "", "write the events as CSV to this file")
	f := cmd.Flags()
	f.StringVar(&pv.dt, "dt", "", "preview an events source with this timestep, e.g. 1ms")
	f.StringVar(&pv.sensor, "sensor", "", "sensor WIDTHxHEIGHT, when the file does not state it (preview)")
	f.StringVar(&pv.crop, "crop", "", "pixels used: X,Y,WIDTH,HEIGHT (preview)")
	f.IntVar(&pv.pool, "pool", 1, "side of the square of pixels feeding one channel (preview)")
	f.StringVar(&pv.polarity, "polarity", "split", "split, merge, on or off (preview)")
	f.Int64Var(&pv.t0, "t0-us", -1, "recording time step 1 counts from; default its earliest event (preview)")
	f.Int64Var(&pv.tm.StartMicros, "start-us", 0, "µs after t0 where step 1 begins (preview)")
	f.Int64Var(&pv.tm.DurationMicros, "duration-us", 0, "µs of recording used; 0: to the end (preview)")
	return cmd
}

// retinaFlags are the settings of an events source, for a preview.
type retinaFlags struct {
	dt, sensor, crop, polarity string
	pool                       int
	t0                         int64
	tm                         events.Timing
}

// preview prints what the events source set by the flags makes of rec.
func (pv retinaFlags) preview(w io.Writer, rec *events.Recording) error {
	dtPS, err := parseDurationPS(pv.dt)
	if err != nil {
		return err
	}
	r := events.Retina{Width: rec.Width, Height: rec.Height, Pool: pv.pool}
	if pv.sensor != "" {
		ws, hs, _ := strings.Cut(pv.sensor, "x")
		wv, err1 := strconv.Atoi(ws)
		hv, err2 := strconv.Atoi(hs)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("--sensor %q is not WIDTHxHEIGHT", pv.sensor)
		}
		r.Width, r.Height = wv, hv
	}
	if r.Width == 0 {
		return errors.New("the recording does not state its sensor size; give --sensor WIDTHxHEIGHT")
	}
	if pv.crop != "" {
		var c [4]int
		parts := strings.Split(pv.crop, ",")
		for i := range c {
			if len(parts) != 4 {
				return fmt.Errorf("--crop %q is not X,Y,WIDTH,HEIGHT", pv.crop)
			}
			if c[i], err = strconv.Atoi(strings.TrimSpace(parts[i])); err != nil {
				return fmt.Errorf("--crop %q is not X,Y,WIDTH,HEIGHT", pv.crop)
			}
		}
		r.Crop = events.Rect{X: c[0], Y: c[1], Width: c[2], Height: c[3]}
	}
	if r.Polarity, err = events.ParsePolarity(pv.polarity); err != nil {
		return err
	}
	tm := pv.tm
	tm.StepPS = dtPS
	if pv.t0 >= 0 {
		tm.Origin, tm.FixedOrigin = pv.t0, true
	}
	if err := rec.Stats().CheckSensor(r.Width, r.Height); err != nil {
		return err
	}
	m, err := rec.Map(r, tm)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  events source (size: %d): %s\n", r.Channels(), r)
	last := int32(0)
	if len(m.Spikes) > 0 {
		last = m.Spikes[len(m.Spikes)-1].Step
	}
	fmt.Fprintf(w, "  at dt %s: %d spikes in steps 1 … %d; of %d events in the window %d merged into another's spike, %d left out by crop or polarity; %d before and %d after the window\n",
		pv.dt, len(m.Spikes), last, m.Events, m.Merged, m.Outside, m.Before, m.After)
	return nil
}

// describeRecording prints what events.Stats finds in rec.
func describeRecording(w io.Writer, path string, rec *events.Recording) {
	sensor := "sensor size not stated (give sensor: [width, height] in an events source)"
	if rec.Width > 0 {
		sensor = fmt.Sprintf("sensor %d×%d", rec.Width, rec.Height)
	}
	fmt.Fprintf(w, "%s: %s, %s\n", path, rec.Format, sensor)
	s := rec.Stats()
	if s.Events == 0 {
		fmt.Fprintf(w, "  no events\n")
		return
	}
	fmt.Fprintf(w, "  %d events (%d ON, %d OFF) over %s: t %d … %d µs\n",
		s.Events, s.On, s.Off, formatMicros(s.DurationMicros), s.MinT, s.MaxT)
	fmt.Fprintf(w, "  pixels reached: x ≤ %d, y ≤ %d\n", s.MaxX, s.MaxY)
	if s.Decreasing > 0 {
		fmt.Fprintf(w, "  %d events are earlier than the one before them (the file is not in time order)\n", s.Decreasing)
	}
}

// formatMicros writes a duration in µs in the unit that suits it.
func formatMicros(us int64) string {
	switch {
	case us >= 10_000_000:
		return strconv.FormatFloat(float64(us)/1e6, 'f', 2, 64) + " s"
	case us >= 10_000:
		return strconv.FormatFloat(float64(us)/1e3, 'f', 2, 64) + " ms"
	}
	return strconv.FormatInt(us, 10) + " µs"
}

// writeEventsCSV writes rec's events as t_us,x,y,p lines.
func writeEventsCSV(path string, rec *events.Recording) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("events: %w", cerr)
		}
	}()
	bw := bufio.NewWriter(f)
	bw.WriteString("t_us,x,y,p\n")
	var line []byte
	for _, e := range rec.Events {
		line = strconv.AppendInt(line[:0], e.T, 10)
		line = append(line, ',')
		line = strconv.AppendUint(line, uint64(e.X), 10)
		line = append(line, ',')
		line = strconv.AppendUint(line, uint64(e.Y), 10)
		line = append(line, ',')
		line = strconv.AppendUint(line, uint64(e.P), 10)
		line = append(line, '\n')
		bw.Write(line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("events: write %s: %w", path, err)
	}
	return nil
}
