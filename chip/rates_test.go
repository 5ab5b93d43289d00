package chip_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
)

const rateReport = `{"schema": "tessera.report/v1", "steps": 10}`

func writeRun(t testing.TB, dir, report, spikes string) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.json"), []byte(report), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "spikes.csv"), []byte(spikes), 0o644))
}

func TestReadRates(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, rateReport, "step,time_ps,population,neuron\n1,0,a,0\n2,0,a,0\n3,0,a,2\n4,0,b,1\n")
	r, err := chip.ReadRates(dir)
	require.NoError(t, err)
	assert.Equal(t, map[string][]float64{"a": {0.2, 0, 0.1}, "b": {0, 0.1}}, r)

	tests := []struct{ report, spikes, want string }{
		{`{"schema": "other", "steps": 10}`, "step,time_ps,population,neuron\n", "not a tessera.report/v1"},
		{rateReport, "a,b,c,d\n", "expected the header"},
		{rateReport, "step,time_ps,population,neuron\n1,0,a,-3\n", "spikes.csv:2: bad neuron index"},
		{rateReport, "step,time_ps,population,neuron\n1,0,a\n", "spikes.csv"},
		{"{", "", "report.json"},
		{rateReport, "step,time_ps,population,neuron\n1,0,a,16000000\n1,0,b,16000000\n", "more than 16777216 neurons"},
	}
	for _, tc := range tests {
		writeRun(t, dir, tc.report, tc.spikes)
		_, err := chip.ReadRates(dir)
		assert.ErrorContains(t, err, tc.want)
	}
	_, err = chip.ReadRates(filepath.Join(dir, "missing"))
	assert.Error(t, err)
}

// FuzzReadRates: any spikes file gives rates or an error, never a panic.
func FuzzReadRates(f *testing.F) {
	f.Add("step,time_ps,population,neuron\n1,0,a,0\n")
	f.Add("step,time_ps,population,neuron\n1,0,a,1000\n1,0,b,2\n")
	f.Add("\"")
	f.Fuzz(func(t *testing.T, spikes string) {
		dir := t.TempDir()
		writeRun(t, dir, rateReport, spikes)
		r, err := chip.ReadRates(dir)
		if err == nil {
			for _, v := range r {
				for _, x := range v {
					if x < 0 {
						t.Fatalf("negative rate %v", x)
					}
				}
			}
		}
	})
}
