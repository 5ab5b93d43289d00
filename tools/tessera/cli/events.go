package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tessera-sim/tessera/compiler/events"
)

func eventsCmd() *cobra.Command {
	var csvPath string
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
(t_us,x,y,p; p is 1 for ON), in file order.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
	return cmd
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
