package events

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// refCounts is one entry of shared/reference/events/expected_counts.json.
type refCounts struct {
	Total  int   `json:"total_events"`
	On     int   `json:"on"`
	Off    int   `json:"off"`
	FirstT int64 `json:"first_t_us"`
	LastT  int64 `json:"last_t_us"`
	MaxX   int   `json:"max_x"`
	MaxY   int   `json:"max_y"`
}

// readEventCSV reads a t_us,x,y,p file of the reference folder.
func readEventCSV(tb testing.TB, path string) []Event {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err)
	require.Equal(tb, []string{"t_us", "x", "y", "p"}, rows[0], "%s: header", path)
	out := make([]Event, 0, len(rows)-1)
	for _, row := range rows[1:] {
		var v [4]int64
		for k, s := range row {
			v[k], err = strconv.ParseInt(s, 10, 64)
			require.NoError(tb, err, "%s: %v", path, row)
		}
		out = append(out, Event{T: v[0], X: uint16(v[1]), Y: uint16(v[2]), P: uint8(v[3])})
	}
	return out
}

// TestReferenceFiles decodes every recording of shared/reference/events and
// compares its first 2000 events (every event, for the synthetic files with
// a truth list) and its counts with what the reference decoders found.
func TestReferenceFiles(t *testing.T) {
	dir := refdata.Dir(t, "events")
	raw, err := os.ReadFile(filepath.Join(dir, "expected_counts.json"))
	require.NoError(t, err)
	var counts map[string]refCounts
	require.NoError(t, json.Unmarshal(raw, &counts))
	require.NotEmpty(t, counts)
	formats := map[string]Format{
		"aedat4_dvxplorer_tonic.aedat4":            AEDAT4,
		"dat_ncars_tonic.dat":                      DAT,
		"evt2_gen3_640x480_expelliarmus_trunc.raw": EVT2,
		"evt3_gen41_1280x720_expelliarmus.raw":     EVT3,
		"nmnist_atis_tonic.bin":                    ATIS,
		"synthetic_aedat2.aedat":                   AEDAT2,
		"synthetic_aedat31.aedat":                  AEDAT31,
	}
	for name, want := range counts {
		t.Run(name, func(t *testing.T) {
			rec, err := ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Equal(t, formats[name], rec.Format)
			expected := readEventCSV(t, filepath.Join(dir, name+".expected.csv"))
			require.GreaterOrEqual(t, len(rec.Events), len(expected))
			assert.Equal(t, expected, rec.Events[:len(expected)], "the first %d events", len(expected))
			if truth := filepath.Join(dir, name[:len(name)-len(filepath.Ext(name))]+".truth.csv"); fileExists(truth) {
				assert.Equal(t, readEventCSV(t, truth), rec.Events, "every event of the generator's truth")
			}
			s := rec.Stats()
			assert.Equal(t, want.Total, s.Events, "events")
			assert.Equal(t, want.On, s.On, "ON events")
			assert.Equal(t, want.Off, s.Off, "OFF events")
			assert.Equal(t, want.FirstT, s.FirstT, "first timestamp")
			assert.Equal(t, want.MaxX, s.MaxX, "largest x")
			assert.Equal(t, want.MaxY, s.MaxY, "largest y")
			if rec.Format == EVT3 {
				// expelliarmus' last timestamp carries a 4096 µs step for
				// every backward TIME_LOW (README of the reference folder);
				// the standard rule keeps every t within TIME_HIGH 2861..2863.
				assert.LessOrEqual(t, s.MaxT, int64(2863<<12|0xFFF), "largest timestamp")
			} else {
				assert.Equal(t, want.LastT, s.LastT, "last timestamp")
			}
			if rec.Width > 0 {
				assert.Less(t, s.MaxX, rec.Width, "x within the sensor")
				assert.Less(t, s.MaxY, rec.Height, "y within the sensor")
			}
		})
	}
}

// TestHeaderOnlyAEDAT2 reads the 0-event DAVIS346red recording.
func TestHeaderOnlyAEDAT2(t *testing.T) {
	rec, err := ReadFile(filepath.Join(refdata.Dir(t, "events"), "aedat2_header_only_davis346red_tonic.aedat"))
	require.NoError(t, err)
	assert.Equal(t, AEDAT2, rec.Format)
	assert.Empty(t, rec.Events)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
