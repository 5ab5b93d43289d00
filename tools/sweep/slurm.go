package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SlurmOptions shape the job array script.
type SlurmOptions struct {
	// Tessera is the tessera binary the tasks run, as an absolute path:
	// a task starts on another machine, in another directory.
	Tessera string
	// ArrayLimit, if > 0, is how many tasks Slurm may run at once
	// (--array=0-N%K).
	ArrayLimit int
}

// SlurmFile is the job array script's name in the sweep's directory.
const SlurmFile = "sweep.sbatch"

// WriteSlurm writes sweep.json and OUT/sweep.sbatch, a Slurm job array of
// one task per configuration. Task I runs this same sweep with --task I,
// which writes runs/NNNN/report.json and row.csv; its output goes to
// OUT/logs/I.out. Once every task has finished, tessera sweep --collect OUT
// gathers the rows into sweep.csv. It returns the script's path.
func (s *Sweep) WriteSlurm(opt SlurmOptions) (string, error) {
	if !filepath.IsAbs(opt.Tessera) {
		return "", fmt.Errorf("sweep: the tessera binary must be an absolute path for the job's tasks, got %q", opt.Tessera)
	}
	if opt.ArrayLimit < 0 {
		return "", fmt.Errorf("sweep: the array limit must be ≥ 0, got %d", opt.ArrayLimit)
	}
	if err := s.writeManifest(); err != nil {
		return "", err
	}
	logs := filepath.Join(s.cfg.Out, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	n := s.Runs()
	array := fmt.Sprintf("0-%d", n-1)
	if opt.ArrayLimit > 0 {
		array += fmt.Sprintf("%%%d", opt.ArrayLimit)
	}
	quoted := []string{shellQuote(opt.Tessera)}
	for _, a := range s.Args() {
		quoted = append(quoted, shellQuote(a))
	}
	collect := shellQuote(opt.Tessera) + " sweep --collect " + shellQuote(s.cfg.Out)
	script := filepath.Join(s.cfg.Out, SlurmFile)

	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# tessera sweep: %d configurations of %s, one Slurm array task each.\n", n, s.cfg.Network)
	fmt.Fprintf(&b, "#\n#   submit:   sbatch %s\n", shellQuote(script))
	fmt.Fprintf(&b, "#   collect:  %s\n", collect)
	fmt.Fprintf(&b, "#             (once every task has finished; it names the runs that have not)\n")
	fmt.Fprintf(&b, "#   or chain: sbatch --dependency=afterok:JOBID --wrap %s\n", shellQuote(collect))
	fmt.Fprintf(&b, "#\n# Task I runs configuration I alone and writes %s/runs/NNNN/.\n", s.cfg.Out)
	fmt.Fprintf(&b, "#SBATCH --job-name=tessera-sweep\n")
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(logs, "%a.out"))
	// A task's run uses one goroutine (see Config.Jobs).
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
	fmt.Fprintf(&b, "set -euo pipefail\n")
	fmt.Fprintf(&b, "exec %s --task \"$SLURM_ARRAY_TASK_ID\"\n", strings.Join(quoted, " "))
	if err := os.WriteFile(script, []byte(b.String()), 0o755); err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	return script, nil
}

// shellQuote quotes s for bash when it needs it: plain words stay as they
// are, so the script stays readable.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+%@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
