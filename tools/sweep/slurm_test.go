package sweep

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteSlurm(t *testing.T) {
	out := filepath.Join(t.TempDir(), "my sweep")
	s := newSweep(t, Config{Grid: grid2x2(), Out: out})
	path, err := s.WriteSlurm(SlurmOptions{Tessera: "/opt/bin/tessera", ArrayLimit: 3})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(out, SlurmFile), path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	script := string(data)
	assert.True(t, strings.HasPrefix(script, "#!/bin/bash\n"))
	assert.Contains(t, script, "\n#SBATCH --array=0-3%3\n")
	assert.Contains(t, script, "\n#SBATCH --output="+out+"/logs/%a.out\n")
	net, _ := filepath.Abs(testNet)
	assert.Contains(t, script, "\nexec /opt/bin/tessera sweep "+net+" --steps 30 --out '"+out+"' --preset small"+
		" --set seed=1,2 --set preset.core.syn_op.energy_fj=30000 --set net.inputs.drive.poisson.rate_hz=50,200"+
		" --placement anneal --place-seed 0 --task \"$SLURM_ARRAY_TASK_ID\"\n")
	assert.Contains(t, script, "/opt/bin/tessera sweep --collect '"+out+"'")
	// Every directive comes before the first command, or Slurm ignores it.
	firstCommand := strings.Index(script, "\nset -euo pipefail")
	assert.Less(t, strings.LastIndex(script, "#SBATCH"), firstCommand)
	assert.DirExists(t, filepath.Join(out, "logs"))
	_, err = ReadManifest(out)
	assert.NoError(t, err)

	_, err = s.WriteSlurm(SlurmOptions{Tessera: "tessera"})
	assert.ErrorContains(t, err, "must be an absolute path")

	data, err = os.ReadFile(mustSlurm(t, newSweep(t, Config{Grid: grid2x2()}), SlurmOptions{Tessera: "/t"}))
	require.NoError(t, err)
	assert.Contains(t, string(data), "\n#SBATCH --array=0-3\n", "no limit unless asked")
}

// The script is valid bash that hands the task's number to tessera, every
// argument intact (spaces and quotes in paths included).
func TestSlurmScriptRuns(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: cannot run the job script")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake tessera")
	argsFile := filepath.Join(dir, "args")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/bash\nprintf '%s\\n' \"$@\" > '"+argsFile+"'\n"), 0o755))
	s := newSweep(t, Config{Grid: Grid{{Key: "seed", Values: []string{"1", "2", "3"}}}, Out: filepath.Join(dir, "it's out")})
	script := mustSlurm(t, s, SlurmOptions{Tessera: fake})
	cmd := exec.Command(bash, script)
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=2")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	got, err := os.ReadFile(argsFile)
	require.NoError(t, err)
	assert.Equal(t, append(s.Args(), "--task", "2"), strings.Split(strings.TrimSuffix(string(got), "\n"), "\n"))
}

func mustSlurm(t *testing.T, s *Sweep, opt SlurmOptions) string {
	t.Helper()
	path, err := s.WriteSlurm(opt)
	require.NoError(t, err)
	return path
}

// The array tasks of a Slurm sweep, then --collect, give the sweep.csv a
// local sweep writes.
func TestTasksThenCollect(t *testing.T) {
	local := newSweep(t, Config{Grid: grid2x2(), Jobs: 2})
	_, err := local.Run(context.Background())
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(local.cfg.Out, SummaryFile))
	require.NoError(t, err)

	s := newSweep(t, Config{Grid: grid2x2()})
	mustSlurm(t, s, SlurmOptions{Tessera: "/t"})
	// Tasks finish in any order; two have not yet.
	for _, task := range []int{3, 0} {
		row, err := s.RunTask(context.Background(), task)
		require.NoError(t, err)
		assert.Equal(t, task, row.Run)
	}
	_, err = Collect(s.cfg.Out)
	assert.ErrorContains(t, err, "2 of 4 runs have not finished (no row.csv): 1-2; see their logs in "+filepath.Join(s.cfg.Out, "logs"))
	assert.NoFileExists(t, filepath.Join(s.cfg.Out, SummaryFile))

	for _, task := range []int{2, 1} {
		_, err := s.RunTask(context.Background(), task)
		require.NoError(t, err)
	}
	rows, err := Collect(s.cfg.Out)
	require.NoError(t, err)
	assert.Len(t, rows, 4)
	got, err := os.ReadFile(filepath.Join(s.cfg.Out, SummaryFile))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	// A local sweep's directory collects to the same file too.
	_, err = Collect(local.cfg.Out)
	require.NoError(t, err)
	again, err := os.ReadFile(filepath.Join(local.cfg.Out, SummaryFile))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(again))

	_, err = s.RunTask(context.Background(), 4)
	assert.ErrorContains(t, err, "task 4 is out of range: the grid has 4 configurations, 0..3")
}

// Rows left by another sweep in the same directory are not mixed in.
func TestCollectForeignRows(t *testing.T) {
	s := newSweep(t, Config{Grid: Grid{{Key: "seed", Values: []string{"1", "2"}}}, Steps: 5})
	_, err := s.Run(context.Background())
	require.NoError(t, err)

	other := newSweep(t, Config{Grid: Grid{{Key: "seed", Values: []string{"7", "2"}}}, Steps: 5, Out: s.cfg.Out})
	require.NoError(t, other.writeManifest())
	_, err = Collect(s.cfg.Out)
	assert.ErrorContains(t, err, "the row is run 0 (1), not run 0 (7) of this sweep")

	other = newSweep(t, Config{Grid: Grid{{Key: "net.dt", Values: []string{"1ms", "2ms"}}}, Steps: 5, Out: s.cfg.Out})
	require.NoError(t, other.writeManifest())
	_, err = Collect(s.cfg.Out)
	assert.ErrorContains(t, err, "the file is from another sweep or damaged")

	_, err = Collect(t.TempDir())
	assert.ErrorContains(t, err, "a sweep's directory?")
}

func TestSpans(t *testing.T) {
	assert.Equal(t, "0, 2-4, 7-8, 10", spans([]int{0, 2, 3, 4, 7, 8, 10}))
	assert.Equal(t, "", spans(nil))
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "/a/b-c_d.yaml", shellQuote("/a/b-c_d.yaml"))
	assert.Equal(t, "seed=1,2", shellQuote("seed=1,2"))
	assert.Equal(t, "'a b'", shellQuote("a b"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, "''", shellQuote(""))
	assert.Equal(t, "'$HOME'", shellQuote("$HOME"))
}
