package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// run executes tessera with args and returns stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

const twoPop = "../../../chip/testdata/two_pop.yaml"

func TestCompileInspectRun(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "net.tsi")
	out, err := run(t, "compile", twoPop, "--preset", "small", "-o", img)
	require.NoError(t, err)
	assert.Contains(t, out, "2 of 4 cores")

	out, err = run(t, "inspect", img)
	require.NoError(t, err)
	assert.Contains(t, out, "two-pop")

	res := filepath.Join(dir, "out")
	out, err = run(t, "run", img, "--steps", "6", "--out", res, "-q")
	require.NoError(t, err)
	assert.Contains(t, out, "spikes: 2 from neurons, 2 from inputs")
	assert.Contains(t, out, "synaptic ops")
	for _, f := range []string{"report.json", "spikes.csv", "probes.csv"} {
		_, err := os.Stat(filepath.Join(res, f))
		assert.NoError(t, err, f)
	}
	spikes, err := os.ReadFile(filepath.Join(res, "spikes.csv"))
	require.NoError(t, err)
	assert.Equal(t, "step,time_ps,population,neuron\n", strings.SplitAfter(string(spikes), "\n")[0])

	// A network file runs directly, compiled on the fly.
	out2, err := run(t, "run", twoPop, "--preset", "small", "--steps", "6")
	require.NoError(t, err)
	assert.Equal(t, strings.Split(out, "wrote")[0], out2)

	_, err = run(t, "run", img, "--preset", "loihi")
	assert.ErrorContains(t, err, "--preset applies to network files")

	// Place by the rates measured in the run above.
	out, err = run(t, "compile", twoPop, "--preset", "small", "-o", img, "--rates", res, "--placement", "greedy", "--explain")
	require.NoError(t, err)
	assert.Contains(t, out, "predicted hop traffic")
	for _, stage := range []string{"expand", "partition", "place", "route+emit"} {
		assert.Contains(t, out, "\n"+stage)
	}
	_, err = run(t, "compile", twoPop, "--rates", dir)
	assert.ErrorContains(t, err, "report.json")
}

// Bad input as a new user would give it: each error names the place.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	base := "dt: 1ms\nunits: hardware\npopulations:\n  - name: a\n    size: 4\n    neuron: {du: 1, dv: 1, vth: 10}\n"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"typo in a field", []string{"compile", write("typo.yaml", strings.Replace(base, "size:", "sise:", 1))},
			[]string{"typo.yaml:5:5", "sise"}},
		{"negative size", []string{"compile", write("neg.yaml", strings.Replace(base, "size: 4", "size: -4", 1))},
			[]string{"neg.yaml:5:11", "size"}},
		{"missing population", []string{"compile", write("dangling.yaml", base+
			"projections:\n  - {pre: a, post: b, connectivity: all_to_all, weight: 1}\n")},
			[]string{"dangling.yaml:8:", `"b"`}},
		{"empty file", []string{"compile", write("empty.yaml", "")}, []string{"empty.yaml", "empty"}},
		{"garbage image", []string{"run", write("junk.tsi", "\x00\x01garbage bytes, not an image")},
			[]string{"junk.tsi"}},
		{"empty image", []string{"inspect", write("empty.tsi", "")}, []string{"empty.tsi"}},
		{"unknown preset", []string{"compile", write("ok.yaml", base), "--preset", "loihi9"},
			[]string{`unknown preset "loihi9"`}},
		{"missing file", []string{"run", filepath.Join(dir, "nope.tsi")}, []string{"nope.tsi"}},
		{"no steps", []string{"run", write("ok2.yaml", base), "--steps", "0"}, []string{"steps must be ≥ 1"}},
		{"no argument", []string{"run"}, []string{"accepts 1 arg"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"compile", "run", "inspect"} {
		out, err := run(t, cmd, "--help")
		require.NoError(t, err)
		assert.Contains(t, out, "Usage:")
	}
}

func TestParseDurationPS(t *testing.T) {
	for in, want := range map[string]int64{"1ms": 1e9, "0.5ms": 5e8, "100us": 1e8, "3 ns": 3000, "1s": 1e12, "7ps": 7} {
		got, err := parseDurationPS(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"1", "-1ms", "abc ms", "0.3ps", ""} {
		_, err := parseDurationPS(bad)
		assert.Error(t, err, bad)
	}
}

// A NIR graph compiles from the command line with --dt, and without it the
// error says what to give.
func TestCompileNIR(t *testing.T) {
	dir, err := refdata.Find("nir")
	require.NoError(t, err)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*two_lif*.nir"))
	require.NotEmpty(t, files, "no two_lif sample under %s", dir)
	out := filepath.Join(t.TempDir(), "g.tsi")
	_, err = run(t, "compile", files[0], "-o", out)
	assert.ErrorContains(t, err, "--dt")
	stdout, err := run(t, "compile", files[0], "-o", out, "--dt", "1ms")
	require.NoError(t, err)
	assert.Contains(t, stdout, "compiled")
}

func TestNoc(t *testing.T) {
	out, err := run(t, "noc", "-k", "4", "--rates", "0.02,0.1", "--traffic", "transpose")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, 3, "header and one row per rate")
	_, err = run(t, "noc", "--traffic", "tornado")
	assert.Error(t, err)
	png := filepath.Join(t.TempDir(), "noc.png")
	_, err = run(t, "noc", "-k", "4", "--rates", "0.02,0.1,0.2", "--plot", png)
	require.NoError(t, err)
	st, err := os.Stat(png)
	require.NoError(t, err)
	assert.Greater(t, st.Size(), int64(5000))
}

// A SANA-FE network runs on its own architecture file.
func TestSanafe(t *testing.T) {
	dir, err := refdata.Find("sanafe")
	require.NoError(t, err)
	out, err := run(t, "run", filepath.Join(dir, "example_snn.yaml"), "--sanafe-arch", filepath.Join(dir, "example_chip.yaml"), "--steps", "20", "-q")
	require.NoError(t, err)
	assert.Contains(t, out, "spikes:")
}
