package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/sweep"
)

// sweepArgs is a 2×2 sweep of the two-population chain: the first
// projection's weight decides whether a fires, the second's whether b does.
func sweepArgs(out string, extra ...string) []string {
	return append([]string{"sweep", twoPop, "--preset", "small", "--steps", "6", "--out", out,
		"--set", "net.projections.0.weight=50,100", "--set", "net.projections.1.weight=100..200:100"}, extra...)
}

func TestSweepLocal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	out, err := run(t, sweepArgs(dir, "--jobs", "2")...)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6, out) // header, 4 rows, wrote
	assert.Regexp(t, `^run +net.projections.0.weight +net.projections.1.weight +spikes +syn_ops +energy +hardware time +pJ/syn-op$`, lines[0])
	// With weight 100 the two input spikes make a fire once; then only
	// weight 200 from a lifts b over its threshold (the hand-worked run in
	// chip/chip_test.go TestTwoPopulationsByHand).
	assert.Regexp(t, `^ +0 +50 +100 +0 +2 `, lines[1])
	assert.Regexp(t, `^ +2 +100 +100 +1 +3 `, lines[3])
	assert.Regexp(t, `^ +3 +100 +200 +2 +3 `, lines[4])
	assert.Equal(t, "wrote "+filepath.Join(dir, "sweep.csv")+" (4 runs)", lines[5])

	csv, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(string(csv), "\n"))
	assert.FileExists(t, filepath.Join(dir, "runs", "0003", "report.json"))

	// sweep.json's command runs the same sweep again.
	m, err := sweep.ReadManifest(dir)
	require.NoError(t, err)
	again := filepath.Join(t.TempDir(), "again")
	cmd := append([]string{}, m.Command...)
	for i, a := range cmd {
		if a == "--out" {
			cmd[i+1] = again
		}
	}
	_, err = run(t, cmd...)
	require.NoError(t, err)
	csv2, err := os.ReadFile(filepath.Join(again, "sweep.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(csv), string(csv2))
}

// --slurm writes the job array; running each --task and then --collect
// gives the local sweep's sweep.csv.
func TestSweepSlurmRoundTrip(t *testing.T) {
	local := filepath.Join(t.TempDir(), "local")
	_, err := run(t, sweepArgs(local)...)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(local, "sweep.csv"))
	require.NoError(t, err)

	dir := filepath.Join(t.TempDir(), "slurm")
	out, err := run(t, sweepArgs(dir, "--slurm", "--array-limit", "2", "--tessera", "/opt/tessera")...)
	require.NoError(t, err)
	script := filepath.Join(dir, "sweep.sbatch")
	assert.Contains(t, out, "wrote "+script+": a job array of 4 tasks")
	assert.Contains(t, out, "sbatch "+script)
	assert.Contains(t, out, "/opt/tessera sweep --collect "+dir)
	text, err := os.ReadFile(script)
	require.NoError(t, err)
	assert.Contains(t, string(text), "#SBATCH --array=0-3%2\n")
	assert.Contains(t, string(text), "exec /opt/tessera sweep ")
	assert.NoFileExists(t, filepath.Join(dir, "sweep.csv"), "--slurm runs nothing")

	_, err = run(t, "sweep", "--collect", dir)
	assert.ErrorContains(t, err, "4 of 4 runs have not finished (no row.csv): 0-3")

	for _, task := range []string{"2", "0", "3", "1"} {
		out, err := run(t, sweepArgs(dir, "--task", task)...)
		require.NoError(t, err)
		assert.Contains(t, out, "run "+task+" of 4: wrote "+filepath.Join(dir, "runs", "000"+task))
	}
	out, err = run(t, "sweep", "--collect", dir)
	require.NoError(t, err)
	assert.Contains(t, out, "wrote "+filepath.Join(dir, "sweep.csv")+" (4 runs)")
	got, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	_, err = run(t, "sweep", "--out", dir, "--collect")
	assert.NoError(t, err, "the directory may also come from --out")
}

func TestSweepBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", twoPop, "--set", "seed=1"}, "--out DIR"},
		{[]string{"sweep", twoPop, "--out", dir, "--set", "seed"}, "want KEY=V1,V2"},
		{[]string{"sweep", twoPop, "--out", dir, "--set", "net.projections.2.weight=1"}, "net.projections has no item named or numbered \"2\" (its items are numbered 0..1)"},
		{[]string{"sweep", twoPop, "--out", dir, "--set", "preset.mesh.widht=1"}, `did you mean "width"?`},
		{[]string{"sweep", twoPop, "--out", dir, "--array-limit", "3"}, "--array-limit shapes the Slurm script; give --slurm too"},
		{[]string{"sweep", twoPop, "--out", dir, "--slurm", "--task", "0"}, "give one or the other"},
		{[]string{"sweep", twoPop, "--out", dir, "--task", "1"}, "task 1 is out of range: the grid has 1 configurations"},
		{[]string{"sweep", twoPop, "--out", dir, "--jobs", "-1"}, "--jobs must be ≥ 0"},
		{[]string{"sweep", "--collect", dir, "--set", "seed=1"}, "--set does not apply"},
		{[]string{"sweep", "--collect", dir, "--out", "elsewhere"}, "name two directories"},
		{[]string{"sweep", "--collect"}, "needs the sweep's directory"},
		{[]string{"sweep", "--collect", dir}, "is " + dir + " a sweep's directory?"},
		{[]string{"sweep", "--out", dir}, "accepts 1 arg"},
	} {
		_, err := run(t, tc.args...)
		assert.ErrorContains(t, err, tc.want, strings.Join(tc.args, " "))
	}
}
