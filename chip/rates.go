package chip

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// ReadRates reads measured spike rates back from the output directory of a
// run (report.json for the number of steps, spikes.csv for the spikes):
// spikes per step of each neuron, by population. Populations whose spikes
// were not recorded are absent.
func ReadRates(dir string) (map[string][]float64, error) {
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	var rep struct {
		Schema string `json:"schema"`
		Steps  int    `json:"steps"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("rates: %s: %w", filepath.Join(dir, "report.json"), err)
	}
	if rep.Schema != ReportSchema || rep.Steps < 1 {
		return nil, fmt.Errorf("rates: %s is not a %s report with steps ≥ 1", filepath.Join(dir, "report.json"), ReportSchema)
	}
	path := filepath.Join(dir, "spikes.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	head, err := r.Read()
	if err != nil || head[2] != "population" || head[3] != "neuron" {
		return nil, fmt.Errorf("rates: %s: expected the header step,time_ps,population,neuron", path)
	}
	counts := map[string][]float64{}
	// A neuron index sizes its population's slice: bound the total, so a
	// corrupt file cannot make us allocate gigabytes.
	const maxTotal = 1 << 24
	total := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("rates: %s: %w", path, err)
		}
		n, err := strconv.Atoi(rec[3])
		if err != nil || n < 0 || n >= 1<<24 {
			line, _ := r.FieldPos(3)
			return nil, fmt.Errorf("rates: %s:%d: bad neuron index %q", path, line, rec[3])
		}
		c := counts[rec[2]]
		if n >= len(c) {
			total += n + 1 - len(c)
			if total > maxTotal {
				line, _ := r.FieldPos(3)
				return nil, fmt.Errorf("rates: %s:%d: more than %d neurons in all", path, line, maxTotal)
			}
			c = append(c, make([]float64, n+1-len(c))...)
		}
		c[n]++
		counts[rec[2]] = c
	}
	for _, c := range counts {
		for i := range c {
			c[i] /= float64(rep.Steps)
		}
	}
	return counts, nil
}
